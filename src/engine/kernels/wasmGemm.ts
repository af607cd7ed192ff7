/**
 * PERF (issue 12): the engine's own matrix product on tfjs-backend-wasm, installed over the stock
 * `BatchMatMul` and `_FusedMatMul` bodies for the case every Linear of the encoder takes (and, on
 * wasm, its gradient products too: denseMatMul.ts makes them plain): neither operand transposed,
 * B a single matrix, float32, no activation but the bias. Anything else runs the stock kernel.
 *
 * The products are ~70% of a training step on WASM. tfjs-backend-wasm 4.22 runs them through
 * XNNPACK's WASM SIMD kernels, which multiply and add in two instructions (7–10 GMAC/s on this
 * machine's shapes). wasmGemm.c does them with relaxed SIMD's fused multiply-add where the engine
 * has it (Chromium since 114; Node 20 behind a V8 flag, turned on below; Node 22 by default):
 * 16–25 GMAC/s on the same shapes. Where relaxed SIMD is missing, the same C without it still
 * packs B once per call into cache-friendly panels (10–12 GMAC/s).
 *
 * Numbers: the same products in another summation order (K blocks of ≤ 512, bias first, fused
 * rounding): within float32 rounding of the stock kernel (tests/unit/kernels/wasmGemm.test.ts).
 * Deterministic: the same inputs give the same bits on the same engine.
 */
import * as tf from '../tf.ts';
import { decodeBase64 } from './base64.ts';
import {
  GEMM_RELAXED,
  GEMM_RELAXED_SHARED,
  GEMM_SIMD,
  GEMM_SIMD_SHARED,
} from './wasmGemmBinary.ts';
import type { Body } from './wasmOverrides.ts';

/** Which GEMM runs: the fastest the engine validates ('auto'), one forced, or the stock kernels. */
export type WasmGemmMode = 'auto' | 'relaxed' | 'simd' | 'off';
export type WasmGemmVariant = 'relaxed' | 'simd';

interface GemmBackend {
  wasm: {
    wasmMemory?: WebAssembly.Memory;
    asm?: { memory?: WebAssembly.Memory };
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

type GemmFn = (
  a: number,
  b: number,
  c: number,
  bias: number,
  scratch: number,
  M: number,
  K: number,
  N: number,
  kc: number,
  mc: number,
) => void;

let mode: WasmGemmMode = 'auto';

/** Forces a GEMM variant or the stock kernels (A/B measurements, tests); 'auto' by default. */
export function setWasmGemmMode(m: WasmGemmMode): void {
  mode = m;
}

/** The four builds, by variant and by the memory they import (plain or shared). */
const BUILDS = {
  relaxed: { plain: GEMM_RELAXED, shared: GEMM_RELAXED_SHARED },
  simd: { plain: GEMM_SIMD, shared: GEMM_SIMD_SHARED },
} as const;

let relaxed: boolean | undefined;

/**
 * Whether this engine runs relaxed SIMD. Node 20's V8 (11.3) has it behind
 * --experimental-wasm-relaxed-simd; V8 reads its wasm feature flags when it compiles, so the flag
 * is turned on here (process-wide, worker_threads included) before the module is compiled.
 */
function relaxedSimd(): boolean {
  if (relaxed !== undefined) return relaxed;
  const probe = decodeBase64(BUILDS.relaxed.plain) as BufferSource;
  relaxed = WebAssembly.validate(probe);
  if (!relaxed) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process;
    const v8 = proc?.getBuiltinModule?.('node:v8') as
      | { setFlagsFromString(flags: string): void }
      | undefined;
    if (v8) {
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
      relaxed = WebAssembly.validate(probe);
    }
  }
  return relaxed;
}

const modules = new Map<string, WebAssembly.Module | null>();
const instances = new WeakMap<object, Partial<Record<WasmGemmVariant, GemmFn | null>>>();

function compiled(variant: WasmGemmVariant, shared: boolean): WebAssembly.Module | null {
  const key = `${variant}${shared ? '-shared' : ''}`;
  if (!modules.has(key)) {
    let m: WebAssembly.Module | null = null;
    try {
      const base64 = BUILDS[variant][shared ? 'shared' : 'plain'];
      m = new WebAssembly.Module(decodeBase64(base64) as BufferSource);
    } catch {
      m = null; // an engine without (relaxed) SIMD, or a main thread refusing a synchronous compile
    }
    modules.set(key, m);
  }
  return modules.get(key) ?? null;
}

function gemmFor(backend: GemmBackend, variant: WasmGemmVariant): GemmFn | null {
  let perBackend = instances.get(backend);
  if (!perBackend) {
    perBackend = {};
    instances.set(backend, perBackend);
  }
  const cached = perBackend[variant];
  if (cached !== undefined) return cached;
  let fn: GemmFn | null = null;
  const memory = backend.wasm?.wasmMemory ?? backend.wasm?.asm?.memory;
  if (memory instanceof WebAssembly.Memory && typeof backend.wasm._malloc === 'function') {
    const shared =
      typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = compiled(variant, shared);
    if (module) {
      try {
        const inst = new WebAssembly.Instance(module, { env: { memory } });
        fn = inst.exports.gemm_f32 as unknown as GemmFn;
      } catch {
        fn = null;
      }
    }
  }
  perBackend[variant] = fn;
  return fn;
}

/** The variant the products run on for this backend now and its function, or null (stock). */
function chosen(backend: GemmBackend): { variant: WasmGemmVariant; gemm: GemmFn } | null {
  if (mode === 'off' || tf.getBackend() !== 'wasm') return null;
  const variant: WasmGemmVariant =
    mode === 'simd' || (mode === 'auto' && !relaxedSimd()) ? 'simd' : 'relaxed';
  if (variant === 'relaxed' && !relaxedSimd()) return null;
  const gemm = gemmFor(backend, variant);
  return gemm ? { variant, gemm } : null;
}

/** The variant the products run on for this backend now, or null (the stock kernels run). */
export function wasmGemmVariant(backend: unknown = tf.backend()): WasmGemmVariant | null {
  return chosen(backend as GemmBackend)?.variant ?? null;
}

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/**
 * C = A·B (+ bias) on the heap into a new output of `outShape`, or null where the own GEMM
 * cannot run (the caller runs the stock kernel).
 */
function product(
  backend: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  bias: tf.TensorInfo | null,
  outShape: number[],
  M: number,
  K: number,
  N: number,
): tf.TensorInfo | null {
  const be = backend as GemmBackend;
  const run = chosen(be);
  if (!run) return null;
  const { gemm } = run;
  const ptr = (t: tf.TensorInfo) => be.dataIdMap.get(t.dataId)!.memoryOffset;
  const out = be.makeOutput(outShape, 'float32');
  if (M === 0 || N === 0) return out;
  // K blocks: whole up to 512 (C is written once), else 128 (measured best for K = 4,096, where
  // B's packed block of [128, N] stays in L2); A in blocks of 96 rows.
  const kc = K <= 512 ? Math.max(K, 1) : 128;
  const scratch = be.wasm._malloc(kc * N * 4);
  if (!scratch) throw new Error(`the wasm heap has no room for a ${kc}×${N} GEMM panel`);
  try {
    gemm(ptr(a), ptr(b), ptr(out), bias ? ptr(bias) : 0, scratch, M, K, N, kc, 96);
  } finally {
    be.wasm._free(scratch);
  }
  return out;
}

/**
 * The plain case: A [...outer, M, K] (any leading dims, taken as outer·M rows) by one matrix
 * B [...ones, K, N]; the output's leading dims are A's, broadcast against B's ones as the stock
 * kernel does. Returns null for any other case.
 */
function plainShapes(a: tf.TensorInfo, b: tf.TensorInfo) {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  if (outerB.some((d) => d !== 1)) return null;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [k2, n] = b.shape.slice(-2) as [number, number];
  if (k !== k2) return null; // the stock kernel says what is wrong
  const rank = Math.max(outerA.length, outerB.length);
  const outer = [...new Array<number>(rank - outerA.length).fill(1), ...outerA];
  return { M: size(outerA) * m, K: k, N: n, outShape: [...outer, m, n] };
}

const batchMatMul: Body = (args, stock) => {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as {
    transposeA: boolean;
    transposeB: boolean;
  };
  const s = transposeA || transposeB ? null : plainShapes(a, b);
  const out = s ? product(args.backend, a, b, null, s.outShape, s.M, s.K, s.N) : null;
  return out ?? stock(args);
};

const fusedMatMul: Body = (args, stock) => {
  const { a, b, bias, preluActivationWeights } = args.inputs as {
    a: tf.TensorInfo;
    b: tf.TensorInfo;
    bias?: tf.TensorInfo | null;
    preluActivationWeights?: tf.TensorInfo | null;
  };
  const { transposeA, transposeB, activation } = args.attrs as unknown as {
    transposeA: boolean;
    transposeB: boolean;
    activation?: string;
  };
  const linear = (activation ?? 'linear') === 'linear' && !preluActivationWeights;
  const s = transposeA || transposeB || !linear ? null : plainShapes(a, b);
  const biasOk =
    !bias || (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === s?.N);
  const out =
    s && biasOk ? product(args.backend, a, b, bias ?? null, s.outShape, s.M, s.K, s.N) : null;
  return out ?? stock(args);
};

/** The bodies wasmOverrides.ts installs over the stock kernels of these names. */
export const gemmBodies: Record<string, Body> = {
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
};
