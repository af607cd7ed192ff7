import { beforeAll, describe, expect, it } from 'vitest';
import { cosineMatrix } from '../../../src/engine/metrics/cosineMatrix.ts';
import * as tf from '../../../src/engine/tf.ts';
import { readFixture } from '../objectives/golden.ts';

/** Golden matrix: F.cosine_similarity(a[:, None], b[None], dim=-1) in float64. */
const fx = readFixture<{ cosineMatrix: { a: number[][]; b: number[][]; matrix: number[][] } }>(
  'metrics.json',
).cosineMatrix;

describe('cosineMatrix', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches PyTorch cosine similarities (1e-6), N×M plain numbers, no leak', async () => {
    const a = tf.tensor2d(fx.a);
    const b = tf.tensor2d(fx.b);
    const before = tf.memory().numTensors;
    const m = await cosineMatrix(a, b);
    expect(tf.memory().numTensors).toBe(before);
    expect(m).toHaveLength(5);
    for (let i = 0; i < 5; i++) {
      expect(m[i]).toHaveLength(4);
      for (let j = 0; j < 4; j++) {
        expect(Math.abs(m[i]![j]! - fx.matrix[i]![j]!)).toBeLessThan(1e-6);
      }
    }
    tf.dispose([a, b]);
  });

  it('a zero row gives 0, not NaN; width mismatch throws', async () => {
    const a = tf.tensor2d([
      [0, 0],
      [1, 0],
    ]);
    const b = tf.tensor2d([[0, 2]]);
    expect(await cosineMatrix(a, b)).toEqual([[0], [0]]);
    const c = tf.tensor2d([[1, 2, 3]]);
    await expect(cosineMatrix(a, c)).rejects.toThrow(/widths/);
    tf.dispose([a, b, c]);
  });
});
