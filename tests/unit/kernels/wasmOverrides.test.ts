import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  setWasmKernelsEnabled,
  wasmKernelsReady,
} from '../../../src/engine/kernels/wasmKernels.ts';
import * as tf from '../../../src/engine/tf.ts';
import { useNodeWasmBackend } from '../../helpers/backends.ts';

/**
 * The own Identity, GatherV2, Tile, Exp and Erf bodies installed over tfjs-backend-wasm's
 * (wasmOverrides.ts) against the stock kernels (the same backend with the own kernels disabled),
 * on random inputs and dense sweeps.
 */
interface WasmBackendLike {
  getMemoryOffset(dataId: object): number;
}
const offsetOf = (t: tf.Tensor) =>
  (tf.backend() as unknown as WasmBackendLike).getMemoryOffset(t.dataId);

describe('wasm Identity, GatherV2, Tile, Exp and Erf overrides', () => {
  let restore: () => Promise<void>;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    restore = await useNodeWasmBackend();
    expect(wasmKernelsReady()).toBe(true); // installs the overrides
  });
  afterAll(async () => {
    setWasmKernelsEnabled(true);
    await restore();
  });

  it('Identity shares the data (no copy) and the clone outlives its source; stock copies', () => {
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([64, 9], 0, 1, 'float32', 1);
    const want = [...x.dataSync()];
    const c = tf.clone(x);
    expect(offsetOf(c)).toBe(offsetOf(x));
    x.dispose();
    expect([...c.dataSync()]).toEqual(want);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);

    setWasmKernelsEnabled(false);
    const y = tf.randomNormal([4, 4], 0, 1, 'float32', 2);
    const d = tf.clone(y);
    expect(offsetOf(d)).not.toBe(offsetOf(y));
    expect([...d.dataSync()]).toEqual([...y.dataSync()]);
    setWasmKernelsEnabled(true);
    tf.dispose([y, d]);
  });

  it('gradients through saved (shared) tensors equal the stock copies', () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.randomNormal([5, 7], 0, 1, 'float32', 3);
        return tf.grad((t: tf.Tensor) => tf.sum(tf.tanh(t).mul(t).mul(tf.sigmoid(t))))(x);
      });
    const ours = run();
    setWasmKernelsEnabled(false);
    const stock = run();
    setWasmKernelsEnabled(true);
    expect([...ours.dataSync()]).toEqual([...stock.dataSync()]);
    tf.dispose([ours, stock]);
  });

  const cases: [string, number[], number[], number, tf.DataType][] = [
    ['embedding rows [30, 16] by [4, 6] ids', [30, 16], [4, 6], 0, 'float32'],
    ['a 1-D table', [50], [17], 0, 'float32'],
    ['a 3-D table', [12, 3, 5], [2, 9], 0, 'float32'],
    ['an int32 table', [20, 4], [11], 0, 'int32'],
    ['axis 1 (the stock path)', [6, 10], [3], 1, 'float32'],
    ['axis -1 (the stock path)', [6, 10], [4], -1, 'float32'],
  ];
  for (const [what, shape, idShape, axis, dtype] of cases) {
    it(`GatherV2 equals the stock kernel bit for bit: ${what}`, () => {
      const run = () =>
        tf.tidy(() => {
          const table = tf.randomNormal(shape, 0, 100, 'float32', 4).cast(dtype);
          const dim = shape[axis < 0 ? axis + shape.length : axis]!;
          // Random ids with repeats, the first and the last row included.
          const ids = tf
            .randomUniform(idShape, 0, dim, 'float32', 5)
            .floor()
            .cast('int32')
            .reshape([-1])
            .concat(tf.tensor1d([0, dim - 1], 'int32'))
            .slice(2)
            .reshape(idShape);
          return tf.gather(table, ids, axis);
        });
      const ours = run();
      setWasmKernelsEnabled(false);
      const stock = run();
      setWasmKernelsEnabled(true);
      expect(ours.shape).toEqual(stock.shape);
      expect(ours.dtype).toBe(dtype);
      expect([...ours.dataSync()]).toEqual([...stock.dataSync()]);
      tf.dispose([ours, stock]);
    });
  }

  /** x over [lo, hi] (a dense sweep plus the special values), through f with and without ours. */
  function unaryBoth(f: (x: tf.Tensor) => tf.Tensor, lo: number, hi: number) {
    const n = 100_003; // not a multiple of 4: the scalar tail runs too
    const xs = new Float32Array(n + 6);
    for (let i = 0; i < n; i++) xs[i] = lo + ((hi - lo) * i) / (n - 1);
    xs.set([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1e-30], n);
    const x = tf.tensor1d(xs);
    const ours = f(x).dataSync();
    setWasmKernelsEnabled(false);
    const stock = f(x).dataSync();
    setWasmKernelsEnabled(true);
    x.dispose();
    return { xs, ours, stock };
  }

  it('Exp is within 2 ulp (relative 2.4e-7) of the stock expf, with its inf / 0 / NaN', () => {
    for (const [lo, hi] of [
      [-110, 90],
      [-3, 3],
    ] as const) {
      const { xs, ours, stock } = unaryBoth(tf.exp, lo, hi);
      let worst = 0;
      for (let i = 0; i < xs.length; i++) {
        const [a, b] = [ours[i]!, stock[i]!];
        if (!Number.isFinite(b) || Math.abs(b) < 1e-37) {
          // inf, NaN, and underflow (stock may keep a denormal where we give 0)
          if (Number.isNaN(b)) expect(a).toBeNaN();
          else if (Number.isFinite(b)) expect(Math.abs(a - b)).toBeLessThan(1.2e-38);
          else expect(a).toBe(b);
        } else worst = Math.max(worst, Math.abs(a - b) / Math.abs(b));
      }
      expect(worst).toBeLessThan(2.4e-7);
    }
  });

  it('Erf is within 5e-7 of the stock erff (odd, ±1 in the tails, NaN kept)', () => {
    for (const [lo, hi] of [
      [-7, 7],
      [-0.05, 0.05],
    ] as const) {
      const { xs, ours, stock } = unaryBoth(tf.erf, lo, hi);
      let worst = 0;
      for (let i = 0; i < xs.length; i++) {
        if (Number.isNaN(stock[i]!)) expect(ours[i]).toBeNaN();
        else worst = Math.max(worst, Math.abs(ours[i]! - stock[i]!));
      }
      expect(worst).toBeLessThan(5e-7);
      // Relative near 0 (erf(x) ≈ 1.128·x): within 5 ulp there.
      const small = xs.findIndex((x) => x > 0.001);
      expect(Math.abs(ours[small]! / stock[small]! - 1)).toBeLessThan(6e-7);
    }
  });

  it('exact GELU and its gradient (erf, and exp in erf’s gradient) within 1e-6 of the stock kernels', () => {
    const gelu = (t: tf.Tensor) => t.mul(0.5).mul(tf.erf(t.mul(Math.SQRT1_2)).add(1));
    const run = () =>
      tf.tidy(() => {
        const x = tf.randomNormal([4099], 0, 3, 'float32', 9);
        return [gelu(x), tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(x)];
      });
    const ours = run();
    setWasmKernelsEnabled(false);
    const stock = run();
    setWasmKernelsEnabled(true);
    for (let i = 0; i < 2; i++) {
      const d = tf.max(tf.abs(tf.sub(ours[i]!, stock[i]!))).dataSync()[0]!;
      expect(d).toBeLessThan(1e-6);
    }
    tf.dispose([...ours, ...stock]);
  });

  const tiles: [number[], number[], tf.DataType][] = [
    [[16, 8, 1], [1, 1, 32], 'float32'], // LayerNorm's mean gradient, broadcast over H
    [[1, 1, 16], [6, 5, 1], 'float32'], // a bias gradient, broadcast over [B, L]
    [[3, 4, 5], [2, 3, 2], 'float32'],
    [[7], [5], 'int32'],
    [[2, 1, 3, 1], [1, 4, 1, 3], 'bool'],
    [[4, 6], [1, 1], 'float32'],
  ];
  for (const [shape, reps, dtype] of tiles) {
    it(`Tile equals the stock kernel bit for bit: [${shape}] × reps [${reps}] (${dtype})`, () => {
      const run = () =>
        tf.tidy(() => {
          const x = tf.randomNormal(shape, 0, 10, 'float32', 6);
          const typed = dtype === 'bool' ? x.greater(0) : x.cast(dtype);
          return tf.tile(typed, reps);
        });
      const ours = run();
      setWasmKernelsEnabled(false);
      const stock = run();
      setWasmKernelsEnabled(true);
      expect(ours.shape).toEqual(shape.map((d, i) => d * reps[i]!));
      expect(ours.dtype).toBe(dtype);
      expect([...ours.dataSync()]).toEqual([...stock.dataSync()]);
      tf.dispose([ours, stock]);
    });
  }

  it('GatherV2 rejects an out-of-range id as the stock kernel does', () => {
    const table = tf.zeros([5, 3]);
    const ids = tf.tensor1d([1, 5], 'int32');
    expect(() => tf.gather(table, ids)).toThrow(/index value 5 is not in \[0, 4\]/);
    setWasmKernelsEnabled(false);
    expect(() => tf.gather(table, ids)).toThrow(/index value 5 is not in \[0, 4\]/);
    setWasmKernelsEnabled(true);
    tf.dispose([table, ids]);
  });
});
