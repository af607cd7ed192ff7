/**
 * `brown-genres-{train,test}.tsv`: an offline sentence-classification set (kind `labeled`) from the
 * same Brown corpus files, labelled by the corpus's own genre categories, grouped into four
 * classes (Francis & Kucera's categories: A–C press; D–H general non-fiction; J learned;
 * K–R fiction). Whole documents go to one split (every fifth document of a class is test), so no
 * test sentence shares a document with a training sentence. At most 1,500 train and 300 test
 * sentences per class, taken in corpus order and written interleaved class by class.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AssetBuilder } from '../build-assets.ts';
import { brownDir, brownFiles, brownSentence } from './corpus.ts';

export const GENRES: Record<string, string> = {
  a: 'press',
  b: 'press',
  c: 'press',
  d: 'non-fiction',
  e: 'non-fiction',
  f: 'non-fiction',
  g: 'non-fiction',
  h: 'non-fiction',
  j: 'learned',
  k: 'fiction',
  l: 'fiction',
  m: 'fiction',
  n: 'fiction',
  p: 'fiction',
  r: 'fiction',
};
const MAX_TRAIN = 1500;
const MAX_TEST = 300;

export function genreSplits(dir: string = brownDir()): { train: string[][]; test: string[][] } {
  const docIndex = new Map<string, number>();
  const count = { train: new Map<string, number>(), test: new Map<string, number>() };
  const out = { train: [] as string[][], test: [] as string[][] };
  const seen = new Set<string>();
  for (const file of brownFiles(dir)) {
    const genre = GENRES[file[1] ?? ''];
    if (!genre) continue;
    const i = docIndex.get(genre) ?? 0;
    docIndex.set(genre, i + 1);
    const split = i % 5 === 4 ? 'test' : 'train';
    const cap = split === 'test' ? MAX_TEST : MAX_TRAIN;
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if ((count[split].get(genre) ?? 0) >= cap) break;
      const s = brownSentence(line);
      if (s === null || seen.has(s) || s.includes('\t')) continue;
      seen.add(s);
      out[split].push([s, genre]);
      count[split].set(genre, (count[split].get(genre) ?? 0) + 1);
    }
  }
  return { train: interleave(out.train), test: interleave(out.test) };
}

/** Round-robin over the classes, so a row limit still sees every class. */
function interleave(rows: string[][]): string[][] {
  const byClass = new Map<string, string[][]>();
  for (const r of rows) byClass.set(r[1]!, [...(byClass.get(r[1]!) ?? []), r]);
  const queues = [...byClass.values()];
  const out: string[][] = [];
  for (let i = 0; out.length < rows.length; i++) for (const q of queues) if (q[i]) out.push(q[i]!);
  return out;
}

export const builder: AssetBuilder = {
  outputs: ['brown-genres-train.tsv', 'brown-genres-test.tsv'],
  async build(outDir: string) {
    const { train, test } = genreSplits();
    for (const [name, rows] of [
      ['brown-genres-train.tsv', train],
      ['brown-genres-test.tsv', test],
    ] as const) {
      writeFileSync(
        join(outDir, name),
        `sentence\tlabel\n${rows.map((r) => r.join('\t')).join('\n')}\n`,
      );
    }
  },
};
