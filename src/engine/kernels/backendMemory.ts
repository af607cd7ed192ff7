/**
 * PERF (issue 12): a data-parallel step's weights moved straight between shared memory and the
 * backend's own memory, without the copies `data()` and `tf.tensor` + `assign` make.
 *
 *   copyValuesInto   a tensor's values out of the wasm heap into the caller's array (the
 *                    coordinator's weights into shared memory: one copy, not data()'s two)
 *   writeRowsInPlace rows of a 2-D variable overwritten where the backend keeps it (wasm heap, cpu
 *                    array): a replica refreshes only the word-table rows its shard looks up
 *   writeValuesInPlace a whole variable overwritten the same way: the coordinator takes the
 *                    weights the replicas updated (the sharded optimiser step)
 *   addRowsInPlace   packed rows added into rows of a 2-D tensor where the backend keeps it: the
 *                    coordinator sums the replicas' word-table rows into a zeros tensor
 */
import * as tf from '../tf.ts';
import { setup, wasmKernelsReady } from './wasmKernels.ts';

/**
 * Writes `t`'s values into `dst` from `offset` and returns true, on wasm with the own kernels
 * loaded; returns false (nothing written) elsewhere, where the caller reads `data()` instead.
 */
export function copyValuesInto(t: tf.Tensor, dst: Float32Array, offset: number): boolean {
  if (t.dtype !== 'float32' || !wasmKernelsReady()) return false;
  if (offset < 0 || offset + t.size > dst.length)
    throw new Error(`copyValuesInto: ${t.size} values do not fit at ${offset} of ${dst.length}`);
  const { memory, ptr } = setup(tf.backend());
  dst.set(new Float32Array(memory.buffer, ptr(t), t.size), offset);
  return true;
}

interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } | undefined };
  refCount(dataId: object): number;
}

/** The tensor's values where the backend keeps them, when it is safe to write them in place. */
function ownValues(v: tf.Tensor): Float32Array | null {
  if (v.dtype !== 'float32') return null;
  const backend = tf.backend() as unknown as CpuBackendLike;
  // Another tensor sharing the buffer (a reshape, a kept copy) would see the write.
  if (typeof backend.refCount !== 'function' || backend.refCount(v.dataId) !== 1) return null;
  if (tf.getBackend() === 'wasm') {
    if (!wasmKernelsReady()) return null;
    const { memory, ptr } = setup(backend);
    return new Float32Array(memory.buffer, ptr(v), v.size);
  }
  if (tf.getBackend() === 'cpu') {
    const values = backend.data.get(v.dataId)?.values;
    return values instanceof Float32Array && values.length === v.size ? values : null;
  }
  return null;
}

/**
 * Overwrites rows `rows` of the [V, H] variable `v` with the same rows of `src` (a [V, H] matrix
 * stored from `srcOffset`) and returns true, on the cpu and wasm backends; returns false (nothing
 * written) where the variable's memory cannot be written in place, and the caller assigns it whole.
 * Rows are checked against V first, so a bad id writes nothing.
 */
export function writeRowsInPlace(
  v: tf.Variable,
  src: Float32Array,
  srcOffset: number,
  rows: Int32Array,
): boolean {
  if (v.rank !== 2) throw new Error(`writeRowsInPlace: the variable is [${v.shape}], not 2-D`);
  const [V, H] = v.shape as [number, number];
  if (srcOffset < 0 || srcOffset + V * H > src.length)
    throw new Error(`writeRowsInPlace: a [${V}, ${H}] matrix does not fit at ${srcOffset}`);
  checkRows('writeRowsInPlace', rows, V);
  const dst = ownValues(v);
  if (!dst) return false;
  for (const r of rows) dst.set(src.subarray(srcOffset + r * H, srcOffset + (r + 1) * H), r * H);
  return true;
}

/**
 * Overwrites every value of `v` with `src[srcOffset … srcOffset + v.size)` and returns true, on
 * the cpu and wasm backends; returns false (nothing written) where the variable's memory cannot be
 * written in place, and the caller assigns it.
 */
export function writeValuesInPlace(v: tf.Variable, src: Float32Array, srcOffset: number): boolean {
  if (srcOffset < 0 || srcOffset + v.size > src.length)
    throw new Error(`writeValuesInPlace: ${v.size} values do not fit at ${srcOffset}`);
  const dst = ownValues(v);
  if (!dst) return false;
  dst.set(src.subarray(srcOffset, srcOffset + v.size));
  return true;
}

function checkRows(what: string, rows: Int32Array, V: number): void {
  for (const r of rows)
    if (!(r >= 0 && r < V)) throw new Error(`${what}: row ${r} is outside [0, ${V})`);
}

/**
 * Adds packed row i of `packed` ([n, H], n = rows.length) into row rows[i] of the [V, H] tensor
 * `t`, in order, each add rounded to float32 (as tf.add), and returns `t`'s values (a view of the
 * backend's memory, valid until the next tensor operation), on the cpu and wasm backends; returns
 * null (nothing written) where `t`'s memory cannot be written in place.
 */
export function addRowsInPlace(
  t: tf.Tensor,
  packed: Float32Array,
  rows: Int32Array,
): Float32Array | null {
  if (t.rank !== 2) throw new Error(`addRowsInPlace: the tensor is [${t.shape}], not 2-D`);
  const [V, H] = t.shape as [number, number];
  if (packed.length < rows.length * H)
    throw new Error(`addRowsInPlace: ${rows.length} rows of ${H} need ${rows.length * H} values`);
  checkRows('addRowsInPlace', rows, V);
  const dst = ownValues(t);
  if (!dst) return null;
  for (let i = 0; i < rows.length; i++) {
    const at = rows[i]! * H;
    for (let j = 0; j < H; j++) dst[at + j]! += packed[i * H + j]!;
  }
  return dst;
}
