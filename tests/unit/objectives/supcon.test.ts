import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, scl, supcon } from '../../../src/engine/objectives/index.ts';
import * as tf from '../../../src/engine/tf.ts';

const feats = (n: number, seed: number) =>
  tf.randomNormal([n, 6], 0, 1, 'float32', seed) as tf.Tensor2D;

function valueAndGrad(f: tf.Tensor2D, loss: (x: tf.Tensor2D) => tf.Scalar) {
  const { value, grads } = tf.valueAndGrads((x: tf.Tensor) => loss(x as tf.Tensor2D))([f]);
  const out = { value: value.dataSync()[0]!, grad: Array.from(grads[0]!.dataSync()) };
  tf.dispose([value, ...grads]);
  return out;
}

describe('SupCon edge cases', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('an anchor without positives is skipped: loss and gradient are finite (no NaN)', () => {
    const f = feats(5, 1);
    // label 9 occurs once: anchor 4 has no positive; anchors 0-3 do.
    const { value, grad } = valueAndGrad(f, (x) => supcon(x, [0, 1, 0, 1, 9]));
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(0);
    expect(grad.every(Number.isFinite)).toBe(true);
    // The lone example still acts as a negative for the others, so its row gets a gradient.
    expect(Math.max(...grad.slice(4 * 6).map(Math.abs))).toBeGreaterThan(0);
    f.dispose();
  });

  it('all anchors without positives: loss exactly 0 and gradient exactly 0', () => {
    const f = feats(4, 2);
    const { value, grad } = valueAndGrad(f, (x) => supcon(x, [0, 1, 2, 3]));
    expect(value).toBe(0);
    expect(grad.every((g) => g === 0)).toBe(true);
    const one = feats(1, 3);
    expect(valueAndGrad(one, (x) => supcon(x, [5])).value).toBe(0);
    tf.dispose([f, one]);
  });

  it('stays finite at a tiny τ when an anchor sees only antipodal examples (no exp underflow to log 0)', () => {
    // Anchor 2 has no positive and both others point the opposite way: with a shift by 1/τ its
    // denominator would underflow to 0 at τ = 0.005 and poison the batch with NaN.
    const f = tf.tensor2d([
      [1, 0],
      [1, 0.01],
      [-1, 0],
    ]);
    const { value, grad } = valueAndGrad(f, (x) => supcon(x, [0, 0, 1], { temperature: 0.005 }));
    expect(Number.isFinite(value)).toBe(true);
    expect(grad.every(Number.isFinite)).toBe(true);
    f.dispose();
  });

  it('features are L2-normalised inside: scaling rows does not change the loss (1e-5)', () => {
    const f = feats(6, 4);
    const scale = tf.tensor2d([[0.1], [3], [1], [7], [0.5], [2]]);
    const labels = [0, 0, 1, 1, 2, 2];
    const a = supcon(f, labels).dataSync()[0]!;
    const scaled = tf.mul(f, scale) as tf.Tensor2D;
    const b = supcon(scaled, labels).dataSync()[0]!;
    expect(Math.abs(a - b)).toBeLessThan(1e-5);
    tf.dispose([f, scale, scaled]);
  });

  it('labels may be number[], an int32 tensor or a float32 tensor of integers', () => {
    const f = feats(6, 5);
    const labels = [2, 0, 2, 1, 0, 1];
    const a = supcon(f, labels).dataSync()[0]!;
    const ti = tf.tensor1d(labels, 'int32');
    const tfl = tf.tensor1d(labels, 'float32');
    expect(supcon(f, ti).dataSync()[0]!).toBe(a);
    expect(supcon(f, tfl).dataSync()[0]!).toBe(a);
    expect(() => supcon(f, [0, 1])).toThrow(/6 entries/);
    expect(() => supcon(f, [0, 1, 0, 1, 0, 0.5])).toThrow(/integers/);
    tf.dispose([f, ti, tfl]);
  });

  it('SCL: λ = 0 is cross-entropy, λ = 1 is SupCon (1e-6)', () => {
    const f = feats(6, 6);
    const logits = tf.randomNormal([6, 3], 0, 2, 'float32', 7) as tf.Tensor2D;
    const labels = [0, 1, 2, 0, 1, 2];
    const ce = crossEntropy(logits, labels).dataSync()[0]!;
    const sc = supcon(f, labels, { temperature: 0.3 }).dataSync()[0]!;
    expect(Math.abs(scl(logits, f, labels, { lambda: 0 }).dataSync()[0]! - ce)).toBeLessThan(1e-6);
    expect(Math.abs(scl(logits, f, labels, { lambda: 1 }).dataSync()[0]! - sc)).toBeLessThan(1e-6);
    expect(() => scl(logits, f, labels, { lambda: 1.5 })).toThrow(/lambda/);
    tf.dispose([f, logits]);
  });

  it('leaks no tensor', () => {
    const f = feats(6, 8);
    const before = tf.memory().numTensors;
    valueAndGrad(f, (x) =>
      supcon(
        x,
        tf.tidy(() => tf.tensor1d([0, 0, 1, 1, 2, 3], 'int32')),
      ),
    );
    // The label tensor made inside the closure is tidied by valueAndGrads.
    expect(tf.memory().numTensors).toBe(before);
    f.dispose();
  });
});
