/**
 * The optimiser's own WASM kernels (src/engine/kernels/wasmOptimKernels.ts) against the stock
 * TF.js ops they replace, on the same wasm backend:
 *  - the fused Adam / AdamW update gives the same bits as optim/adam.ts's tf-op sequence (the same
 *    float32 operations in the same order), for Adam with L2 decay, AdamW with decoupled decay,
 *    no decay, a clipping scale ≠ 1, several steps (bias corrections), and sizes with SIMD tails;
 *  - the float64 2-norm is √Σx² computed here in float64, rounded once to float32 (exact to
 *    float32 rounding: tolerance 1 ulp relative, 1.2e-7).
 * (Against torch: tests/unit/train/optim/optimizer.test.ts runs the torch fixtures on wasm too.)
 */
import { describe, expect, it } from 'vitest';
import {
  setWasmKernelsEnabled,
  wasmKernelsReady,
} from '../../../src/engine/kernels/wasmKernels.ts';
import { fusedNorm2 } from '../../../src/engine/kernels/wasmOptimKernels.ts';
import * as tf from '../../../src/engine/tf.ts';
import { globalNorm } from '../../../src/engine/train/optim/clip.ts';
import {
  createOptimizer,
  type OptimizerConfig,
} from '../../../src/engine/train/optim/optimizer.ts';
import { onWasmBackend } from '../../helpers/backends.ts';
import { lcgArray as rand } from '../../helpers/random.ts';

onWasmBackend();

// Sizes: a matrix (multiple of 4), a bias with a 3-element tail, a single weight.
const SHAPES: Record<string, number[]> = {
  'encoder.dense.weight': [8, 6],
  'encoder.dense.bias': [7],
  'encoder.LayerNorm.weight': [1],
};

/** Runs 4 updates with the given gradient scales; returns every parameter and slot. */
async function run(cfg: OptimizerConfig, fused: boolean, scales: number[]) {
  setWasmKernelsEnabled(fused);
  const vars = new Map(
    Object.entries(SHAPES).map(([n, s], i) => [
      n,
      tf.variable(
        tf.tensor(
          rand(
            s.reduce((a, d) => a * d, 1),
            10 + i,
          ),
          s,
        ),
        true,
      ),
    ]),
  );
  const opt = createOptimizer(cfg);
  scales.forEach((scale, k) => {
    const grads = new Map(
      Object.entries(SHAPES).map(([n, s], i) => [
        n,
        tf.tensor(
          rand(
            s.reduce((a, d) => a * d, 1),
            100 * k + i,
            0.5,
          ),
          s,
        ),
      ]),
    );
    opt.apply(vars, grads, 1e-2 * (k + 1), scale);
    for (const g of grads.values()) g.dispose();
  });
  const params = Object.fromEntries([...vars].map(([n, v]) => [n, Array.from(v.dataSync())]));
  const state = await opt.getState();
  opt.dispose();
  for (const v of vars.values()) v.dispose();
  setWasmKernelsEnabled(true);
  return { params, state };
}

describe('the fused Adam / AdamW update on wasm', () => {
  it('runs here (the own module instantiated on the Node wasm backend)', () => {
    expect(wasmKernelsReady()).toBe(true);
  });

  const configs: [string, OptimizerConfig][] = [
    ['adamw, decay 0.01 on weights only', { kind: 'adamw', weightDecay: 0.01 }],
    ['adam, L2 decay 0.1', { kind: 'adam', weightDecay: 0.1 }],
    ['adamw, no decay, eps 1e-6', { kind: 'adamw', weightDecay: 0, eps: 1e-6 }],
    ['adam, betas (0.8, 0.9)', { kind: 'adam', betas: [0.8, 0.9] }],
  ];
  for (const [what, cfg] of configs) {
    it(`${what}: 4 updates (gradient scales 1, 0.37, 1, 0) give the stock ops' bits`, async () => {
      const scales = [1, 0.37, 1, 0];
      const fused = await run(cfg, true, scales);
      const stock = await run(cfg, false, scales);
      expect(fused.params).toEqual(stock.params);
      expect(fused.state).toEqual(stock.state);
      // The updates moved the parameters (a no-op kernel cannot pass).
      const plain = await run(cfg, false, [0, 0, 0, 0]);
      expect(fused.params).not.toEqual(plain.params);
    });
  }

  it('a gradient scale s equals the gradients multiplied by s beforehand', async () => {
    const cfg: OptimizerConfig = { kind: 'adamw' };
    const scaled = await run(cfg, true, [0.5, 0.5, 0.5, 0.5]);
    // Same run by hand: gradients halved, scale 1 (0.5 is exact in float32, so the bits agree).
    setWasmKernelsEnabled(true);
    const vars = new Map(
      Object.entries(SHAPES).map(([n, s], i) => [
        n,
        tf.variable(
          tf.tensor(
            rand(
              s.reduce((a, d) => a * d, 1),
              10 + i,
            ),
            s,
          ),
          true,
        ),
      ]),
    );
    const opt = createOptimizer(cfg);
    for (let k = 0; k < 4; k++) {
      const grads = new Map(
        Object.entries(SHAPES).map(([n, s], i) => [
          n,
          tf
            .tensor(
              rand(
                s.reduce((a, d) => a * d, 1),
                100 * k + i,
                0.5,
              ),
              s,
            )
            .mul(0.5),
        ]),
      );
      opt.apply(vars, grads, 1e-2 * (k + 1));
      for (const g of grads.values()) g.dispose();
    }
    const params = Object.fromEntries([...vars].map(([n, v]) => [n, Array.from(v.dataSync())]));
    expect(scaled.params).toEqual(params);
    opt.dispose();
    for (const v of vars.values()) v.dispose();
  });

  it('leaves the tensor count flat over 50 updates', () => {
    const v = tf.variable(tf.tensor(rand(1001, 3), [1001]), true);
    const vars = new Map([['w', v]]);
    const opt = createOptimizer({ kind: 'adamw' });
    const g = tf.tensor(rand(1001, 4), [1001]);
    opt.apply(vars, new Map([['w', g]]), 1e-3, 0.5); // creates the slots
    const base = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) opt.apply(vars, new Map([['w', g]]), 1e-3, 0.5);
    expect(tf.memory().numTensors).toBe(base);
    g.dispose();
    v.dispose();
    opt.dispose();
  });
});

describe('the float64 2-norm on wasm', () => {
  for (const n of [1, 3, 4, 1001, 200_003]) {
    it(`n = ${n}: √Σx² in float64, to one float32 rounding`, () => {
      const x = rand(n, n, 3);
      let ss = 0;
      for (const v of x) ss += v * v;
      const want = Math.fround(Math.sqrt(ss));
      const t = tf.tensor(x);
      const got = fusedNorm2(t)!;
      expect(got.rank).toBe(0);
      const value = got.dataSync()[0]!;
      expect(Math.abs(value - want) / want).toBeLessThanOrEqual(1.2e-7);
      got.dispose();
      t.dispose();
    });
  }

  it('NaN and ±Inf propagate (the divergence check reads the norm)', () => {
    const nan = tf.tensor1d([1, Number.NaN, 2, 3, 4]);
    const inf = tf.tensor1d([1, 2, Number.NEGATIVE_INFINITY]);
    const a = globalNorm([nan]);
    const b = globalNorm([inf]);
    expect(Number.isNaN(a.dataSync()[0])).toBe(true);
    expect(b.dataSync()[0]).toBe(Number.POSITIVE_INFINITY);
    for (const t of [nan, inf, a, b]) t.dispose();
  });

  it('globalNorm with the kernel equals globalNorm with the stock ops (float32 rounding)', () => {
    const gs = [tf.tensor(rand(4096, 1)), tf.tensor(rand(129, 2)), tf.tensor(rand(3, 3))];
    const fused = globalNorm(gs).dataSync()[0]!;
    setWasmKernelsEnabled(false);
    const stock = globalNorm(gs).dataSync()[0]!;
    setWasmKernelsEnabled(true);
    expect(Math.abs(fused - stock) / stock).toBeLessThanOrEqual(1e-6);
    for (const g of gs) g.dispose();
  });
});
