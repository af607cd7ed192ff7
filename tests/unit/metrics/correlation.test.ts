import { describe, expect, it } from 'vitest';
import { averageRanks, pearson, spearman } from '../../../src/engine/metrics/correlation.ts';
import { readFixture } from '../objectives/golden.ts';

/** Golden values from scipy.stats.spearmanr / pearsonr (tests/fixtures/objectives/metrics.json). */
interface CorrelationCase {
  name: string;
  a: number[];
  b: number[];
  spearman: number | null;
  pearson: number | null;
}

const cases = readFixture<{ correlation: CorrelationCase[] }>('metrics.json').correlation;

describe('spearman / pearson vs scipy.stats (1e-12)', () => {
  for (const c of cases.filter((x) => x.spearman !== null)) {
    it(`${c.name}: ρ = ${c.spearman}, r = ${c.pearson}`, () => {
      expect(Math.abs(spearman(c.a, c.b) - c.spearman!)).toBeLessThan(1e-12);
      expect(Math.abs(pearson(c.a, c.b) - c.pearson!)).toBeLessThan(1e-12);
    });
  }

  it('constant input: NaN, as scipy (which returns nan)', () => {
    const c = cases.find((x) => x.name === 'constant input')!;
    expect(c.spearman).toBeNull(); // scipy's nan, written as null in JSON
    expect(spearman(c.a, c.b)).toBeNaN();
    expect(pearson(c.a, c.b)).toBeNaN();
    expect(pearson(c.b, c.a)).toBeNaN();
  });

  it('ties get the average of the ranks they span', () => {
    expect(averageRanks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    expect(averageRanks([3, 1, 3, 3, 0])).toEqual([4, 2, 4, 4, 1]);
  });

  it('length mismatch throws; fewer than 2 points or a non-finite value gives NaN', () => {
    expect(() => spearman([1, 2, 3], [1, 2])).toThrow(/equal length/);
    expect(() => pearson([1], [])).toThrow(/equal length/);
    expect(spearman([1], [2])).toBeNaN();
    expect(pearson([1, Number.NaN, 3], [1, 2, 3])).toBeNaN();
    expect(spearman([1, 2, 3], [1, Number.POSITIVE_INFINITY, 3])).toBeNaN();
  });

  it('perfect monotone and perfect inverse relations give ±1 exactly', () => {
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 15);
  });
});
