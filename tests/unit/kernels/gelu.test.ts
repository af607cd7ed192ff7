/**
 * The fused GELU (erf) kernels (src/engine/kernels/gelu.ts) on wasm:
 *  - forward and gradient give the same bits as the tf-op sequence they replace on the same
 *    backend (they compute its float32 operations in the same order), on every length's SIMD
 *    tail and on special values (±0, NaN, ±Inf, |x| where erf saturates and e^(−s²) underflows);
 *  - both agree with the stock ops on the cpu backend (another erf: Abramowitz–Stegun 7.1.26)
 *    within 1e-6·(1 + |value|), so neither side is only self-consistent;
 *  - with the own kernels off, geluErf is the tf ops; nothing leaks.
 * (The whole encoder on wasm against PyTorch, GELU included: tests/unit/kernels/attention.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { geluErf, geluOps } from '../../../src/engine/kernels/gelu.ts';
import {
  setWasmKernelsEnabled,
  wasmKernelsReady,
} from '../../../src/engine/kernels/wasmKernels.ts';
import * as tf from '../../../src/engine/tf.ts';
import { onWasmBackend } from '../../helpers/backends.ts';
import { lcgArray as rand } from '../../helpers/random.ts';

onWasmBackend();

const SPECIAL = [
  0, -0, 1e-30, -1e-30, 0.5, -0.5, 3, -3, 5.5, -5.5, 9.3, -9.3, 30, -30, 1e30, -1e30,
];

/** y and dx = ∂(Σ y·dy)/∂x of `f` on the current backend. */
function valueAndGrad(f: (x: tf.Tensor) => tf.Tensor, x: Float32Array, dy: Float32Array) {
  return tf.tidy(() => {
    const xt = tf.tensor1d(x);
    const dyt = tf.tensor1d(dy);
    const y = f(xt);
    const dx = tf.grad((t: tf.Tensor) => f(t))(xt, dyt);
    return {
      y: (y.dataSync() as Float32Array).slice(),
      dx: (dx.dataSync() as Float32Array).slice(),
    };
  });
}

const same = (a: Float32Array, b: Float32Array) =>
  expect(Array.from(a, (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v))).toEqual(
    Array.from(b, (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v)),
  );

describe('fused GELU (erf) on wasm', () => {
  it('runs the own kernels here: one forward and one gradient kernel', async () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmKernelsReady()).toBe(true);
    const x = rand(8, 1, 2);
    const info = await tf.profile(() => {
      valueAndGrad(geluErf, x, x);
      return [] as unknown as tf.Tensor;
    });
    const names = info.kernels.map((k) => k.name).filter((n) => tf.getKernel(n, 'wasm'));
    expect(names.filter((n) => n === 'CplayGelu')).toHaveLength(2); // the value, and under grad
    expect(names.filter((n) => n === 'CplayGeluGrad')).toHaveLength(1);
    expect(names).not.toContain('Erf');
  });

  for (const n of [1, 3, 4, 5, 17, 1024 + 3]) {
    it(`forward and gradient: the same bits as the tf ops (n = ${n})`, () => {
      const x = rand(n, n, 6);
      const dy = rand(n, n + 99, 2);
      const fused = valueAndGrad(geluErf, x, dy);
      const ops = valueAndGrad(geluOps, x, dy);
      same(fused.y, ops.y);
      same(fused.dx, ops.dx);
    });
  }

  it('special values: ±0, tiny, saturated erf, underflowing e^(−s²), ±Inf, NaN — the same bits', () => {
    const x = Float32Array.from([
      ...SPECIAL,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
    ]);
    const dy = Float32Array.from(x, (_, i) => (i % 3) - 1.25);
    const fused = valueAndGrad(geluErf, x, dy);
    const ops = valueAndGrad(geluOps, x, dy);
    same(fused.y, ops.y);
    same(fused.dx, ops.dx);
    expect(fused.y[SPECIAL.length + 2]).toBeNaN();
    expect(fused.y[6]).toBeCloseTo(3 * 0.99865, 4); // GELU(3) = 3·Φ(3)
    expect(fused.y[13]).toBeCloseTo(0, 6); // GELU(−30) underflows to (−)0
  });

  it('agrees with the stock ops on the cpu backend within 1e-6·(1 + |value|)', async () => {
    const x = rand(4099, 7, 8);
    const dy = rand(4099, 8, 3);
    const fused = valueAndGrad(geluErf, x, dy);
    await tf.setBackend('cpu');
    const cpu = valueAndGrad(geluOps, x, dy);
    await tf.setBackend('wasm');
    for (const [a, b] of [
      [fused.y, cpu.y],
      [fused.dx, cpu.dx],
    ] as const)
      for (let i = 0; i < a.length; i++)
        expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(b[i]!)));
  });

  it('with the own kernels off it is the tf ops; no tensor leaks', () => {
    const x = rand(33, 3, 4);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) valueAndGrad(geluErf, x, x);
    expect(tf.memory().numTensors).toBe(before);
    setWasmKernelsEnabled(false);
    try {
      const off = valueAndGrad(geluErf, x, x);
      const ops = valueAndGrad(geluOps, x, x);
      same(off.y, ops.y);
      same(off.dx, ops.dx);
    } finally {
      setWasmKernelsEnabled(true);
    }
  });
});
