/**
 * PERF (issue 12): faster bodies for five of tfjs-backend-wasm's own kernels, installed over the
 * stock ones (wasmKernels.ts installs them once the own kernels run on a wasm backend; each falls
 * back to the stock kernel outside the case it handles, or when the own kernels are disabled).
 *
 * - Identity: the stock kernel copies the tensor; TF.js calls it for every tensor it saves for the
 *   backward pass (~290 copies a bench step, 3% of it). Here it shares the data and counts a
 *   reference, as the cpu backend's Identity does (the wasm backend already refcounts data, and
 *   its Reshape shares data the same way; no kernel writes into its inputs).
 * - GatherV2 along axis 0 of a float32/int32 table (the embedding lookups): the stock kernel
 *   computes every element's address through generic strides (~20 ms for [4096, 128] rows). Here
 *   each row is one `copyWithin` on the heap. Indices are checked exactly as the stock kernel does.
 * - Tile (what `tf.broadcastTo` runs; the reduction gradients of webgpuReductionGrads.ts broadcast
 *   dy with it on every backend): the stock kernel computes each element's source index
 *   (~100 ms a bench step at [128, 32, 128]). Here rows are copied, or filled when one element
 *   wide, and blocks are doubled with `copyWithin`: memcpy speed, the same bits.
 * - Exp and Erf of float32 (exact GELU's erf and its gradient's exp, ~12 ms each per [4096, 512]
 *   with the stock scalar libm): the SIMD exp4 / erf4 of wasmKernels.c. exp is within 1 ulp of
 *   the correctly rounded value (as the stock expf); erf within 5e-7 absolute (7 ulp near ±1) of
 *   the stock erff.
 */
import * as tf from '../tf.ts';

interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  incRef(dataId: object): void;
}

type Args = Parameters<tf.KernelFunc>[0];
/** An own kernel body: handles its case, or calls the stock kernel. */
export type Body = (args: Args, stock: tf.KernelFunc) => tf.TensorInfo | tf.TensorInfo[];

/** What wasmKernels.ts lends the overrides. */
export interface OverrideHost {
  /** Read at every call: false → the stock kernel runs. */
  active(): boolean;
  /** The backend's heap as it is now (its memory's current buffer; views go stale on growth). */
  heap(backend: unknown): ArrayBufferLike;
  /** Runs one of the module's elementwise functions on x into a new output. */
  unary(backend: unknown, fn: 'exp_f32' | 'erf_f32', x: tf.TensorInfo): tf.TensorInfo;
}

function identity(args: Args, stock: tf.KernelFunc) {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return stock(args);
  (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

const gatherRows =
  (host: OverrideHost): Body =>
  (args, stock) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims: number };
    const rank = x.shape.length;
    const ax = axis < 0 ? axis + rank : axis;
    if (ax !== 0 || batchDims !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32')) {
      return stock(args);
    }
    if (indices.dtype !== 'int32') return stock(args);
    const b = args.backend as unknown as WasmBackendLike;
    const rows = x.shape[0]!;
    const width = x.shape.slice(1).reduce((p, d) => p * d, 1);
    const n = indices.shape.reduce((p, d) => p * d, 1);
    const ids = b.dataIdMap.get(indices.dataId)!.memoryOffset / 4;
    const idView = new Int32Array(host.heap(b), ids * 4, n);
    for (let i = 0; i < n; i++) {
      const id = idView[i]!;
      if (!(id >= 0 && id <= rows - 1)) {
        throw new Error(`GatherV2: the index value ${id} is not in [0, ${rows - 1}]`);
      }
    }
    const out = b.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    if (n === 0 || width === 0) return out;
    // The heap after makeOutput: it may have grown it (a new buffer).
    const heap = new Int32Array(host.heap(b));
    const src = b.dataIdMap.get(x.dataId)!.memoryOffset / 4;
    const dst = b.dataIdMap.get(out.dataId)!.memoryOffset / 4;
    for (let i = 0; i < n; i++) {
      const id = heap[ids + i]!;
      heap.copyWithin(dst + i * width, src + id * width, src + (id + 1) * width);
    }
    return out;
  };

/** out = x repeated reps[d] times along each axis d (row-major), written block by block. */
const tile =
  (host: OverrideHost): Body =>
  (args, stock) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { reps } = args.attrs as unknown as { reps: number[] };
    const bytes = { float32: 4, int32: 4, bool: 1 }[x.dtype as string];
    if (!bytes || reps.length !== x.shape.length || x.shape.length === 0) return stock(args);
    const b = args.backend as unknown as WasmBackendLike;
    const shape = x.shape;
    const rank = shape.length;
    const outShape = shape.map((d, i) => d * reps[i]!);
    const out = b.makeOutput(outShape, x.dtype);
    if (outShape.some((d) => d === 0)) return out;
    const buf = host.heap(b);
    const heap = bytes === 4 ? new Int32Array(buf) : new Uint8Array(buf);
    const src0 = b.dataIdMap.get(x.dataId)!.memoryOffset / bytes;
    const dst0 = b.dataIdMap.get(out.dataId)!.memoryOffset / bytes;
    const xStride = new Array<number>(rank);
    const oStride = new Array<number>(rank);
    xStride[rank - 1] = 1;
    oStride[rank - 1] = 1;
    for (let d = rank - 2; d >= 0; d--) {
      xStride[d] = xStride[d + 1]! * shape[d + 1]!;
      oStride[d] = oStride[d + 1]! * outShape[d + 1]!;
    }
    /** Copies block [dst, dst + len) to follow itself until it covers len·times elements. */
    const repeat = (dst: number, len: number, times: number) => {
      for (let have = len; have < len * times; have *= 2)
        heap.copyWithin(dst + have, dst, dst + Math.min(have, len * times - have));
    };
    const fill = (d: number, src: number, dst: number) => {
      const n = shape[d]!;
      if (d === rank - 1) {
        if (n === 1) heap.fill(heap[src]!, dst, dst + reps[d]!);
        else {
          heap.copyWithin(dst, src, src + n);
          repeat(dst, n, reps[d]!);
        }
        return;
      }
      for (let i = 0; i < n; i++) fill(d + 1, src + i * xStride[d]!, dst + i * oStride[d]!);
      repeat(dst, n * oStride[d]!, reps[d]!);
    };
    fill(0, src0, dst0);
    return out;
  };

const unaryBody =
  (host: OverrideHost, fn: 'exp_f32' | 'erf_f32'): Body =>
  (args, stock) => {
    const x = args.inputs.x as tf.TensorInfo;
    return x.dtype === 'float32' ? host.unary(args.backend, fn, x) : stock(args);
  };

const installed = new Set<string>();

/**
 * Puts the own bodies over the registered stock wasm kernels (once; the stock kernel's setup and
 * dispose functions are kept), and `more` (wasmGemm.ts's products). `host.active()` is read at
 * every call.
 */
export function installWasmOverrides(host: OverrideHost, more: Record<string, Body> = {}): void {
  const bodies: Record<string, Body> = {
    ...more,
    Identity: identity,
    GatherV2: gatherRows(host),
    Tile: tile(host),
    Exp: unaryBody(host, 'exp_f32'),
    Erf: unaryBody(host, 'erf_f32'),
  };
  for (const [name, body] of Object.entries(bodies)) {
    if (installed.has(name)) continue;
    const stock = tf.getKernel(name, 'wasm');
    if (!stock) continue;
    installed.add(name);
    const stockFunc = stock.kernelFunc;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      ...stock,
      kernelFunc: (args) => (host.active() ? body(args, stockFunc) : stockFunc(args)),
    });
  }
}
