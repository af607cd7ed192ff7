/**
 * Sum's and Mean's gradients (src/engine/kernels/webgpuReductionGrads.ts, registered over
 * tfjs-core's: on WebGPU dy is broadcast, so no tensor of ones is uploaded — that path is checked
 * in the browser, tests/e2e/webgpuLean.e2e.ts; cpu and wasm keep `dy · ones`). Here, the axis
 * handling the registered gradient does for every backend, against a hand formula. For
 * loss = Σ w ⊙ reduce(x) the gradient w.r.t. x is w broadcast over the reduced axes (divided by
 * the reduced size for the mean): checked exactly (float32 division, as tfjs-core's own gradient
 * computes it) over the axis forms a model uses, on cpu and on wasm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../../src/engine/kernels/webgpuReductionGrads.ts';
import * as tf from '../../../src/engine/tf.ts';
import { useNodeWasmBackend } from '../../helpers/backends.ts';

const SHAPE = [3, 4, 5];
/** axis attribute, keepDims → the reduced axes (normalised). */
const CASES: [number | number[] | undefined, boolean, number[]][] = [
  [-1, true, [2]], // LayerNorm's moments
  [1, false, [1]], // mean pooling over tokens
  [[0, 2], false, [0, 2]],
  [undefined, false, [0, 1, 2]], // a loss's mean over everything
];

/** The expected gradient at flat index i of x [3, 4, 5]: w at i's reduced position (/ n). */
function expected(w: Float32Array, axes: number[], mean: boolean): number[] {
  const n = axes.reduce((p, a) => p * SHAPE[a]!, 1);
  const keptShape = SHAPE.filter((_, i) => !axes.includes(i));
  const out: number[] = [];
  for (let a = 0; a < 3; a++)
    for (let b = 0; b < 4; b++)
      for (let c = 0; c < 5; c++) {
        const kept = [a, b, c].filter((_, i) => !axes.includes(i));
        let j = 0;
        for (let k = 0; k < kept.length; k++) j = j * keptShape[k]! + kept[k]!;
        out.push(mean ? Math.fround(w[j]! / n) : w[j]!);
      }
  return out;
}

function check(): void {
  const x = tf.randomNormal(SHAPE, 0, 1, 'float32', 1);
  for (const [axis, keepDims, axes] of CASES)
    for (const mean of [false, true]) {
      const reduce = (t: tf.Tensor) =>
        mean ? tf.mean(t, axis, keepDims) : tf.sum(t, axis, keepDims);
      const outShape = reduce(x).shape;
      const w = tf.randomNormal(outShape, 0, 1, 'float32', 2);
      const g = tf.grad((t: tf.Tensor) => reduce(t).mul(w).sum())(x);
      expect(g.shape).toEqual(SHAPE);
      expect(Array.from(g.dataSync()), `${mean ? 'mean' : 'sum'} axis ${axis}`).toEqual(
        expected(w.dataSync() as Float32Array, axes, mean),
      );
      tf.dispose([w, g]);
    }
  x.dispose();
}

describe('Sum and Mean gradients without a tensor of ones', () => {
  it('on cpu: w broadcast over the reduced axes (÷ n for the mean), exactly', async () => {
    await tf.setBackend('cpu');
    check();
  });

  describe('on wasm', () => {
    let restore: (() => Promise<void>) | null = null;
    beforeAll(async () => {
      restore = await useNodeWasmBackend();
    });
    afterAll(async () => {
      await restore?.();
    });
    it('the same, exactly', () => {
      expect(tf.getBackend()).toBe('wasm');
      check();
    });
  });
});
