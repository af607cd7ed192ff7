import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WASM_KERNELS_PLAIN, WASM_KERNELS_SHARED } from '../../../src/engine/kernels/wasmBinary.ts';
import {
  headsPV,
  headsQKt,
  transpose2D,
  wasmKernelsReady,
} from '../../../src/engine/kernels/wasmKernels.ts';
import * as tf from '../../../src/engine/tf.ts';
import { useNodeWasmBackend } from '../../helpers/backends.ts';

/**
 * The own WASM kernels against the stock TF.js ops they replace, on random inputs, forward and
 * gradient. The stock references run on the same wasm backend (its naive loops) and on cpu.
 * Tolerance: 2e-5 · (1 + |value|) — the kernels sum in another order than the stock loops
 * (4-lane partial sums), so results agree to float rounding, not bit for bit.
 */
const TOL = 2e-5;

/** [B, L, H] → [B, nh, L, dh], the stock head split. */
const split = (t: tf.Tensor, heads: number) => {
  const [B, L, H] = t.shape as [number, number, number];
  return t.reshape([B, L, heads, H / heads]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
};
const merge = (t: tf.Tensor) => {
  const [B, nh, L, dh] = t.shape as [number, number, number, number];
  return t.transpose([0, 2, 1, 3]).reshape([B, L, nh * dh]);
};

/** Stock: out[n,h,i,j] = alpha·Σ_d a_h[i,d]·b_h[j,d]. */
const stockQKt = (a: tf.Tensor, b: tf.Tensor, heads: number, alpha: number) =>
  tf.matMul(split(a, heads), split(b, heads), false, true).mul(alpha);
/** Stock: merge(alpha·P'·v_h), P' = p or pᵀ per head. */
const stockPV = (p: tf.Tensor, v: tf.Tensor, heads: number, transP: boolean, alpha: number) =>
  merge(tf.matMul(p, split(v, heads), transP, false).mul(alpha));

interface Case {
  B: number;
  La: number;
  Lb: number;
  heads: number;
  dh: number;
}
// bert-tiny's own shape (scaled down in B), odd lengths and head sizes (the scalar tails).
const CASES: Case[] = [
  { B: 3, La: 32, Lb: 32, heads: 2, dh: 64 },
  { B: 2, La: 7, Lb: 9, heads: 3, dh: 12 },
  { B: 2, La: 5, Lb: 6, heads: 2, dh: 6 },
  { B: 1, La: 1, Lb: 3, heads: 1, dh: 3 },
];

/** Max of |x - y| / (1 + |y|) over all elements. */
function relDiff(x: tf.Tensor, y: tf.Tensor): number {
  expect(x.shape).toEqual(y.shape);
  const xs = x.dataSync();
  const ys = y.dataSync();
  let m = 0;
  for (let i = 0; i < xs.length; i++)
    m = Math.max(m, Math.abs(xs[i]! - ys[i]!) / (1 + Math.abs(ys[i]!)));
  return m;
}

/** Value and gradients of sum(f(...inputs) · r) for a fixed random r. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed: number) {
  const y = f(...inputs);
  const r = tf.randomNormal(y.shape, 0, 1, 'float32', seed);
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), r)))(inputs);
  return { y, grads };
}

/** Seeded random inputs (the same numbers on every backend; seeds > 0: tf treats 0 as none). */
function inputsFor(c: Case, seed: number) {
  const H = c.heads * c.dh;
  return {
    a: tf.randomNormal([c.B, c.La, H], 0, 1, 'float32', seed) as tf.Tensor3D,
    b: tf.randomNormal([c.B, c.Lb, H], 0, 1, 'float32', seed + 1) as tf.Tensor3D,
    p: tf.randomUniform([c.B, c.heads, c.La, c.Lb], 0, 1, 'float32', seed + 2) as tf.Tensor4D,
    pt: tf.randomUniform([c.B, c.heads, c.Lb, c.La], 0, 1, 'float32', seed + 3) as tf.Tensor4D,
  };
}

describe('own WASM kernels', () => {
  let restore: () => Promise<void>;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    restore = await useNodeWasmBackend();
  });
  afterAll(async () => {
    await restore();
  });

  it('instantiate against the wasm backend’s heap and not on cpu', async () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmKernelsReady()).toBe(true);
    await tf.setBackend('cpu');
    expect(wasmKernelsReady()).toBe(false);
    await tf.setBackend('wasm');
  });

  for (const [ci, c] of CASES.entries()) {
    const label = `B${c.B} La${c.La} Lb${c.Lb} nh${c.heads} dh${c.dh}`;
    const alpha = 1 / Math.sqrt(c.dh);

    it(`CplayHeadsQKt equals split·splitᵀ·alpha, value and gradients (${label})`, async () => {
      const run = (own: boolean) =>
        tf.tidy(() => {
          const { a, b } = inputsFor(c, 10 * ci + 1);
          const f = (x: tf.Tensor, y: tf.Tensor) =>
            own
              ? headsQKt(x as tf.Tensor3D, y as tf.Tensor3D, c.heads, alpha)
              : stockQKt(x, y, c.heads, alpha);
          const { y, grads } = valueAndGrads(f, [a, b], 99);
          return [y, ...grads];
        });
      const ours = run(true);
      const stockWasm = run(false);
      await tf.setBackend('cpu');
      const stockCpu = run(false);
      await tf.setBackend('wasm');
      expect(ours[0]!.shape).toEqual([c.B, c.heads, c.La, c.Lb]);
      for (let i = 0; i < ours.length; i++) {
        expect(relDiff(ours[i]!, stockWasm[i]!)).toBeLessThan(TOL);
        expect(relDiff(ours[i]!, stockCpu[i]!)).toBeLessThan(TOL);
      }
      tf.dispose([...ours, ...stockWasm, ...stockCpu]);
    });

    for (const transP of [false, true]) {
      it(`CplayHeadsPV${transP ? ' (pᵀ)' : ''} equals merge(P'·split(v)·alpha), value and gradients (${label})`, async () => {
        const run = (own: boolean) =>
          tf.tidy(() => {
            const { b, p, pt } = inputsFor(c, 10 * ci + 5);
            const f = (x: tf.Tensor, y: tf.Tensor) =>
              own
                ? headsPV(x as tf.Tensor4D, y as tf.Tensor3D, c.heads, transP, alpha)
                : stockPV(x, y, c.heads, transP, alpha);
            const { y, grads } = valueAndGrads(f, [transP ? pt : p, b], 98);
            return [y, ...grads];
          });
        const ours = run(true);
        const stockWasm = run(false);
        await tf.setBackend('cpu');
        const stockCpu = run(false);
        await tf.setBackend('wasm');
        expect(ours[0]!.shape).toEqual([c.B, c.La, c.heads * c.dh]);
        for (let i = 0; i < ours.length; i++) {
          expect(relDiff(ours[i]!, stockWasm[i]!)).toBeLessThan(TOL);
          expect(relDiff(ours[i]!, stockCpu[i]!)).toBeLessThan(TOL);
        }
        tf.dispose([...ours, ...stockWasm, ...stockCpu]);
      });
    }
  }

  for (const [rows, cols] of [
    [300, 130],
    [7, 5],
    [1, 9],
    [64, 64],
  ] as const) {
    for (const onesRow of [false, true]) {
      it(`CplayTranspose2D equals tf.transpose${onesRow ? ' with a row of ones' : ''}, value and gradient ([${rows}, ${cols}])`, () => {
        tf.tidy(() => {
          const x = tf.randomNormal([rows, cols], 0, 1, 'float32', rows + cols);
          const stock = (t: tf.Tensor) =>
            onesRow ? tf.concat([tf.transpose(t), tf.ones([1, rows])], 0) : tf.transpose(t);
          const ours = valueAndGrads((t) => transpose2D(t as tf.Tensor2D, onesRow), [x], 7);
          const ref = valueAndGrads(stock, [x], 7);
          // A transpose moves numbers: bit for bit equal.
          expect(relDiff(ours.y, ref.y)).toBe(0);
          expect(relDiff(ours.grads[0]!, ref.grads[0]!)).toBe(0);
        });
      });
    }
  }

  it('leave no tensor behind (forward and both gradients, outside any tidy)', () => {
    const before = tf.memory().numTensors;
    const q = tf.randomNormal([2, 5, 8], 0, 1, 'float32', 1) as tf.Tensor3D;
    const v = tf.randomNormal([2, 5, 8], 0, 1, 'float32', 2) as tf.Tensor3D;
    const { value, grads } = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(
        headsPV(
          headsQKt(x as tf.Tensor3D, x as tf.Tensor3D, 2, 0.5),
          y as tf.Tensor3D,
          2,
          false,
          1,
        ),
      ),
    )([q, v]);
    tf.dispose([value, ...grads, q, v]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the shared-memory build (tfjs-backend-wasm’s threaded heap)', () => {
  /** Runs transpose2d and heads_qkt of one build on a fresh memory; returns the outputs. */
  function runBuild(base64: string, shared: boolean): Float32Array {
    const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
    const memory = new WebAssembly.Memory(
      shared ? { initial: 4, maximum: 65536, shared: true } : { initial: 4 },
    );
    const k = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })
      .exports as unknown as {
      transpose2d(s: number, d: number, r: number, c: number): void;
      heads_qkt(a: number, b: number, o: number, ...dims: number[]): void;
    };
    const f = new Float32Array(memory.buffer);
    const n = 37 * 24;
    for (let i = 0; i < n; i++) f[i] = Math.sin(i * 0.37); // src at 0
    k.transpose2d(0, 4 * n, 37, 24); // dst at n
    // heads_qkt on a = b = src viewed as [1, 37, 24] with 2 heads of 12: out at 2n.
    k.heads_qkt(0, 0, 8 * n, 1, 37, 37, 2, 12, 0.5);
    return new Float32Array(f.slice(n, 2 * n + 2 * 37 * 37));
  }

  it('computes what the plain build computes, bit for bit, and transposes correctly', () => {
    const plain = runBuild(WASM_KERNELS_PLAIN, false);
    const shared = runBuild(WASM_KERNELS_SHARED, true);
    expect(shared).toEqual(plain);
    // dst[c, r] = src[r, c] = sin((r·24 + c)·0.37)
    expect(plain[5 * 37 + 3]).toBeCloseTo(Math.sin((3 * 24 + 5) * 0.37), 6);
  });
});
