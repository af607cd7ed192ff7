import { beforeAll, describe, expect, it } from 'vitest';
import {
  simcseSup,
  simcseSupLogits,
  simcseUnsup,
  simcseUnsupLogits,
} from '../../../src/engine/objectives/index.ts';
import * as tf from '../../../src/engine/tf.ts';

function batch(n: number, d: number, seed: number) {
  const z1 = tf.randomNormal([n, d], 0, 1, 'float32', seed) as tf.Tensor2D;
  const z2 = tf.randomNormal([n, d], 0, 1, 'float32', seed + 1) as tf.Tensor2D;
  const z3 = tf.randomNormal([n, d], 0, 1, 'float32', seed + 2) as tf.Tensor2D;
  return { z1, z2, z3 };
}

describe('supervised SimCSE hardNegativeWeight', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('adds log α only at (i, N+i), after dividing by τ, for any τ (diff exact to 1e-6)', () => {
    const n = 4;
    const { z1, z2, z3 } = batch(n, 8, 3);
    for (const temperature of [0.05, 0.5]) {
      const w = 1.7;
      const base = simcseSupLogits(z1, z2, z3, { temperature });
      const weighted = simcseSupLogits(z1, z2, z3, { temperature, hardNegativeWeight: w });
      expect(base.shape).toEqual([n, 2 * n]);
      const diff = tf.sub(weighted, base).arraySync() as number[][];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 2 * n; j++) {
          // Row i's own hard negative is column N+i; every other entry (its positive,
          // in-batch negatives and OTHER rows' hard negatives) is untouched.
          const expected = j === n + i ? w : 0;
          expect(Math.abs(diff[i]![j]! - expected), `(${i}, ${j}) τ=${temperature}`).toBeLessThan(
            1e-6,
          );
        }
      }
      tf.dispose([base, weighted]);
    }
    tf.dispose([z1, z2, z3]);
  });

  it('a positive weight makes the loss larger (the hard negative counts more), a negative one smaller', () => {
    const { z1, z2, z3 } = batch(6, 8, 11);
    const at = (w: number) => simcseSup(z1, z2, z3, { hardNegativeWeight: w }).dataSync()[0]!;
    expect(at(1)).toBeGreaterThan(at(0));
    expect(at(-1)).toBeLessThan(at(0));
    tf.dispose([z1, z2, z3]);
  });

  it('rejects a non-finite weight and a bad temperature', () => {
    const { z1, z2, z3 } = batch(2, 4, 1);
    expect(() => simcseSup(z1, z2, z3, { hardNegativeWeight: Number.NaN })).toThrow(/finite/);
    expect(() => simcseSup(z1, z2, z3, { temperature: 0 })).toThrow(/temperature/);
    tf.dispose([z1, z2, z3]);
  });
});

describe('unsupervised SimCSE', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('logits are cos(z1_i, z2_j)/τ: scaling a view changes nothing; the diagonal of [x, x] is 1/τ', () => {
    const { z1 } = batch(5, 8, 21);
    const z1x3 = tf.mul(z1, 3) as tf.Tensor2D;
    const scaled = simcseUnsupLogits(z1, z1x3, 0.05).arraySync() as number[][];
    const same = simcseUnsupLogits(z1, z1, 0.05).arraySync() as number[][];
    for (let i = 0; i < 5; i++) {
      expect(scaled[i]![i]!).toBeCloseTo(20, 4); // cos = 1, τ = 0.05
      for (let j = 0; j < 5; j++)
        expect(Math.abs(scaled[i]![j]! - same[i]![j]!)).toBeLessThan(1e-5);
      for (let j = 0; j < 5; j++) if (j !== i) expect(Math.abs(scaled[i]![j]!)).toBeLessThan(20);
    }
    tf.dispose([z1, z1x3]);
  });

  it('symmetric = ½(ℓ(z1→z2) + ℓ(z2→z1)) (1e-6)', () => {
    const { z1, z2 } = batch(6, 8, 31);
    const sym = simcseUnsup(z1, z2, { symmetric: true }).dataSync()[0]!;
    const a = simcseUnsup(z1, z2).dataSync()[0]!;
    const b = simcseUnsup(z2, z1).dataSync()[0]!;
    expect(a).not.toBeCloseTo(b, 3); // the two directions really differ on this batch
    expect(Math.abs(sym - 0.5 * (a + b))).toBeLessThan(1e-6);
    tf.dispose([z1, z2]);
  });

  it('queue rows only add negatives: the loss grows, and an empty queue is the plain loss', () => {
    const { z1, z2, z3 } = batch(4, 8, 41);
    const plain = simcseUnsup(z1, z2).dataSync()[0]!;
    const withQueue = simcseUnsup(z1, z2, { queue: z3 }).dataSync()[0]!;
    const empty = tf.zeros([0, 8]) as tf.Tensor2D;
    expect(withQueue).toBeGreaterThan(plain);
    expect(simcseUnsup(z1, z2, { queue: empty }).dataSync()[0]!).toBeCloseTo(plain, 6);
    expect(simcseUnsupLogits(z1, z2, 0.05, z3).shape).toEqual([4, 8]);
    tf.dispose([z1, z2, z3, empty]);
  });

  it('trains through tf.variableGrads and leaks no tensor', () => {
    const { z1, z2 } = batch(4, 8, 51);
    const v1 = tf.variable(z1);
    const v2 = tf.variable(z2);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => simcseUnsup(v1, v2, { symmetric: true }),
      [v1, v2],
    );
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    expect(Object.keys(grads)).toHaveLength(2);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z1, z2, v1, v2]);
  });

  it('rejects mismatched views', () => {
    const a = tf.zeros([3, 4]) as tf.Tensor2D;
    const b = tf.zeros([3, 5]) as tf.Tensor2D;
    expect(() => simcseUnsup(a, b)).toThrow(/shapes differ/);
    tf.dispose([a, b]);
  });
});
