import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddingLookup } from '../../src/engine/model/embeddingLookup.ts';
import * as tf from '../../src/engine/tf.ts';
import { useNodeWasmBackend } from '../helpers/backends.ts';

/** Loss used on both sides: sum(lookup(table, ids) * w) with a fixed weight tensor w. */
function lossWith(lookup: (t: tf.Tensor2D) => tf.Tensor, w: tf.Tensor) {
  return (t: tf.Tensor) => tf.sum(tf.mul(lookup(t as tf.Tensor2D), w)) as tf.Scalar;
}

function fixture() {
  const vocab = 50;
  const hidden = 8;
  const table = tf.randomNormal([vocab, hidden], 0, 1, 'float32', 7) as tf.Tensor2D;
  // Repeated ids (3 and 7 appear several times) so the scatter must sum duplicates.
  const ids = tf.tensor2d(
    [
      [3, 7, 7, 0, 49],
      [3, 3, 12, 7, 1],
    ],
    [2, 5],
    'int32',
  );
  const w = tf.randomNormal([2, 5, hidden], 0, 1, 'float32', 11);
  return { table, ids, w };
}

describe('embeddingLookup', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('forward equals tf.gather and gradient equals gather gradient on cpu (1e-7)', () => {
    const { table, ids, w } = fixture();
    const ours = embeddingLookup(table, ids);
    const ref = tf.gather(table, ids);
    expect(ours.shape).toEqual([2, 5, 8]);
    expect(tf.max(tf.abs(tf.sub(ours, ref))).dataSync()[0]).toBe(0);

    const gOurs = tf.grad(lossWith((t) => embeddingLookup(t, ids), w))(table);
    const gRef = tf.grad(lossWith((t) => tf.gather(t, ids), w))(table);
    expect(gOurs.shape).toEqual([50, 8]);
    const maxDiff = tf.max(tf.abs(tf.sub(gOurs, gRef))).dataSync()[0]!;
    expect(maxDiff).toBeLessThan(1e-7);
    // Row 3 gets three upstream rows, row 2 none.
    expect(tf.sum(tf.abs(gOurs.slice([2, 0], [1, 8]))).dataSync()[0]).toBe(0);
    expect(tf.sum(tf.abs(gOurs.slice([3, 0], [1, 8]))).dataSync()[0]).toBeGreaterThan(0);
  });

  describe('on wasm', () => {
    let restore: () => Promise<void>;
    beforeAll(async () => {
      restore = await useNodeWasmBackend();
    });
    afterAll(async () => {
      await restore();
    });

    it('runs forward and backward and matches the cpu gradient (1e-6)', async () => {
      expect(tf.getBackend()).toBe('wasm');
      const { table, ids, w } = fixture();
      const g = tf.grad(lossWith((t) => embeddingLookup(t, ids), w))(table);
      const gWasm = await g.data();
      await tf.setBackend('cpu');
      const c = fixture();
      const gCpu = tf
        .grad(lossWith((t) => tf.gather(t, c.ids), c.w))(c.table)
        .dataSync();
      let maxDiff = 0;
      for (let i = 0; i < gCpu.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs(gCpu[i]! - gWasm[i]!));
      expect(maxDiff).toBeLessThan(1e-6);
      await tf.setBackend('wasm');
    });
  });
});
