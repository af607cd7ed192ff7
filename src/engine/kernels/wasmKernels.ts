/**
 * PERF (issue 12): the engine's own kernels for tfjs-backend-wasm, registered under their own
 * names for the 'wasm' backend and run through `tf.engine().runKernel`, so the tape records them
 * and their gradients (registered below) like any TF.js op.
 *
 * They are WASM SIMD functions (wasmKernels.c, built into wasmBinary.ts by wasmBuild.sh) in a
 * small module of our own that imports the backend's memory: they read and write tensors in place
 * on the backend's heap (`memoryOffset`), with no copy in or out.
 *
 *   CplayHeadsQKt    scores per head straight from the Linear outputs (no head split):
 *                    out[n,h,i,j] = alpha·Σ_d a[n,i,h·dh+d]·b[n,j,h·dh+d]        → [B, nh, La, Lb]
 *   CplayHeadsPV     out[n,i,h·dh+d] = alpha·Σ_j P'[n,h,i,j]·v[n,j,h·dh+d], P' = p or pᵀ per head
 *                    (the heads merged in place: no merge transpose)              → [B, Lo, H]
 *   CplayTranspose2D xᵀ, optionally with a row of ones appended (denseMatMul's [xᵀ; 1])
 *   (and the hash dropout's body for dropoutMask.ts's CplayDropout / CplayDropoutMask on wasm)
 *   (and the fused Adam/AdamW update and the float64 2-norm for the optimiser: wasmOptimKernels.ts)
 *
 * With them, faster bodies for the stock Identity, GatherV2, Exp and Erf (wasmOverrides.ts), and
 * for the plain BatchMatMul / _FusedMatMul (wasmGemm.ts).
 *
 * Why: tfjs-backend-wasm 4.22 runs a batched or transposed BatchMatMul as a scalar loop (~1 GMAC/s)
 * and its Transpose at ~13 ns an element on BERT's shapes; see docs/benchmarks.md.
 *
 * `wasmKernelsReady()` says whether they can run (the backend is wasm and the module instantiated
 * against its memory); callers keep the stock ops otherwise. The module is compiled synchronously
 * (allowed in Node and in Workers, where training runs; where a browser's main thread refuses a
 * synchronous compile of this size, the stock ops run).
 */
import * as tf from '../tf.ts';
import { decodeBase64 } from './base64.ts';
import { WASM_KERNELS_PLAIN, WASM_KERNELS_SHARED } from './wasmBinary.ts';
import { gemmBodies } from './wasmGemm.ts';
import { installWasmOverrides, type OverrideHost } from './wasmOverrides.ts';

export const HEADS_QKT = 'CplayHeadsQKt';
export const HEADS_PV = 'CplayHeadsPV';
export const TRANSPOSE_2D = 'CplayTranspose2D';

/** The parts of tfjs-backend-wasm's BackendWasm the kernels use. */
interface WasmBackendLike {
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

interface KernelExports {
  heads_qkt(
    a: number,
    b: number,
    out: number,
    B: number,
    La: number,
    Lb: number,
    nh: number,
    dh: number,
    alpha: number,
  ): void;
  heads_pv(
    p: number,
    v: number,
    out: number,
    B: number,
    Lo: number,
    Lk: number,
    nh: number,
    dh: number,
    transP: number,
    alpha: number,
  ): void;
  transpose2d(src: number, dst: number, rows: number, cols: number): void;
  exp_f32(x: number, out: number, n: number): void;
  erf_f32(x: number, out: number, n: number): void;
  gelu_f32(x: number, out: number, n: number): void;
  gelu_grad_f32(x: number, dy: number, out: number, n: number): void;
  layer_norm(
    x: number,
    w: number,
    b: number,
    y: number,
    rows: number,
    H: number,
    eps: number,
  ): void;
  layer_norm_grad(
    x: number,
    w: number,
    dy: number,
    dx: number,
    dw: number,
    db: number,
    rows: number,
    H: number,
    eps: number,
  ): void;
  dropout_apply(
    x: number,
    out: number,
    n: number,
    k0: number,
    k1: number,
    threshold: number,
    scale: number,
  ): void;
  dropout_mask(out: number, n: number, k0: number, k1: number, threshold: number): void;
  adam_update(
    p: number,
    g: number,
    m: number,
    v: number,
    po: number,
    mo: number,
    vo: number,
    n: number,
    gscale: number,
    l2: number,
    hasDecay: number,
    decay: number,
    b1: number,
    omb1: number,
    b2: number,
    omb2: number,
    sqrtBc2: number,
    eps: number,
    stepSize: number,
  ): void;
  norm2(x: number, out: number, n: number): void;
}

interface Instance {
  memory: WebAssembly.Memory;
  k: KernelExports;
}

let enabled = true;

const modules: { plain?: WebAssembly.Module | null; shared?: WebAssembly.Module | null } = {};
const instances = new WeakMap<object, Instance | null>();

function compiled(kind: 'plain' | 'shared'): WebAssembly.Module | null {
  if (modules[kind] === undefined) {
    try {
      modules[kind] = new WebAssembly.Module(
        decodeBase64(kind === 'plain' ? WASM_KERNELS_PLAIN : WASM_KERNELS_SHARED) as BufferSource,
      );
    } catch {
      modules[kind] = null; // e.g. a browser's main thread that limits synchronous compiles
    }
  }
  return modules[kind] ?? null;
}

/** Our module instantiated against this backend's heap (once per backend), or null. */
function instanceFor(backend: object): Instance | null {
  const cached = instances.get(backend);
  if (cached !== undefined) return cached;
  let inst: Instance | null = null;
  const wasm = (backend as Partial<WasmBackendLike>).wasm;
  const memory = wasm?.wasmMemory ?? wasm?.asm?.memory;
  if (memory instanceof WebAssembly.Memory) {
    const shared =
      typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = compiled(shared ? 'shared' : 'plain');
    if (module) {
      try {
        const instance = new WebAssembly.Instance(module, { env: { memory } });
        inst = { memory, k: instance.exports as unknown as KernelExports };
      } catch {
        inst = null;
      }
    }
  }
  instances.set(backend, inst);
  // The faster Identity / GatherV2 / Exp / Erf bodies (wasmOverrides.ts) and the products
  // (wasmGemm.ts), now that
  // tfjs-backend-wasm has registered its own kernels (it does when imported, after this module).
  if (inst) installWasmOverrides(overrideHost, gemmBodies);
  return inst;
}

const onMemory = new WeakMap<WebAssembly.Memory, AdamUpdateKernel | null>();

/** The fused Adam update (wasmKernels.c `adam_update`) and the memory its pointers address. */
export interface AdamUpdateKernel {
  memory: WebAssembly.Memory;
  run: KernelExports['adam_update'];
}

/**
 * The fused Adam update instantiated on a shared memory of the caller's (the data-parallel
 * replicas' arena, parallel/shared.ts), not a backend's heap; null where the module does not
 * compile or instantiate here (an engine without WASM SIMD). Once per memory.
 */
export function adamKernelOn(memory: WebAssembly.Memory): AdamUpdateKernel | null {
  const cached = onMemory.get(memory);
  if (cached !== undefined) return cached;
  let k: AdamUpdateKernel | null = null;
  const module = compiled('shared');
  if (module) {
    try {
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      k = { memory, run: (instance.exports as unknown as KernelExports).adam_update };
    } catch {
      k = null;
    }
  }
  onMemory.set(memory, k);
  return k;
}

/**
 * Turns the own kernels off (the stock ops run) or back on: for A/B measurements in one process
 * and for tests comparing whole models on both paths. On by default.
 */
export function setWasmKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** True when the current backend is wasm and the own kernels run on it (and are enabled). */
export function wasmKernelsReady(): boolean {
  return enabled && tf.getBackend() === 'wasm' && instanceFor(tf.backend()) !== null;
}

/** The backend, our module's exports and tensor pointers, for a kernel body (here and wasmOptimKernels.ts). */
export function setup(backend: unknown) {
  const b = backend as WasmBackendLike;
  const inst = instanceFor(b);
  if (!inst) throw new Error('the own WASM kernels did not instantiate on this backend');
  const ptr = (t: tf.TensorInfo) => {
    if (t.dtype !== 'float32') throw new Error(`own WASM kernels take float32, got ${t.dtype}`);
    const d = b.dataIdMap.get(t.dataId);
    if (!d) throw new Error('tensor data not on the wasm backend');
    return d.memoryOffset;
  };
  return { b, k: inst.k, memory: inst.memory, ptr };
}

const overrideHost: OverrideHost = {
  active: () => enabled,
  heap: (backend) => setup(backend).memory.buffer,
  unary: (backend, fn, x) => {
    const { b, k, ptr } = setup(backend);
    const out = b.makeOutput([...x.shape], 'float32');
    k[fn](
      ptr(x),
      ptr(out),
      x.shape.reduce((p, d) => p * d, 1),
    );
    return out;
  },
};

/** The hash dropout's keys (dropoutMask.ts's DropoutKeys). */
export interface HashDropoutKeys {
  k0: number;
  k1: number;
  threshold: number;
  scale: number;
}

/**
 * The hash dropout on the wasm backend's heap in SIMD: out = x · keep · scale, or the 0/1 keep
 * mask when x is null. Returns false (and writes nothing) where the own module cannot run, so
 * the caller keeps its JS loop; both give the same bits.
 */
export function wasmHashDropout(
  backend: unknown,
  x: tf.TensorInfo | null,
  out: tf.TensorInfo,
  keys: HashDropoutKeys,
): boolean {
  if (!enabled || instanceFor(backend as object) === null) return false;
  const { k, ptr } = setup(backend);
  const n = out.shape.reduce((p, d) => p * d, 1);
  // u32 keys as the i32 bit patterns the module's unsigned parameters receive.
  if (x)
    k.dropout_apply(ptr(x), ptr(out), n, keys.k0 | 0, keys.k1 | 0, keys.threshold | 0, keys.scale);
  else k.dropout_mask(ptr(out), n, keys.k0 | 0, keys.k1 | 0, keys.threshold | 0);
  return true;
}

const headDims = (shape: number[], heads: number) => {
  const H = shape[2]!;
  if (shape.length !== 3 || H % heads !== 0)
    throw new Error(`expected [B, L, H] with H divisible by ${heads} heads, got [${shape}]`);
  return { B: shape[0]!, L: shape[1]!, dh: H / heads };
};

tf.registerKernel({
  kernelName: HEADS_QKT,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { heads, alpha } = attrs as unknown as { heads: number; alpha: number };
    const { b: be, k, ptr } = setup(backend);
    const da = headDims(a.shape, heads);
    const db = headDims(b.shape, heads);
    if (db.B !== da.B || db.dh !== da.dh)
      throw new Error(`${HEADS_QKT}: [${a.shape}] vs [${b.shape}]`);
    const out = be.makeOutput([da.B, heads, da.L, db.L], 'float32');
    k.heads_qkt(ptr(a), ptr(b), ptr(out), da.B, da.L, db.L, heads, da.dh, alpha);
    return out;
  },
});

tf.registerKernel({
  kernelName: HEADS_PV,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { p, v } = inputs as { p: tf.TensorInfo; v: tf.TensorInfo };
    const { heads, transP, alpha } = attrs as unknown as {
      heads: number;
      transP: boolean;
      alpha: number;
    };
    const { b: be, k, ptr } = setup(backend);
    const dv = headDims(v.shape, heads);
    const [B, nh, r, c] = p.shape as [number, number, number, number];
    const [Lo, Lk] = transP ? [c, r] : [r, c];
    if (p.shape.length !== 4 || B !== dv.B || nh !== heads || Lk !== dv.L)
      throw new Error(`${HEADS_PV}: [${p.shape}] vs [${v.shape}]`);
    const out = be.makeOutput([B, Lo, heads * dv.dh], 'float32');
    k.heads_pv(ptr(p), ptr(v), ptr(out), B, Lo, Lk, heads, dv.dh, transP ? 1 : 0, alpha);
    return out;
  },
});

tf.registerKernel({
  kernelName: TRANSPOSE_2D,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { onesRow } = attrs as unknown as { onesRow: boolean };
    const { b: be, k, memory, ptr } = setup(backend);
    if (x.shape.length !== 2) throw new Error(`${TRANSPOSE_2D} takes a matrix, got [${x.shape}]`);
    const [rows, cols] = x.shape as [number, number];
    const out = be.makeOutput([cols + (onesRow ? 1 : 0), rows], 'float32');
    const dst = ptr(out);
    k.transpose2d(ptr(x), dst, rows, cols);
    if (onesRow) new Float32Array(memory.buffer, dst + cols * rows * 4, rows).fill(1);
    return out;
  },
});

/** out[n,h,i,j] = alpha·Σ_d a[n,i,h·dh+d]·b[n,j,h·dh+d]. a [B, La, H], b [B, Lb, H] → [B, nh, La, Lb] */
export function headsQKt(
  a: tf.Tensor3D,
  b: tf.Tensor3D,
  heads: number,
  alpha: number,
): tf.Tensor4D {
  return tf.engine().runKernel(HEADS_QKT, { a, b }, { heads, alpha }) as tf.Tensor4D;
}

/**
 * out[n,i,h·dh+d] = alpha·Σ_j P'[n,h,i,j]·v[n,j,h·dh+d] with P' = p, or pᵀ per head when transP.
 * p [B, nh, Lo, Lk] (transP: [B, nh, Lk, Lo]), v [B, Lk, H] → [B, Lo, H]
 */
export function headsPV(
  p: tf.Tensor4D,
  v: tf.Tensor3D,
  heads: number,
  transP: boolean,
  alpha: number,
): tf.Tensor3D {
  return tf.engine().runKernel(HEADS_PV, { p, v }, { heads, transP, alpha }) as tf.Tensor3D;
}

/** [rows, cols] → [cols, rows], or [cols + 1, rows] ending in a row of ones when onesRow. */
export function transpose2D(x: tf.Tensor2D, onesRow = false): tf.Tensor2D {
  return tf.engine().runKernel(TRANSPOSE_2D, { x }, { onesRow }) as tf.Tensor2D;
}

// Gradients, by the product rule, in the same kernels.
tf.registerGradient({
  kernelName: HEADS_QKT,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved as [tf.Tensor3D, tf.Tensor3D];
    const { heads, alpha } = attrs as unknown as { heads: number; alpha: number };
    const ds = dy as tf.Tensor4D; // [B, nh, La, Lb]
    return {
      a: () => headsPV(ds, b, heads, false, alpha), // da_h = alpha·dS·b_h
      b: () => headsPV(ds, a, heads, true, alpha), // db_h = alpha·dSᵀ·a_h
    };
  },
});

tf.registerGradient({
  kernelName: HEADS_PV,
  inputsToSave: ['p', 'v'],
  gradFunc: (dy, saved, attrs) => {
    const [p, v] = saved as [tf.Tensor4D, tf.Tensor3D];
    const { heads, transP, alpha } = attrs as unknown as {
      heads: number;
      transP: boolean;
      alpha: number;
    };
    const dout = dy as tf.Tensor3D; // [B, Lo, H]
    return {
      // dP' = alpha·dout_h·v_hᵀ; p itself is P' or its transpose.
      p: () => (transP ? headsQKt(v, dout, heads, alpha) : headsQKt(dout, v, heads, alpha)),
      v: () => headsPV(p, dout, heads, !transP, alpha), // dv_h = alpha·P'ᵀ·dout_h
    };
  },
});

tf.registerGradient({
  kernelName: TRANSPOSE_2D,
  gradFunc: (dy, _saved, attrs) => {
    const { onesRow } = attrs as unknown as { onesRow: boolean };
    const d = dy as tf.Tensor2D; // [cols (+1), rows]
    return { x: () => transpose2D(onesRow ? d.slice([0, 0], [d.shape[0] - 1, -1]) : d) };
  },
});
