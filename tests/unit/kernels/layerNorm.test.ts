/**
 * The fused LayerNorm kernels (src/engine/kernels/layerNorm.ts) on wasm against the tf ops they
 * replace (layers.ts's definition, PyTorch's: biased variance, eps inside the square root):
 *  - the output and ∂x agree within 1e-6·(1 + |value|) with the tf ops on the same backend and on
 *    cpu, at the encoder's shape and on SIMD tails (H = 13, H = 1); ∂γ and ∂β, float32 sums over
 *    every row (2,048 here), within 3e-5 (the stock wasm and cpu ops differ from each other by
 *    1.2e-5 there: each sums in its own order);
 *  - a constant row (variance 0) gives β, a NaN row gives NaN there and nowhere else in y;
 *  - one kernel each way and no Sum/Mean on the tape; nothing leaks.
 * (The whole encoder on wasm against PyTorch, LayerNorm included: tests/unit/kernels/attention.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { layerNorm, layerNormOps } from '../../../src/engine/kernels/layerNorm.ts';
import { wasmKernelsReady } from '../../../src/engine/kernels/wasmKernels.ts';
import * as tf from '../../../src/engine/tf.ts';
import { onWasmBackend } from '../../helpers/backends.ts';
import { lcgArray as rand } from '../../helpers/random.ts';

onWasmBackend();

type Ln = typeof layerNorm;
/** y and the gradients of Σ y·dy w.r.t. x, γ, β. */
function run(f: Ln, shape: number[], x: Float32Array, dy: Float32Array, eps: number) {
  const H = shape[shape.length - 1]!;
  return tf.tidy(() => {
    const xt = tf.tensor(x, shape);
    const w = tf.tensor1d(rand(H, 5, 0.5, 1));
    const b = tf.tensor1d(rand(H, 6, 0.3));
    const dyt = tf.tensor(dy, shape);
    const y = f(xt, w, b, eps);
    const [dx, dw, db] = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => f(a, c, d, eps))(
      [xt, w, b],
      dyt,
    );
    const read = (t: tf.Tensor) => (t.dataSync() as Float32Array).slice();
    return { y: read(y), dx: read(dx!), dw: read(dw!), db: read(db!), b: read(b) };
  });
}

function close(a: Float32Array, b: Float32Array, tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  expect(worst).toBeLessThanOrEqual(tol);
}

const SHAPES: [number[], number][] = [
  [[64, 32, 128], 1e-12], // bert-tiny's [B, L, H] at a half batch, BERT's eps
  [[3, 5, 13], 1e-5], // H past the four lanes
  [[7, 1], 1e-5], // H = 1: every row is constant
];

describe('fused LayerNorm on wasm', () => {
  it('runs the own kernels here: one each way, no Sum or Mean', async () => {
    expect(wasmKernelsReady()).toBe(true);
    const x = rand(4 * 8, 1, 2);
    const info = await tf.profile(() => {
      run(layerNorm, [4, 8], x, x, 1e-5);
      return [] as unknown as tf.Tensor;
    });
    const names = info.kernels.map((k) => k.name).filter((n) => tf.getKernel(n, 'wasm'));
    expect(names.filter((n) => n === 'CplayLayerNorm')).toHaveLength(2); // the value, and under grads
    expect(names.filter((n) => n === 'CplayLayerNormGrad')).toHaveLength(1);
    expect(names).not.toContain('Sum');
    expect(names).not.toContain('Mean');
  });

  for (const [shape, eps] of SHAPES) {
    it(`y, ∂x, ∂γ, ∂β agree with the tf ops on wasm and on cpu ([${shape}], eps ${eps})`, async () => {
      const n = shape.reduce((a, d) => a * d, 1);
      const x = rand(n, n, 3, 0.7);
      const dy = rand(n, n + 1, 1);
      const fused = run(layerNorm, shape, x, dy, eps);
      const ops = run(layerNormOps, shape, x, dy, eps);
      await tf.setBackend('cpu');
      const cpu = run(layerNormOps, shape, x, dy, eps);
      await tf.setBackend('wasm');
      for (const ref of [ops, cpu]) {
        close(fused.y, ref.y, 1e-6);
        close(fused.dx, ref.dx, 1e-6);
        close(fused.dw, ref.dw, 3e-5);
        close(fused.db, ref.db, 3e-5);
      }
      if (shape[shape.length - 1] === 1) {
        // A constant row normalises to 0: y is β, and x gets no gradient.
        for (let i = 0; i < n; i++) expect(fused.y[i]).toBe(fused.b[0]);
        for (const v of fused.dx) expect(v).toBe(0);
      }
    });
  }

  it('a NaN in one row makes that row NaN and leaves the others; nothing leaks', () => {
    const x = rand(3 * 8, 2, 1);
    x[9] = Number.NaN; // row 1
    const before = tf.memory().numTensors;
    const fused = run(layerNorm, [3, 8], x, x, 1e-5);
    expect(tf.memory().numTensors).toBe(before);
    const ops = run(layerNormOps, [3, 8], x, x, 1e-5);
    for (let i = 0; i < 24; i++) {
      expect(Number.isNaN(fused.y[i]!)).toBe(i >= 8 && i < 16);
      if (i < 8 || i >= 16) expect(Math.abs(fused.y[i]! - ops.y[i]!)).toBeLessThan(1e-5);
    }
  });
});
