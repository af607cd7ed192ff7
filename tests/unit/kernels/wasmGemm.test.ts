import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setWasmGemmMode, wasmGemmVariant } from '../../../src/engine/kernels/wasmGemm.ts';
import { wasmKernelsReady } from '../../../src/engine/kernels/wasmKernels.ts';
import * as tf from '../../../src/engine/tf.ts';
import { useNodeWasmBackend } from '../../helpers/backends.ts';

/**
 * The own GEMM (wasmGemm.c through wasmGemm.ts), both builds (relaxed SIMD's fused multiply-add
 * and plain SIMD), against the stock tfjs-backend-wasm kernels (XNNPACK; mode 'off') on the same
 * random inputs, and against a float64 product computed here.
 *
 * Tolerance: each output is a sum of K float32 products; the builds sum in another order (K
 * blocks, the bias first, fused rounding), so they may differ from the stock kernel and from the
 * exact value by float32 rounding that grows with K: |Δ| ≤ 2e-6 · (1 + Σ_k |a_ik·b_kj|), where
 * the sum of magnitudes bounds the rounding of any summation order (≈ K·eps32 relative to it,
 * and eps32 = 1.2e-7).
 */
const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

/** Exact (float64) A·B + bias and Σ|a·b| per output, from the tensors' values. */
function reference(
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array | null,
  M: number,
  K: number,
  N: number,
) {
  const want = new Float64Array(M * N);
  const mag = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = bias ? bias[j]! : 0;
      let m = bias ? Math.abs(bias[j]!) : 0;
      for (let k = 0; k < K; k++) {
        const p = a[i * K + k]! * b[k * N + j]!;
        s += p;
        m += Math.abs(p);
      }
      want[i * N + j] = s;
      mag[i * N + j] = m;
    }
  return { want, mag };
}

function expectClose(got: Float32Array, want: Float64Array, mag: Float64Array, what: string) {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const excess = Math.abs(got[i]! - want[i]!) - 2e-6 * (1 + mag[i]!);
    worst = Math.max(worst, excess);
  }
  expect(worst, `${what}: the worst error beyond the bound`).toBeLessThanOrEqual(0);
}

describe('own wasm GEMM (BatchMatMul / _FusedMatMul)', () => {
  let restore: () => Promise<void>;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    restore = await useNodeWasmBackend();
    expect(wasmKernelsReady()).toBe(true); // installs the overrides
  });
  afterAll(async () => {
    setWasmGemmMode('auto');
    await restore();
  });

  it('runs relaxed SIMD in Node (the V8 flag is turned on) and plain SIMD when forced', () => {
    setWasmGemmMode('auto');
    expect(wasmGemmVariant()).toBe('relaxed');
    setWasmGemmMode('simd');
    expect(wasmGemmVariant()).toBe('simd');
    setWasmGemmMode('off');
    expect(wasmGemmVariant()).toBe(null);
    setWasmGemmMode('auto');
  });

  // Shapes with every tail: rows 1..3 past the 4-row tiles, columns past the 8- and 4-wide
  // panels, K across the 512 / 128 blocking, K = 1, and the encoder's own shapes at small scale.
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 8],
    [13, 17, 12],
    [6, 33, 13],
    [97, 64, 40],
    [50, 513, 9],
    [9, 700, 20],
    [129, 1030, 24],
    [64, 32, 128],
  ];

  for (const variant of ['relaxed', 'simd'] as const) {
    it(`${variant}: plain products equal the float64 product and the stock kernel`, () => {
      setWasmGemmMode(variant);
      shapes.forEach(([M, K, N], s) => {
        const a = rand([M, K], 10 + s);
        const b = rand([K, N], 40 + s);
        const ours = tf.matMul(a, b);
        expect(ours.shape).toEqual([M, N]);
        const got = ours.dataSync() as Float32Array;
        const { want, mag } = reference(
          a.dataSync() as Float32Array,
          b.dataSync() as Float32Array,
          null,
          M,
          K,
          N,
        );
        expectClose(got, want, mag, `${variant} [${M},${K}]·[${K},${N}]`);
        setWasmGemmMode('off');
        const stock = tf.matMul(a, b);
        expectClose(stock.dataSync() as Float32Array, want, mag, `stock [${M},${K}]·[${K},${N}]`);
        setWasmGemmMode(variant);
        tf.dispose([a, b, ours, stock]);
      });
    });

    it(`${variant}: the fused product with a bias (what every Linear runs) equals float64`, () => {
      setWasmGemmMode(variant);
      for (const [M, K, N] of [
        [37, 130, 36],
        [8, 600, 5],
        [5, 0, 6],
      ] as [number, number, number][]) {
        const a = rand([M, K], 1);
        const b = rand([K, N], 2);
        const bias = rand([N], 3);
        const ours = tf.fused.matMul({ a, b, bias });
        const { want, mag } = reference(
          a.dataSync() as Float32Array,
          b.dataSync() as Float32Array,
          bias.dataSync() as Float32Array,
          M,
          K,
          N,
        );
        expectClose(
          ours.dataSync() as Float32Array,
          want,
          mag,
          `${variant} fused [${M},${K},${N}]`,
        );
        tf.dispose([a, b, bias, ours]);
      }
    });
  }

  it('leading dims of A are rows (a [2, 3, M, K] by one matrix), the shape as the stock one', () => {
    setWasmGemmMode('auto');
    const a = rand([2, 3, 5, 11], 7);
    const b = rand([11, 6], 8);
    const ours = tf.matMul(a, b);
    setWasmGemmMode('off');
    const stock = tf.matMul(a, b);
    setWasmGemmMode('auto');
    expect(ours.shape).toEqual([2, 3, 5, 6]);
    expect(ours.shape).toEqual(stock.shape);
    const { want, mag } = reference(
      a.dataSync() as Float32Array,
      b.dataSync() as Float32Array,
      null,
      30,
      11,
      6,
    );
    expectClose(ours.dataSync() as Float32Array, want, mag, 'batched A');
    tf.dispose([a, b, ours, stock]);
  });

  it('the cases it does not take run the stock kernel: the very same bits', () => {
    const cases: [string, () => tf.Tensor][] = [
      ['transposeA', () => tf.matMul(rand([7, 5], 1), rand([7, 3], 2), true, false)],
      ['transposeB', () => tf.matMul(rand([5, 7], 1), rand([3, 7], 2), false, true)],
      ['batched B', () => tf.matMul(rand([2, 5, 7], 1), rand([2, 7, 3], 2))],
      [
        'relu',
        () => tf.fused.matMul({ a: rand([5, 7], 1), b: rand([7, 3], 2), activation: 'relu' }),
      ],
      [
        'bias of one element',
        () => tf.fused.matMul({ a: rand([5, 7], 1), b: rand([7, 3], 2), bias: tf.tensor1d([0.5]) }),
      ],
    ];
    for (const [what, run] of cases) {
      setWasmGemmMode('auto');
      const ours = tf.tidy(run);
      setWasmGemmMode('off');
      const stock = tf.tidy(run);
      setWasmGemmMode('auto');
      expect([...ours.dataSync()], what).toEqual([...stock.dataSync()]);
      tf.dispose([ours, stock]);
    }
  });

  it('the same inputs give the same bits (deterministic), and no tensor or heap block leaks', () => {
    setWasmGemmMode('auto');
    const a = rand([200, 700], 5);
    const b = rand([700, 33], 6);
    const first = tf.matMul(a, b);
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    for (let i = 0; i < 20; i++) {
      const again = tf.matMul(a, b);
      expect(again.dataSync()).toEqual(first.dataSync());
      again.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytesBefore);
    tf.dispose([a, b, first]);
  });

  it('bad shapes get the stock kernel’s message, not a crash', () => {
    setWasmGemmMode('auto');
    const a = rand([4, 5], 1);
    const b = rand([6, 3], 2);
    expect(() => tf.matMul(a, b)).toThrow(/inner shapes|must match/);
    tf.dispose([a, b]);
  });
});
