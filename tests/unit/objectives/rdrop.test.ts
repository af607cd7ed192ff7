import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, mse, rdrop, rdropRegression } from '../../../src/engine/objectives/index.ts';
import * as tf from '../../../src/engine/tf.ts';

describe('R-Drop properties', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('identical passes: the KL term is 0 and the loss is the cross-entropy (1e-6)', () => {
    const logits = tf.randomNormal([5, 4], 0, 2, 'float32', 1) as tf.Tensor2D;
    const labels = [0, 1, 2, 3, 0];
    const ce = crossEntropy(logits, labels).dataSync()[0]!;
    expect(Math.abs(rdrop(logits, logits, labels, { alpha: 5 }).dataSync()[0]! - ce)).toBeLessThan(
      1e-6,
    );
    logits.dispose();
  });

  it('α = 0 gives the mean of the two cross-entropies; the KL term is symmetric in the passes', () => {
    const l1 = tf.randomNormal([5, 3], 0, 2, 'float32', 2) as tf.Tensor2D;
    const l2 = tf.randomNormal([5, 3], 0, 2, 'float32', 3) as tf.Tensor2D;
    const labels = [0, 1, 2, 1, 0];
    const mean =
      0.5 * (crossEntropy(l1, labels).dataSync()[0]! + crossEntropy(l2, labels).dataSync()[0]!);
    expect(Math.abs(rdrop(l1, l2, labels, { alpha: 0 }).dataSync()[0]! - mean)).toBeLessThan(1e-6);
    const a = rdrop(l1, l2, labels).dataSync()[0]!;
    const b = rdrop(l2, l1, labels).dataSync()[0]!;
    expect(a).toBeGreaterThan(mean);
    expect(Math.abs(a - b)).toBeLessThan(1e-6);
    expect(() => rdrop(l1, l2, labels, { alpha: -1 })).toThrow(/alpha/);
    expect(() => rdrop(l1, l2, [0, 1, 3, 1, 0])).toThrow(/\[0, 3\)/); // class 3 of 3
    tf.dispose([l1, l2]);
  });

  it('regression accepts [N] and [N, 1] predictions alike', () => {
    const p1 = tf.tensor1d([0.5, 2, 3.5]);
    const p2 = tf.tensor1d([1, 2.5, 3]);
    const y = tf.tensor1d([1, 2, 3]);
    const a = rdropRegression(p1, p2, y, { alpha: 2 }).dataSync()[0]!;
    const p1c = p1.reshape([3, 1]);
    const p2c = p2.reshape([3, 1]);
    const b = rdropRegression(p1c, p2c, y, { alpha: 2 }).dataSync()[0]!;
    // ½((0.25+0+0.25)/3 + (0+0.25+0)/3) + 2·(0.25+0.25+0.25)/3 = 0.125 + 0.5
    expect(a).toBeCloseTo(0.625, 6);
    expect(b).toBeCloseTo(0.625, 6);
    expect(() => mse(p1, tf.zeros([4]))).toThrow(/elements/);
    tf.dispose([p1, p2, y, p1c, p2c]);
  });
});
