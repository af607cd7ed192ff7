import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  lexicalBaselines,
  lexicalSimilarities,
  lexicalTokens,
} from '../../../src/engine/metrics/lexical.ts';
import { FIXTURES, sharedData } from '../../helpers/paths.ts';

/**
 * Lexical baselines against tests/fixtures/objectives/make_lexical.py (numpy dense vectors,
 * scipy.stats.spearmanr) on real STS-B dev pairs: Spearman × 100 of bag-of-words and TF-IDF
 * (smooth idf over the set's sentences) cosine vs gold, within 1e-6; the first 20 per-pair
 * cosines within 1e-12 (both round them to 12 decimals).
 */
interface Golden {
  n: number;
  bagOfWords: number;
  tfidf: number;
  bagOfWordsCos: number[];
  tfidfCos: number[];
}
const golden = JSON.parse(readFileSync(join(FIXTURES, 'objectives', 'lexical.json'), 'utf8')) as {
  tokens: Record<string, string[]>;
  first300: Golden;
  full: Golden;
};

function readSts(limit?: number): { s1: string[]; s2: string[]; gold: number[] } {
  const lines = readFileSync(sharedData('stsb', 'dev.tsv'), 'utf8').split('\n');
  const rows = lines
    .slice(1)
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
  const use = limit ? rows.slice(0, limit) : rows;
  return {
    s1: use.map((r) => r[0]!),
    s2: use.map((r) => r[1]!),
    gold: use.map((r) => Number(r[2])),
  };
}

describe('lexical baselines (bag-of-words, TF-IDF) on STS-B dev', () => {
  it('tokens are lower-cased letter runs and digit runs, as the reference', () => {
    for (const [text, want] of Object.entries(golden.tokens))
      expect(lexicalTokens(text), text).toEqual(want);
  });

  for (const [name, limit] of [
    ['first 300 pairs', 300],
    ['all 1,500 pairs', undefined],
  ] as const) {
    it(`${name}: Spearman × 100 equals the numpy/scipy reference (1e-6)`, () => {
      const want = limit ? golden.first300 : golden.full;
      const { s1, s2, gold } = readSts(limit);
      expect(s1.length).toBe(want.n);
      const got = lexicalBaselines(s1, s2, gold);
      expect(Math.abs(got.bagOfWords - want.bagOfWords)).toBeLessThan(1e-6);
      expect(Math.abs(got.tfidf - want.tfidf)).toBeLessThan(1e-6);
      const sims = lexicalSimilarities(s1, s2);
      for (const [i, c] of want.bagOfWordsCos.entries())
        expect(Math.abs(sims.bagOfWords[i]! - c), `bow pair ${i}`).toBeLessThan(1e-12);
      for (const [i, c] of want.tfidfCos.entries())
        expect(Math.abs(sims.tfidf[i]! - c), `tfidf pair ${i}`).toBeLessThan(1e-12);
    });
  }

  it('IDF weighting changes the ranking: TF-IDF differs from bag-of-words', () => {
    const { s1, s2, gold } = readSts(300);
    const got = lexicalBaselines(s1, s2, gold);
    expect(Math.abs(got.tfidf - got.bagOfWords)).toBeGreaterThan(1);
  });

  it('a sentence with no word has cosine 0; identical sentences have cosine 1', () => {
    const sims = lexicalSimilarities(['...', 'The cat sat.'], ['a cat', 'the CAT sat']);
    expect(sims.bagOfWords).toEqual([0, 1]);
    expect(sims.tfidf).toEqual([0, 1]);
  });
});
