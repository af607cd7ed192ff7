/**
 * The dropout kernels (src/engine/kernels/dropoutMask.ts): the keep mask is a hash of (seed, flat
 * index), so it must (a) keep 1 − p of the elements, (b) look independent across elements and
 * across seeds, (c) be the same for the same seed and shape (GradCache's replay), and (d) be the
 * same bits on every backend: here cpu and wasm (WebGPU against cpu: tests/e2e/webgpuLean.e2e.ts).
 *
 * The statistical checks are on fixed seeds, so they are deterministic; each bound is 6 standard
 * deviations of the binomial count the check expects (a correct hash misses one with probability
 * ~2e-9 per check; a broken one — a stuck bit, a key ignored, correlated neighbours — by far more).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DROPOUT_KERNEL,
  DROPOUT_MASK_KERNEL,
  dropoutApply,
  dropoutBits,
  dropoutKeys,
  dropoutMask,
  dropoutMaskValues,
  mix32,
} from '../../../src/engine/kernels/dropoutMask.ts';
import {
  setWasmKernelsEnabled,
  wasmKernelsReady,
} from '../../../src/engine/kernels/wasmKernels.ts';
import { dropout } from '../../../src/engine/model/layers.ts';
import * as tf from '../../../src/engine/tf.ts';
import { useNodeWasmBackend } from '../../helpers/backends.ts';

/** |count − n·q| ≤ 6·√(n·q·(1−q)): a binomial(n, q) count within six standard deviations. */
function expectBinomial(count: number, n: number, q: number, what: string): void {
  const sd = Math.sqrt(n * q * (1 - q));
  expect(
    Math.abs(count - n * q),
    `${what}: ${count} of ${n}, expected ${n * q} ± ${6 * sd}`,
  ).toBeLessThanOrEqual(6 * sd);
}

const ones = (m: Float32Array) => m.reduce((s, v) => s + v, 0);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the keep mask', () => {
  it('keeps 1 − p of the elements, for p = 0.1, 0.5, 0.9 and several seeds (binomial 6σ)', () => {
    const n = 200_000;
    for (const p of [0.1, 0.5, 0.9])
      for (const seed of [0, 1, 2, 12345, 0xffffffff]) {
        const m = dropoutMaskValues([n], p, seed);
        // Every value is exactly 0 or 1.
        expect(m.every((v) => v === 0 || v === 1)).toBe(true);
        expectBinomial(ones(m), n, 1 - p, `p ${p}, seed ${seed}`);
      }
  });

  it('neighbouring elements are independent: P(both kept) = (1 − p)² at strides 1, 32 and 128', () => {
    const n = 200_000;
    const p = 0.1;
    const m = dropoutMaskValues([n], p, 7);
    for (const stride of [1, 32, 128]) {
      let both = 0;
      for (let i = 0; i + stride < n; i++) both += m[i]! * m[i + stride]!;
      expectBinomial(both, n - stride, (1 - p) ** 2, `stride ${stride}`);
    }
  });

  it('same seed and shape → the same mask; the kernel, the JS fill and the shape do not matter', () => {
    const a = dropoutMask([64, 2, 8, 8], 0.1, 99);
    const b = dropoutMask([64, 2, 8, 8], 0.1, 99);
    const c = dropoutMask([64 * 2 * 8 * 8], 0.1, 99); // the same flat indices
    const js = dropoutMaskValues([64, 2, 8, 8], 0.1, 99);
    expect(a.shape).toEqual([64, 2, 8, 8]);
    expect(a.dtype).toBe('float32');
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).toEqual(Array.from(c.dataSync()));
    expect(Array.from(a.dataSync())).toEqual(Array.from(js));
    tf.dispose([a, b, c]);
  });

  it('different seeds give unrelated masks: they agree on p² + (1 − p)² of the elements (binomial 6σ)', () => {
    const n = 100_000;
    const p = 0.1;
    const q = p * p + (1 - p) * (1 - p);
    // Consecutive seeds (the worst case for a weak key schedule) and mixSeed-like far ones.
    for (const [s1, s2] of [
      [0, 1],
      [1, 2],
      [41, 42],
      [0x12345678, 0x9abcdef0],
    ] as const) {
      const a = dropoutMaskValues([n], p, s1);
      const b = dropoutMaskValues([n], p, s2);
      let agree = 0;
      for (let i = 0; i < n; i++) if (a[i] === b[i]) agree++;
      expectBinomial(agree, n, q, `seeds ${s1} vs ${s2}`);
    }
  });

  it('mix32 is a full-avalanche hash: one flipped input bit flips 16 of 32 output bits on average', () => {
    let flipped = 0;
    let trials = 0;
    for (let v = 0; v < 2000; v++) {
      const x = mix32(v * 2654435761);
      for (let bit = 0; bit < 32; bit++) {
        let d = (mix32(x) ^ mix32((x ^ (1 << bit)) >>> 0)) >>> 0;
        for (; d; d &= d - 1) flipped++;
        trials++;
      }
    }
    // Each output bit flips with probability 1/2: the total is binomial(32·trials, 1/2).
    expectBinomial(flipped, 32 * trials, 0.5, 'flipped output bits');
  });

  it('the threshold is rate · 2³² on the 32 hash bits, and the scale is float32 1/(1 − p)', () => {
    const k = dropoutKeys(5, 0.25);
    expect(k.threshold).toBe(2 ** 30);
    expect(k.scale).toBe(Math.fround(1 / 0.75));
    const m = dropoutMaskValues([1000], 0.25, 5);
    for (let i = 0; i < 1000; i++) expect(m[i]).toBe(dropoutBits(i, k) >= 2 ** 30 ? 1 : 0);
    expect(() => dropoutKeys(5, 1)).toThrow(/\[0, 1\)/);
    expect(() => dropoutKeys(5, -0.1)).toThrow(/\[0, 1\)/);
  });
});

describe('dropoutApply', () => {
  it('is x · mask · float32(1/(1 − p)) exactly, and rate 0 returns x itself', () => {
    const x = tf.randomNormal([16, 8, 32], 0, 1, 'float32', 3);
    const y = dropoutApply(x, 0.1, 17);
    const m = dropoutMaskValues([16, 8, 32], 0.1, 17);
    const xs = x.dataSync();
    const ys = y.dataSync();
    const scale = Math.fround(1 / 0.9);
    for (let i = 0; i < xs.length; i++) expect(ys[i]).toBe(Math.fround(xs[i]! * m[i]! * scale));
    expect(dropoutApply(x, 0, 17)).toBe(x);
    tf.dispose([x, y]);
  });

  it('its gradient is dy · mask / (1 − p): the same mask, nothing saved', () => {
    const x = tf.randomNormal([4, 8, 16], 0, 1, 'float32', 4);
    const w = tf.randomNormal([4, 8, 16], 0, 1, 'float32', 5);
    const g = tf.grad((t: tf.Tensor) => dropoutApply(t, 0.3, 21).mul(w).sum())(x);
    const m = dropoutMaskValues([4, 8, 16], 0.3, 21);
    const ws = w.dataSync();
    const gs = g.dataSync();
    const scale = Math.fround(1 / 0.7);
    for (let i = 0; i < ws.length; i++) expect(gs[i]).toBe(Math.fround(ws[i]! * m[i]! * scale));
    tf.dispose([x, w, g]);
  });

  it('layers.ts dropout hands the probe the very mask it applies (the mask PyTorch fixtures replay)', () => {
    const x = tf.randomNormal([8, 4, 32], 0, 1, 'float32', 6);
    let seen: Float32Array | null = null;
    const y = dropout(x, 0.2, 33, (kept) => {
      seen = kept.dataSync() as Float32Array;
    });
    const mask = seen as Float32Array | null;
    expect(mask).not.toBeNull();
    const xs = x.dataSync();
    const ys = y.dataSync();
    const scale = Math.fround(1 / 0.8);
    for (let i = 0; i < xs.length; i++) expect(ys[i]).toBe(Math.fround(xs[i]! * mask![i]! * scale));
    // Replay: the same seed again gives the same output.
    const y2 = dropout(x, 0.2, 33);
    expect(Array.from(y2.dataSync())).toEqual(Array.from(ys));
    tf.dispose([x, y, y2]);
  });

  it('a backend without the kernels (WebGL) gets the same output, mask and gradient from the JS fill', () => {
    const x = tf.randomNormal([8, 4, 16], 0, 1, 'float32', 12);
    const w = tf.randomNormal([8, 4, 16], 0, 1, 'float32', 13);
    const run = () => {
      const y = dropoutApply(x, 0.1, 77);
      const m = dropoutMask([8, 4, 16], 0.1, 77);
      const g = tf.grad((t: tf.Tensor) => dropoutApply(t, 0.1, 77).mul(w).sum())(x);
      const out = [y, m, g].map((t) => Array.from(t.dataSync()));
      tf.dispose([y, m, g]);
      return out;
    };
    const kernel = run();
    // The cpu backend with both kernels taken away stands for a backend that never had them.
    const saved = [DROPOUT_KERNEL, DROPOUT_MASK_KERNEL].map((k) => tf.getKernel(k, 'cpu')!);
    for (const k of saved) tf.unregisterKernel(k.kernelName, 'cpu');
    try {
      expect(tf.getKernel(DROPOUT_KERNEL, 'cpu')).toBeUndefined();
      expect(run()).toEqual(kernel);
    } finally {
      for (const k of saved) tf.registerKernel(k);
    }
    tf.dispose([x, w]);
  });

  it('is a registered kernel on cpu, wasm and webgpu (no per-call mask upload anywhere)', () => {
    for (const b of ['cpu', 'wasm', 'webgpu'])
      for (const k of [DROPOUT_KERNEL, DROPOUT_MASK_KERNEL])
        expect(tf.getKernel(k, b), `${k} on ${b}`).toBeDefined();
  });
});

describe('cpu and wasm draw bit-identical masks, outputs and gradients', () => {
  let restore: (() => Promise<void>) | null = null;
  const shape = [32, 2, 16, 16];
  const run = () => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 8);
    const w = tf.randomNormal(shape, 0, 1, 'float32', 9);
    const mask = dropoutMask(shape, 0.1, 1234);
    const y = dropoutApply(x, 0.1, 1234);
    const g = tf.grad((t: tf.Tensor) => dropoutApply(t, 0.1, 1234).mul(w).sum())(x);
    const out = {
      x: Array.from(x.dataSync()),
      mask: Array.from(mask.dataSync()),
      y: Array.from(y.dataSync()),
      g: Array.from(g.dataSync()),
    };
    tf.dispose([x, w, mask, y, g]);
    return out;
  };
  let cpu: ReturnType<typeof run>;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    cpu = run();
    restore = await useNodeWasmBackend();
  });
  afterAll(async () => {
    await restore?.();
  });

  it('on wasm: the same 0/1 mask, the same x · mask / (1 − p) and the same gradient, bit for bit', () => {
    expect(tf.getBackend()).toBe('wasm');
    const before = tf.memory().numTensors;
    const wasm = run();
    expect(tf.memory().numTensors).toBe(before); // nothing leaked
    // The inputs agree first (randomNormal is seeded JS), so the rest compares the kernels.
    expect(wasm.x).toEqual(cpu.x);
    expect(wasm.mask).toEqual(cpu.mask);
    expect(wasm.y).toEqual(cpu.y);
    expect(wasm.g).toEqual(cpu.g);
    // And dropout really happened: about 10% zeros.
    const zeros = cpu.mask.filter((v) => v === 0).length;
    expectBinomial(zeros, cpu.mask.length, 0.1, 'dropped');
  });

  it('on wasm the SIMD body (the own module) and the JS loop agree bit for bit, tails included', () => {
    // Sizes that leave 1–3 elements after the 4-lane loop, rates near both ends, negative and
    // non-finite inputs (x · 0 keeps JS's -0 and NaN).
    expect(wasmKernelsReady()).toBe(true);
    const cases: [number[], number, number][] = [
      [[7, 13], 0.5, 1],
      [[1, 3], 0.1, 2],
      [[130], 0.9, 0xffffffff],
      [[2, 2, 5], 0.01, 77],
    ];
    const both = (shape: number[], rate: number, seed: number) => {
      const n = shape.reduce((a, d) => a * d, 1);
      const vals = Float32Array.from({ length: n }, (_, i) =>
        i === 1 ? Number.NaN : i === 2 ? -Infinity : (i % 7) - 3.5,
      );
      const x = tf.tensor(vals, shape);
      const y = dropoutApply(x, rate, seed);
      const m = dropoutMask(shape, rate, seed);
      const out = { y: Array.from(y.dataSync()), m: Array.from(m.dataSync()) };
      tf.dispose([x, y, m]);
      return out;
    };
    for (const [shape, rate, seed] of cases) {
      const simd = both(shape, rate, seed);
      setWasmKernelsEnabled(false);
      try {
        const js = both(shape, rate, seed);
        // toEqual tells -0 from 0 and NaN from numbers: bit for bit, as Object.is.
        expect(simd, `[${shape}] p=${rate} seed ${seed}`).toEqual(js);
      } finally {
        setWasmKernelsEnabled(true);
      }
      expect(simd.m).toEqual(Array.from(dropoutMaskValues(shape, rate, seed)));
    }
  });
});
