/**
 * Weights moved straight between shared memory and the backend's memory
 * (src/engine/kernels/backendMemory.ts), on the wasm backend (the data-parallel run's) and cpu:
 *  - copyValuesInto writes exactly the tensor's values (its data()) at the offset, nothing around
 *    them, on wasm; elsewhere it writes nothing and says so;
 *  - writeRowsInPlace overwrites exactly the rows asked for with the source's rows, leaves every
 *    other row's bits alone, and refuses (false, nothing written) a variable whose buffer another
 *    tensor shares; bad rows and shapes are errors before anything is written;
 *  - addRowsInPlace adds packed rows into a zeros tensor in call order with float32 rounding (the
 *    bits of the same adds on Float32Arrays), rows named twice across calls summed, others zero.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addRowsInPlace,
  copyValuesInto,
  writeRowsInPlace,
} from '../../../src/engine/kernels/backendMemory.ts';
import * as tf from '../../../src/engine/tf.ts';
import { onWasmBackend } from '../../helpers/backends.ts';

const V = 7;
const H = 5;
const table = () => Float32Array.from({ length: V * H }, (_, i) => i + 0.25);
/** A [V, H] source sitting 3 cells into a larger shared array, row r's values 1000·(r + 1) + j. */
function source(): Float32Array {
  const src = new Float32Array(new SharedArrayBuffer((3 + V * H + 2) * 4)).fill(-1);
  for (let r = 0; r < V; r++) for (let j = 0; j < H; j++) src[3 + r * H + j] = 1000 * (r + 1) + j;
  return src;
}

function rowsCase(): void {
  const init = tf.tensor2d(table(), [V, H]);
  const v = tf.variable(init);
  // While the initial tensor lives it shares the variable's buffer: refused.
  expect(writeRowsInPlace(v, source(), 3, Int32Array.from([0]))).toBe(false);
  init.dispose();
  const src = source();
  expect(writeRowsInPlace(v, src, 3, Int32Array.from([5, 0, 2]))).toBe(true);
  const got = v.dataSync();
  const want = table();
  for (const r of [5, 0, 2]) for (let j = 0; j < H; j++) want[r * H + j] = 1000 * (r + 1) + j;
  expect(Array.from(got)).toEqual(Array.from(want));
  // The variable still computes with the new values (nothing cached elsewhere).
  expect(tf.sum(v).dataSync()[0]).toBeCloseTo(
    want.reduce((a, x) => a + x, 0),
    0,
  );
  // A reshape shares the buffer: writing would change it too, so it is refused.
  const view = tf.reshape(v, [V * H]);
  expect(writeRowsInPlace(v, src, 3, Int32Array.from([1]))).toBe(false);
  expect(Array.from(v.dataSync())).toEqual(Array.from(want));
  view.dispose();
  expect(() => writeRowsInPlace(v, src, 3, Int32Array.from([1, V]))).toThrow(
    /row 7 is outside \[0, 7\)/,
  );
  expect(() => writeRowsInPlace(v, src, 3, Int32Array.from([-1]))).toThrow(/row -1/);
  expect(() => writeRowsInPlace(v, src, 10, Int32Array.from([1]))).toThrow(/does not fit at 10/);
  expect(Array.from(v.dataSync())).toEqual(Array.from(want)); // the errors wrote nothing
  const flat = tf.variable(tf.zeros([4]));
  expect(() => writeRowsInPlace(flat, src, 0, Int32Array.from([0]))).toThrow(/not 2-D/);
  flat.dispose();
  v.dispose();
}

function addCase(): void {
  const t = tf.zeros([V, H]);
  // Two shards' packed rows: rows 1 and 4 from both, 6 from the first, 0 from the second.
  const a = Float32Array.from({ length: 3 * H }, (_, i) => 0.1 * (i + 1));
  const b = Float32Array.from({ length: 3 * H }, (_, i) => 1e-8 * (i + 1) + 2 ** 20);
  const ids = [Int32Array.from([1, 4, 6]), Int32Array.from([4, 0, 1])];
  expect(addRowsInPlace(t, a, ids[0]!)).not.toBeNull();
  const values = addRowsInPlace(t, b, ids[1]!);
  expect(values).not.toBeNull();
  const want = new Float32Array(V * H);
  for (const [k, p] of [a, b].entries())
    ids[k]!.forEach((r, i) => {
      for (let j = 0; j < H; j++) want[r * H + j] = Math.fround(want[r * H + j]! + p[i * H + j]!);
    });
  expect(Array.from(t.dataSync())).toEqual(Array.from(want));
  expect(want[1 * H]).not.toBe(Math.fround(a[0]!) + b[2 * H]!); // float32 rounding mattered
  const view = tf.reshape(t, [V * H]);
  expect(addRowsInPlace(t, a, ids[0]!)).toBeNull(); // a shared buffer: nothing written
  view.dispose();
  expect(Array.from(t.dataSync())).toEqual(Array.from(want));
  expect(() => addRowsInPlace(t, a, Int32Array.from([0, 9, 1]))).toThrow(/row 9 is outside/);
  expect(() => addRowsInPlace(t, a.subarray(0, H), ids[0]!)).toThrow(/need 15 values/);
  expect(Array.from(t.dataSync())).toEqual(Array.from(want));
  t.dispose();
}

describe('backend memory on cpu', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  it('writeRowsInPlace: the rows asked for, nothing else', rowsCase);
  it('addRowsInPlace: packed rows summed in order, float32 adds', addCase);
  it('copyValuesInto writes nothing off wasm and says so', () => {
    const t = tf.tensor1d([1, 2, 3]);
    const dst = new Float32Array(5).fill(9);
    expect(copyValuesInto(t, dst, 1)).toBe(false);
    expect(Array.from(dst)).toEqual([9, 9, 9, 9, 9]);
    t.dispose();
  });
});

describe('backend memory on wasm', () => {
  onWasmBackend();
  it('writeRowsInPlace: the rows asked for, nothing else', rowsCase);
  it('addRowsInPlace: packed rows summed in order, float32 adds', addCase);
  it('copyValuesInto: the tensor’s values at the offset, nothing around them', () => {
    const t = tf.tensor2d(table(), [V, H]);
    const dst = new Float32Array(new SharedArrayBuffer((V * H + 4) * 4)).fill(-7);
    expect(copyValuesInto(t, dst, 2)).toBe(true);
    expect(Array.from(dst.subarray(2, 2 + V * H))).toEqual(Array.from(t.dataSync()));
    expect(Array.from(dst.subarray(0, 2))).toEqual([-7, -7]);
    expect(Array.from(dst.subarray(2 + V * H))).toEqual([-7, -7]);
    expect(() => copyValuesInto(t, dst, 5)).toThrow(/do not fit at 5/);
    t.dispose();
  });
});
