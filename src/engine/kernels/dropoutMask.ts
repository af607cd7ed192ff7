/**
 * Dropout masks drawn where the tensor lives (issue 12, point 4). `tf.randomUniform` fills its
 * numbers on the CPU (seedrandom) and, on WebGPU, uploads them every call: 2 MiB per hidden-state
 * site of a bench step. Here the keep decision of element i is a counter-based hash of
 * (seed, i), so a GPU shader, a JS loop on cpu and one on wasm all compute it where the data is,
 * bit for bit the same, and the same (seed, shape) always gives the same mask (GradCache's
 * replay, SimCSE's two views from two seeds).
 *
 *   bits(i) = mix32(mix32(i ⊕ k0) + k1)       (u32 arithmetic, + wraps)
 *   keep(i) = bits(i) ≥ t,  t = round(rate · 2³²)   →  P(keep) = 1 − rate (to 2⁻³²)
 *
 * `mix32` is Chris Wellons' "lowbias32" integer hash (a bijection of u32 with full avalanche);
 * the keys k0, k1 are mix32 of the seed with two constants, so two seeds give unrelated streams.
 *
 * Two kernels:
 * - `CplayDropout` (x → x · keep / (1 − rate)): the dropout itself, one pass over x, the mask never
 *   stored. Its gradient is the same kernel on dy (same seed, same mask).
 * - `CplayDropoutMask` (shape → the 0/1 keep mask, float32): what a probe sees (tests, wiring).
 *
 * Registered for cpu (a JS loop) and wasm here (SIMD in the own module, wasmKernels.c, where it
 * instantiates; else the JS loop over the backend's heap) and for webgpu in
 * webgpuDropoutMask.ts (a WGSL program run through the backend's own runWebGPUProgram; nothing is
 * imported from tfjs-backend-webgpu, so Node is unaffected). On any other backend (WebGL) the op
 * builds the same multiplier in JS and multiplies, so every backend gives the same mask.
 */
import * as tf from '../tf.ts';
import { wasmHashDropout } from './wasmKernels.ts';
import { registerWebgpuDropout } from './webgpuDropoutMask.ts';

export const DROPOUT_KERNEL = 'CplayDropout';
export const DROPOUT_MASK_KERNEL = 'CplayDropoutMask';

/** Wellons' lowbias32: a bijection of u32, every input bit reaching every output bit. */
export function mix32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** What every backend's kernel needs: the two hash keys, the keep threshold and the scale. */
export interface DropoutKeys {
  k0: number;
  k1: number;
  /** Keep where bits ≥ threshold (u32). */
  threshold: number;
  /** 1 / (1 − rate) as float32 (PyTorch's inverted dropout). */
  scale: number;
}

export function dropoutKeys(seed: number, rate: number): DropoutKeys {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${rate}`);
  const s = Math.floor(seed) >>> 0;
  return {
    k0: mix32(s ^ 0x9e3779b9),
    k1: mix32((s + 0x7f4a7c15) >>> 0),
    threshold: Math.min(0xffffffff, Math.round(rate * 4294967296)),
    scale: Math.fround(1 / (1 - rate)),
  };
}

/** The 32 hash bits of flat index i (the same expression as the WGSL shader's). */
export function dropoutBits(i: number, keys: DropoutKeys): number {
  return mix32((mix32(i ^ keys.k0) + keys.k1) >>> 0);
}

/** out[i] = x[i] · (keep(i) ? scale : 0); with x absent, out[i] = keep(i) ? 1 : 0. */
function fill(out: Float32Array, keys: DropoutKeys, x?: Float32Array): void {
  const { threshold, scale } = keys;
  for (let i = 0; i < out.length; i++) {
    const keep = dropoutBits(i, keys) >= threshold;
    out[i] = x ? x[i]! * (keep ? scale : 0) : keep ? 1 : 0;
  }
}

interface DropoutAttrs {
  seed: number;
  rate: number;
}
interface MaskAttrs extends DropoutAttrs {
  shape: number[];
}

const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

interface CpuBackendLike {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

function cpuDropout({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  const { seed, rate } = attrs as unknown as DropoutAttrs;
  const b = backend as unknown as CpuBackendLike;
  const out = new Float32Array(sizeOf(x.shape));
  fill(out, dropoutKeys(seed, rate), b.data.get(x.dataId).values as Float32Array);
  return b.makeTensorInfo([...x.shape], 'float32', out);
}

function cpuMask({ backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { seed, rate, shape } = attrs as unknown as MaskAttrs;
  const b = backend as unknown as CpuBackendLike;
  const out = new Float32Array(sizeOf(shape));
  fill(out, dropoutKeys(seed, rate));
  return b.makeTensorInfo([...shape], 'float32', out);
}

function wasmDropout({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  const { seed, rate } = attrs as unknown as DropoutAttrs;
  const b = backend as unknown as WasmBackendLike;
  const out = b.makeOutput([...x.shape], 'float32');
  const keys = dropoutKeys(seed, rate);
  // SIMD in the own module (wasmKernels.c), else the same bits from the JS loop. Views after
  // makeOutput: allocating may grow (and so move) the WASM heap.
  if (!wasmHashDropout(backend, x, out, keys))
    fill(b.typedArrayFromHeap(out), keys, b.typedArrayFromHeap(x));
  return out;
}

function wasmMask({ backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { seed, rate, shape } = attrs as unknown as MaskAttrs;
  const b = backend as unknown as WasmBackendLike;
  const out = b.makeOutput([...shape], 'float32');
  const keys = dropoutKeys(seed, rate);
  if (!wasmHashDropout(backend, null, out, keys)) fill(b.typedArrayFromHeap(out), keys);
  return out;
}

let registered = false;

/** Registers both kernels for cpu, wasm and webgpu, and the dropout's gradient. Idempotent. */
export function registerDropoutKernels(): void {
  if (registered) return;
  registered = true;
  for (const [backendName, dropout, mask] of [
    ['cpu', cpuDropout, cpuMask],
    ['wasm', wasmDropout, wasmMask],
  ] as const) {
    if (!tf.getKernel(DROPOUT_KERNEL, backendName))
      tf.registerKernel({ kernelName: DROPOUT_KERNEL, backendName, kernelFunc: dropout });
    if (!tf.getKernel(DROPOUT_MASK_KERNEL, backendName))
      tf.registerKernel({ kernelName: DROPOUT_MASK_KERNEL, backendName, kernelFunc: mask });
  }
  registerWebgpuDropout(DROPOUT_KERNEL, DROPOUT_MASK_KERNEL, dropoutKeys);
  // d(x · m)/dx = m: the same kernel, same seed and rate, on dy. Nothing is saved.
  tf.registerGradient({
    kernelName: DROPOUT_KERNEL,
    gradFunc: (dy, _saved, attrs) => ({
      x: () =>
        tf
          .engine()
          .runKernel(DROPOUT_KERNEL, { x: dy as tf.Tensor }, attrs as tf.NamedAttrMap) as tf.Tensor,
    }),
  });
}

registerDropoutKernels();

const onThisBackend = (kernel: string) => tf.getKernel(kernel, tf.getBackend()) !== undefined;

/**
 * Inverted dropout: x · keep / (1 − rate), keep from (seed, flat index). [any shape] → same shape.
 * rate 0 returns x itself.
 */
export function dropoutApply(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  if (rate <= 0) return x;
  const keys = dropoutKeys(seed, rate); // validates rate
  if (x.dtype !== 'float32') throw new Error(`dropout needs a float32 tensor, got ${x.dtype}`);
  if (onThisBackend(DROPOUT_KERNEL)) {
    const attrs: DropoutAttrs = { seed, rate };
    return tf
      .engine()
      .runKernel(DROPOUT_KERNEL, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  // Another backend (WebGL): the same multiplier, keep ? scale : 0, computed in JS, uploaded.
  const m = new Float32Array(x.size);
  fill(m, keys);
  for (let i = 0; i < m.length; i++) m[i] = m[i]! * keys.scale;
  return tf.tidy(() => x.mul(tf.tensor(m, x.shape, 'float32')));
}

/** The 0/1 keep mask dropoutApply(·, rate, seed) uses for a tensor of this shape. float32. */
export function dropoutMask(shape: number[], rate: number, seed: number): tf.Tensor {
  dropoutKeys(seed, rate);
  if (onThisBackend(DROPOUT_MASK_KERNEL)) {
    const attrs: MaskAttrs = { seed, rate, shape: [...shape] };
    return tf
      .engine()
      .runKernel(DROPOUT_MASK_KERNEL, {}, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  return tf.tensor(dropoutMaskValues(shape, rate, seed), shape, 'float32');
}

/** The same 0/1 mask as plain numbers, computed in JS (the reference the kernels must equal). */
export function dropoutMaskValues(shape: number[], rate: number, seed: number): Float32Array {
  const m = new Float32Array(sizeOf(shape));
  fill(m, dropoutKeys(seed, rate));
  return m;
}
