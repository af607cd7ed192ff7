/**
 * One-click experiments: the steps of the journey the playground teaches, and the papers'
 * settings. Each preset is a partial config merged over the playground default, plus one or two
 * sentences on what to watch for. Offline presets use the built-in data; the papers' presets name
 * the catalogue's Hub sets (they need the network once, then the browser cache).
 */
import { UserError } from '../errors.ts';
import type { ExperimentInput } from './schema.ts';

export interface Preset {
  id: string;
  title: string;
  /** What to watch for, in one or two sentences. */
  watch: string;
  /** Works with no network (built-in encoder and data). */
  offline: boolean;
  config: ExperimentInput;
}

/**
 * The playground's default: a small random-init built-in encoder learns sentence similarity from
 * WordNet's own pairs (a synset's lemmas, definition and examples are positives of each other),
 * contrastively in both directions (SimCSE's loss with the pair's second sentence as positive),
 * and is measured on STS-B dev from step 0. Measured on WASM with this recipe (warm-up 100):
 * STS-B dev (mean pooling) 61.2 untrained → 61.9 after 50 steps → 64.1 after 100 → 66.1 after
 * 300, about a second a step; word overlap on the same pairs gives 58.8 (bag of words) and 74.9
 * (TF-IDF). (The old default, unsupervised SimCSE on Brown with [CLS], made it fall: from 38.6
 * to 8 in the run, 58.7 → 52.6 over 100 steps in `cplay train --preset simcse-unsup`;
 * dropout views teach a random-init encoder nothing about meaning.) A random-init
 * encoder needs a larger learning rate than SimCSE's 3e-5, which is for fine-tuning a
 * pre-trained BERT.
 */
export const PLAYGROUND_DEFAULT: ExperimentInput = {
  seed: 0,
  encoder: {
    source: 'builtin',
    builtin: { layers: 2, hidden: 128, heads: 2, intermediate: 512 },
    pooling: 'mean',
    mlpHead: 'none',
    maxLength: 32,
  },
  data: {
    train: { source: 'builtin:wordnet-pairs', kind: 'pairs' },
    eval: { source: 'builtin:stsb-dev', kind: 'sts' },
  },
  objective: { kind: 'simcse-unsup', temperature: 0.05, symmetric: true },
  optimizer: { kind: 'adamw', lr: 5e-4, warmupSteps: 30, schedule: 'linear' },
  batchSize: 64,
  maxSteps: 300,
  evalEvery: 25,
  checkpointEvery: 25,
};

const GENRES = { source: 'builtin:brown-genres', kind: 'labeled' } as const;
const GENRES_EVAL = { source: 'builtin:brown-genres-test', kind: 'labeled' } as const;
const STSB_DEV = { source: 'builtin:stsb-dev', kind: 'sts' } as const;

/**
 * The offline stand-in for "fine-tune a pre-trained BERT on Wikipedia sentences, test on STS-B":
 * the project's own small pre-trained English BERT, SimCSE's Wikipedia sentences, mean pooling.
 */
const PRETRAINED_ON_WIKI = {
  encoder: { source: 'builtin:bert-tiny-en', pooling: 'mean', mlpHead: 'none' },
  data: { train: { source: 'builtin:wiki', kind: 'sentences' }, eval: STSB_DEV },
} as const satisfies ExperimentInput;

export const PRESETS: readonly Preset[] = [
  {
    id: 'default',
    title: 'WordNet pairs → STS-B (the default)',
    watch:
      "A random-init encoder learns from WordNet's pairs (lemmas, definition and examples of one synset are positives). STS-B dev climbs slowly from its step-0 value (about 61, then about 66 after 300 steps): read it against the bag-of-words and TF-IDF lines, the same pairs scored by word overlap alone (about 59 and 75). The alignment / uniformity plane moves most.",
    offline: true,
    // Its data named here too, so the page lists these sets among the presets' built-in ones.
    config: { data: PLAYGROUND_DEFAULT.data },
  },
  {
    id: 'eda',
    title: 'EDA views',
    watch:
      'Two EDA edits of each sentence are the positives, dropout off. Open the preview: a deleted 不 turns 我不会再爱你 into its opposite, and the loss cannot tell.',
    offline: true,
    config: {
      ...PRETRAINED_ON_WIKI,
      augment: {
        dropout: false,
        eda: {
          synonymReplacement: 0.1,
          randomInsertion: 0.1,
          randomSwap: 0.1,
          randomDeletion: 0.1,
        },
      },
      objective: { symmetric: false },
    },
  },
  {
    id: 'consert',
    title: 'ConSERT: shuffle + feature cutoff',
    watch:
      "View 1 shuffles the position ids, view 2 zeroes 20% of the embedding columns (ConSERT's best pair, τ = 0.1). Compare alignment with the dropout-only run.",
    offline: true,
    config: {
      ...PRETRAINED_ON_WIKI,
      augment: {
        dropout: true,
        embedding: { view1: { kind: 'shuffle' }, view2: { kind: 'feature-cutoff', rate: 0.2 } },
      },
      objective: { kind: 'simcse-unsup', temperature: 0.1, symmetric: false },
    },
  },
  {
    id: 'simcse-unsup',
    title: 'Unsupervised SimCSE (dropout)',
    watch:
      'The same Brown sentence twice, with dropout p = 0.1, is the only augmentation, on a random-init encoder. Expect STS-B dev to fall, not rise (measured: 58.7 at step 0, 52.6 after 100 steps): dropout views teach an encoder that knows no words nothing about meaning, and its raw [CLS] states stay bunched together (uniformity near 0).',
    offline: true,
    config: {
      encoder: { pooling: 'cls', mlpHead: 'train-only' },
      data: { train: { source: 'builtin:default', kind: 'sentences' }, eval: STSB_DEV },
      objective: { symmetric: false },
    },
  },
  {
    id: 'simcse-unsup-pretrained',
    title: 'Unsupervised SimCSE from a pre-trained encoder',
    watch:
      "SimCSE's own setting, small: the built-in pre-trained English BERT, Wikipedia sentences, dropout views. Here dropout has word knowledge to shape; compare STS-B dev with the random-init run.",
    offline: true,
    config: { ...PRETRAINED_ON_WIKI, objective: { symmetric: false } },
  },
  {
    id: 'simcse-sup',
    title: 'Supervised SimCSE with hard negatives',
    watch:
      'NLI entailments are positives and contradictions hard negatives (SNLI/MNLI triplets from the Hub). STS Spearman should climb well above the unsupervised run.',
    offline: false,
    config: {
      data: {
        train: { source: 'catalogue:nli-simcse', kind: 'triplets', limit: 20000 },
        eval: { source: 'catalogue:stsb@validation', kind: 'sts' },
      },
      objective: { kind: 'simcse-sup', temperature: 0.05, hardNegativeWeight: 0 },
      encoder: { pooling: 'cls', mlpHead: 'always' },
      batchSize: 64,
    },
  },
  {
    id: 'rdrop',
    title: 'R-Drop on a classifier',
    watch:
      'Two dropout passes of a genre classifier; the symmetric KL between them (α = 1) regularises. Compare accuracy with plain cross-entropy.',
    offline: true,
    config: {
      data: { train: GENRES, eval: GENRES_EVAL },
      objective: { kind: 'rdrop', alpha: 1 },
      encoder: { pooling: 'cls', mlpHead: 'none' },
    },
  },
  {
    id: 'logit-contrast',
    title: 'Contrast pre-dense logits (vs R-Drop)',
    watch:
      'Cross-entropy plus an InfoNCE between the two dropout views of the encoder output, not the probabilities. Overlay it with the R-Drop run to see which generalises better.',
    offline: true,
    config: {
      data: { train: GENRES, eval: GENRES_EVAL },
      objective: { kind: 'logit-contrast', alpha: 1, temperature: 0.05 },
      encoder: { pooling: 'cls', mlpHead: 'none' },
    },
  },
  {
    id: 'supcon',
    title: 'SupCon + CE',
    watch:
      'Same-genre sentences pull together (λ = 0.9, τ = 0.3, Gunel et al.); the projection should show the classes separating before accuracy moves.',
    offline: true,
    config: {
      data: { train: GENRES, eval: GENRES_EVAL },
      objective: { kind: 'supcon', lambda: 0.9, temperature: 0.3 },
      encoder: { pooling: 'cls', mlpHead: 'none' },
    },
  },
];

/**
 * Presets for the command line only (`cplay train --preset <id>`): long recipes whose point is the
 * budget (steps, schedule), which the page's presets leave to the user.
 * `pretrain-bert-tiny-en` is how builtin:bert-tiny-en was made (scripts/pretrain-bert-tiny-en.sh).
 */
export const CLI_PRESETS: readonly Preset[] = [
  {
    id: 'pretrain-bert-tiny-en',
    title: 'Pretrain the built-in encoder on WordNet (how bert-tiny-en was made)',
    watch:
      'The default recipe run to its plateau: 1,500 steps with a 100-step warm-up, STS-B dev every 250 steps. This is the run that produced builtin:bert-tiny-en; expect 20 to 60 minutes on WASM.',
    offline: true,
    config: {
      data: PLAYGROUND_DEFAULT.data,
      optimizer: { kind: 'adamw', lr: 5e-4, warmupSteps: 100, schedule: 'linear' },
      maxSteps: 1500,
      evalEvery: 250,
      checkpointEvery: 250,
      // One replica: the dropout masks (and so the weights) do not depend on the core count.
      workers: 1,
    },
  },
];

/** The papers' own settings (for pre-trained encoders), used by the CLI and the model card. */
export const PAPER_SETTINGS: Record<string, ExperimentInput> = {
  'simcse-unsup': {
    encoder: {
      pooling: 'cls',
      mlpHead: 'train-only',
      hiddenDropout: 0.1,
      attentionDropout: 0.1,
      maxLength: 32,
    },
    data: {
      train: { source: 'catalogue:wiki1m', kind: 'sentences' },
      eval: { source: 'catalogue:stsb@validation', kind: 'sts' },
    },
    objective: { kind: 'simcse-unsup', temperature: 0.05 },
    optimizer: { kind: 'adamw', lr: 3e-5, schedule: 'linear' },
    batchSize: 64,
    maxSteps: null,
    epochs: 1,
    evalEvery: 125,
  },
  'simcse-sup': {
    encoder: { pooling: 'cls', mlpHead: 'always', maxLength: 32 },
    data: {
      train: { source: 'catalogue:nli-simcse', kind: 'triplets' },
      eval: { source: 'catalogue:stsb@validation', kind: 'sts' },
    },
    objective: { kind: 'simcse-sup', temperature: 0.05, hardNegativeWeight: 0 },
    optimizer: { kind: 'adamw', lr: 5e-5, schedule: 'linear' },
    batchSize: 512,
    maxSteps: null,
    epochs: 3,
    evalEvery: 125,
  },
  consert: {
    augment: {
      dropout: false,
      embedding: { view1: { kind: 'shuffle' }, view2: { kind: 'feature-cutoff', rate: 0.2 } },
    },
    objective: { kind: 'simcse-unsup', temperature: 0.1 },
    optimizer: { kind: 'adamw', lr: 5e-7, warmupSteps: 0 },
    batchSize: 96,
  },
  rdrop: {
    data: {
      train: { source: 'catalogue:sst2@train', kind: 'labeled' },
      eval: { source: 'catalogue:sst2@validation', kind: 'labeled' },
    },
    encoder: { mlpHead: 'none' },
    objective: { kind: 'rdrop', alpha: 1 },
    optimizer: { kind: 'adamw', lr: 2e-5, schedule: 'linear' },
  },
  eda: {
    augment: {
      dropout: false,
      eda: { synonymReplacement: 0.1, randomInsertion: 0.1, randomSwap: 0.1, randomDeletion: 0.1 },
    },
  },
};

type Obj = Record<string, unknown>;

/** Deep merge of partial configs (objects merge, everything else replaces). */
export function mergeConfig(base: ExperimentInput, ...over: ExperimentInput[]): ExperimentInput {
  const merge = (a: unknown, b: unknown): unknown => {
    if (b === undefined) return a;
    if (
      a &&
      b &&
      typeof a === 'object' &&
      typeof b === 'object' &&
      !Array.isArray(a) &&
      !Array.isArray(b)
    ) {
      const out: Obj = { ...(a as Obj) };
      for (const [k, v] of Object.entries(b as Obj)) out[k] = merge(out[k], v);
      return out;
    }
    return b;
  };
  return over.reduce<unknown>((acc, o) => merge(acc, o), base) as ExperimentInput;
}

/** A preset's whole config (the preset over the playground default), by its page id. */
export function presetConfig(id: string): ExperimentInput {
  const all = [...PRESETS, ...CLI_PRESETS];
  const p = all.find((x) => x.id === id);
  if (!p)
    throw new UserError(
      `There is no preset "${id}"; the presets are ${all.map((x) => x.id).join(', ')}.`,
    );
  return mergeConfig(PLAYGROUND_DEFAULT, p.config);
}
