import { beforeAll, describe, expect, it } from 'vitest';
import {
  alignment,
  alignmentUniformityFromSts,
  alignmentUniformityFromViews,
  uniformity,
} from '../../../src/engine/metrics/index.ts';
import * as tf from '../../../src/engine/tf.ts';
import { readFixture } from '../objectives/golden.ts';

/**
 * Golden values: tests/fixtures/objectives/metrics.json, from Wang & Isola's `align_loss` /
 * `uniform_loss` (torch.pdist) in float64 on F.normalize'd float32 inputs. Tolerance 1e-5.
 */
interface MetricsFixture {
  alignUniform: {
    x: number[][];
    y: number[][];
    alignment_alpha2: number;
    alignment_alpha1: number;
    uniformity_t2: number;
    uniformity_t1: number;
  };
  sts: {
    emb1: number[][];
    emb2: number[][];
    scores: number[];
    scores_0_1: number[];
    nPositive: number;
    nSentences: number;
    alignment: number;
    uniformity: number;
  };
  views: { alignment: number; uniformity: number };
}

const TOL = 1e-5;
const fx = readFixture<MetricsFixture>('metrics.json');

describe('alignment / uniformity vs Wang & Isola (PyTorch)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('alignment α = 2 and α = 1 on unnormalised rows (normalised inside)', async () => {
    const x = tf.tensor2d(fx.alignUniform.x);
    const y = tf.tensor2d(fx.alignUniform.y);
    const before = tf.memory().numTensors;
    const a2 = await alignment(x, y);
    const a1 = await alignment(x, y, 1);
    expect(Math.abs(a2 - fx.alignUniform.alignment_alpha2)).toBeLessThan(TOL);
    expect(Math.abs(a1 - fx.alignUniform.alignment_alpha1)).toBeLessThan(TOL);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });

  it('uniformity t = 2 and t = 1 over all pairs i < j', async () => {
    const x = tf.tensor2d(fx.alignUniform.x);
    const before = tf.memory().numTensors;
    expect(Math.abs((await uniformity(x)) - fx.alignUniform.uniformity_t2)).toBeLessThan(TOL);
    expect(Math.abs((await uniformity(x, 1)) - fx.alignUniform.uniformity_t1)).toBeLessThan(TOL);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('uniformity over several row blocks (N = 2100) equals a float64 all-pairs loop (1e-5)', async () => {
    const n = 2100;
    const d = 3;
    const x = tf.randomNormal([n, d], 0, 1, 'float32', 5) as tf.Tensor2D;
    const rows = x.arraySync();
    const unit = rows.map((r) => {
      const norm = Math.hypot(...r);
      return r.map((v) => v / norm);
    });
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const a = unit[i]!;
      for (let j = i + 1; j < n; j++) {
        const b = unit[j]!;
        const d2 = (a[0]! - b[0]!) ** 2 + (a[1]! - b[1]!) ** 2 + (a[2]! - b[2]!) ** 2;
        sum += Math.exp(-2 * d2);
      }
    }
    const expected = Math.log(sum / ((n * (n - 1)) / 2));
    const got = await uniformity(x);
    expect(Math.abs(got - expected)).toBeLessThan(TOL);
    x.dispose();
  });

  it('identical views align perfectly (0); one sentence has no uniformity (NaN)', async () => {
    const x = tf.tensor2d(fx.alignUniform.x);
    expect(await alignment(x, x)).toBeCloseTo(0, 6);
    const one = tf.tensor2d([[1, 2, 3]]);
    expect(await uniformity(one)).toBeNaN();
    tf.dispose([x, one]);
  });
});

describe('alignment / uniformity protocols', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('sts-pairs: alignment on gold > 4 (4.0 excluded), uniformity on all 2N sentences', async () => {
    const e1 = tf.tensor2d(fx.sts.emb1);
    const e2 = tf.tensor2d(fx.sts.emb2);
    const before = tf.memory().numTensors;
    const r = await alignmentUniformityFromSts(e1, e2, fx.sts.scores);
    expect(r.protocol).toBe('sts-pairs');
    expect(r.nPositive).toBe(fx.sts.nPositive); // 4.2, 5.0, 4.8, 4.01, 4.6
    expect(r.nPositive).toBe(5);
    expect(r.nSentences).toBe(24);
    expect(Math.abs(r.alignment - fx.sts.alignment)).toBeLessThan(TOL);
    expect(Math.abs(r.uniformity - fx.sts.uniformity)).toBeLessThan(TOL);

    // The same set rescaled to [0, 1]: the threshold becomes 0.8 and the result is unchanged.
    const scaled = await alignmentUniformityFromSts(e1, e2, fx.sts.scores_0_1, {
      scoreRange: [0, 1],
    });
    expect(scaled.nPositive).toBe(5);
    expect(Math.abs(scaled.alignment - fx.sts.alignment)).toBeLessThan(TOL);
    expect(tf.memory().numTensors).toBe(before);

    // No pair above the threshold: alignment is undefined, uniformity still reported.
    const none = await alignmentUniformityFromSts(e1, e2, fx.sts.scores, { positiveThreshold: 5 });
    expect(none.nPositive).toBe(0);
    expect(none.alignment).toBeNaN();
    expect(Number.isFinite(none.uniformity)).toBe(true);
    await expect(alignmentUniformityFromSts(e1, e2, [1, 2])).rejects.toThrow(/scores/);
    tf.dispose([e1, e2]);
  });

  it('held-out-views: alignment over every pair, uniformity over the first view only', async () => {
    const e1 = tf.tensor2d(fx.sts.emb1);
    const e2 = tf.tensor2d(fx.sts.emb2);
    const r = await alignmentUniformityFromViews(e1, e2);
    expect(r.protocol).toBe('held-out-views');
    expect(r.nPositive).toBe(12);
    expect(r.nSentences).toBe(12);
    expect(Math.abs(r.alignment - fx.views.alignment)).toBeLessThan(TOL);
    expect(Math.abs(r.uniformity - fx.views.uniformity)).toBeLessThan(TOL);
    tf.dispose([e1, e2]);
  });
});
