import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../../../src/engine/tf.ts';
import {
  clipByGlobalNorm,
  clipCoefficient,
  globalNorm,
} from '../../../../src/engine/train/optim/clip.ts';
import { useNodeWasmBackend } from '../../../helpers/backends.ts';
import { disposeMap, FIX, makeGrads, maxAbsDiff, NAMES } from './fixture.ts';

/**
 * fixtures.clip: torch.nn.utils.clip_grad_norm_ on three gradients ([4,3], [4], [3]) with
 * max_norm 1 (clips), 100 (coef clamps to 1) and 0.25; `norm` is its return value (the norm
 * before clipping), `clipped` the gradients after. float32 both sides; tolerance 1e-6 absolute
 * (values ≤ 2); measured 0 (bit-identical).
 */
const TOL = 1e-6;

describe('clipByGlobalNorm vs torch.nn.utils.clip_grad_norm_', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const c of FIX.clip.cases) {
    it(`maxNorm ${c.maxNorm}: norm ${c.norm.toFixed(4)} and the clipped gradients`, () => {
      const grads = makeGrads(FIX.clip.grads);
      const out = clipByGlobalNorm(grads, c.maxNorm);
      expect(out.norm.rank).toBe(0);
      expect(Math.abs(out.norm.dataSync()[0]! - c.norm)).toBeLessThanOrEqual(TOL);
      const got = Object.fromEntries(
        NAMES.map((n) => [n, Array.from(out.grads.get(n)!.dataSync())]),
      );
      expect(maxAbsDiff(got, c.clipped)).toBeLessThanOrEqual(TOL);
      // The inputs are untouched and still owned by the caller; the outputs are new tensors.
      const input = Object.fromEntries(NAMES.map((n) => [n, Array.from(grads.get(n)!.dataSync())]));
      expect(maxAbsDiff(input, FIX.clip.grads)).toBe(0);
      for (const n of NAMES) expect(out.grads.get(n)).not.toBe(grads.get(n));
      disposeMap(out.grads);
      out.norm.dispose();
      disposeMap(grads);
    });
  }

  it('the fixture cases do clip (coef < 1) and do not (coef = 1)', () => {
    const [a, b] = FIX.clip.cases;
    expect(a!.norm).toBeGreaterThan(a!.maxNorm);
    expect(maxAbsDiff(a!.clipped, FIX.clip.grads)).toBeGreaterThan(0.1);
    expect(b!.norm).toBeLessThan(b!.maxNorm);
    expect(maxAbsDiff(b!.clipped, FIX.clip.grads)).toBe(0);
  });

  it('globalNorm equals √Σg² computed here in float64, and 0 for no tensors', () => {
    const grads = makeGrads(FIX.clip.grads);
    let ss = 0;
    for (const n of NAMES) for (const x of FIX.clip.grads[n]!) ss += x * x;
    const norm = globalNorm(grads);
    expect(norm.dataSync()[0]).toBeCloseTo(Math.sqrt(ss), 6);
    const empty = globalNorm([]);
    expect(empty.dataSync()[0]).toBe(0);
    norm.dispose();
    empty.dispose();
    disposeMap(grads);
  });

  it('leaks nothing over 200 calls once the caller disposes what it owns', () => {
    const grads = makeGrads(FIX.clip.grads);
    const base = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) {
      const out = clipByGlobalNorm(grads, 1);
      disposeMap(out.grads);
      out.norm.dispose();
    }
    expect(tf.memory().numTensors).toBe(base);
    disposeMap(grads);
  });
});

/**
 * The trainer's clipping (step.ts applyUpdate): the norm read back, clipCoefficient from it, the
 * gradients scaled inside the optimiser's update. g · coef against the same torch fixture and
 * tolerance, on cpu and on wasm (where globalNorm runs the float64 norm kernel).
 */
function clipCases(): void {
  for (const c of FIX.clip.cases) {
    it(`maxNorm ${c.maxNorm}: the norm and g · coef`, () => {
      const grads = makeGrads(FIX.clip.grads);
      const norm = globalNorm(grads);
      const value = norm.dataSync()[0]!;
      expect(Math.abs(value - c.norm)).toBeLessThanOrEqual(TOL);
      const coef = clipCoefficient(value, c.maxNorm);
      expect(coef).toBeLessThanOrEqual(1);
      const got = Object.fromEntries(
        NAMES.map((n) => [n, Array.from(tf.tidy(() => grads.get(n)!.mul(coef)).dataSync())]),
      );
      expect(maxAbsDiff(got, c.clipped)).toBeLessThanOrEqual(TOL);
      norm.dispose();
      disposeMap(grads);
    });
  }
}

describe('globalNorm + clipCoefficient vs torch', () => {
  describe('on cpu', () => {
    beforeAll(async () => {
      await tf.setBackend('cpu');
    });
    clipCases();

    it('a non-finite norm gives a non-finite coefficient; a bad maxNorm is refused', () => {
      expect(Number.isNaN(clipCoefficient(Number.NaN, 1))).toBe(true);
      expect(clipCoefficient(Number.POSITIVE_INFINITY, 1)).toBe(0);
      expect(clipCoefficient(0, 1)).toBe(1);
      expect(() => clipCoefficient(1, 0)).toThrow(/maxNorm/);
      expect(() => clipCoefficient(1, Number.NaN)).toThrow(/maxNorm/);
    });
  });

  describe('on wasm (the float64 norm kernel)', () => {
    let restore: (() => Promise<void>) | null = null;
    beforeAll(async () => {
      await tf.setBackend('cpu');
      restore = await useNodeWasmBackend();
    });
    afterAll(async () => {
      await restore?.();
    });
    clipCases();
  });
});

describe("non-finite gradients (the trainer's divergence check reads the norm)", () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('a NaN gradient propagates through clipping to a NaN norm, as in torch', () => {
    const g = new Map([['w', tf.tensor1d([1, Number.NaN])]]);
    const out = clipByGlobalNorm(g, 1);
    expect(Number.isNaN(out.norm.dataSync()[0])).toBe(true);
    expect(Number.isNaN(out.grads.get('w')!.dataSync()[0])).toBe(true);
    out.norm.dispose();
    disposeMap(out.grads);
    disposeMap(g);
  });

  it('an infinite gradient gives an infinite norm; a large finite one stays finite', () => {
    const inf = globalNorm([tf.tensor1d([1, Number.NEGATIVE_INFINITY])]);
    expect(inf.dataSync()[0]).toBe(Number.POSITIVE_INFINITY);
    const big = globalNorm([tf.tensor1d([1e18, -1e18])]);
    expect(big.dataSync()[0]).toBeCloseTo(Math.SQRT2 * 1e18, -12);
    inf.dispose();
    big.dispose();
  });
});
