import { describe, expect, it } from 'vitest';
import { accuracy, macroF1 } from '../../../src/engine/metrics/classification.ts';
import { readFixture } from '../objectives/golden.ts';

/** Golden values computed by hand in Python (tests/fixtures/objectives/make_objectives.py). */
interface ClsCase {
  name: string;
  pred: number[];
  gold: number[];
  accuracy: number;
  macroF1: number;
}

const cases = readFixture<{ classification: ClsCase[] }>('metrics.json').classification;

describe('accuracy / macro-F1', () => {
  for (const c of cases) {
    it(`${c.name}: accuracy ${c.accuracy}, macro-F1 ${c.macroF1} (1e-12)`, () => {
      expect(Math.abs(accuracy(c.pred, c.gold) - c.accuracy)).toBeLessThan(1e-12);
      expect(Math.abs(macroF1(c.pred, c.gold) - c.macroF1)).toBeLessThan(1e-12);
    });
  }

  it('a worked example: classes seen only in pred or only in gold score 0 and count', () => {
    const pred = [0, 0, 1, 1, 3];
    const gold = [0, 0, 1, 2, 1];
    // class 0: 2TP/(2TP+FP+FN) = 4/4 = 1; class 1: 2/(2+1+1) = 0.5; class 2: 0/(0+0+1) = 0;
    // class 3: 0/(0+1+0) = 0 → macro = 1.5 / 4
    expect(macroF1(pred, gold)).toBeCloseTo(1.5 / 4, 15);
    // restricted to the gold classes 0..2 → 1.5 / 3
    expect(macroF1(pred, gold, [0, 1, 2])).toBeCloseTo(0.5, 15);
    expect(accuracy(pred, gold)).toBeCloseTo(0.6, 15);
  });

  it('length mismatch throws; empty input is NaN', () => {
    expect(() => accuracy([1, 2], [1])).toThrow(/entries/);
    expect(() => macroF1([1], [1, 2])).toThrow(/entries/);
    expect(accuracy([], [])).toBeNaN();
    expect(macroF1([], [])).toBeNaN();
  });
});
