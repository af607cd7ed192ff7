/**
 * PERF (issue 12): the optimiser's own WASM kernels (bodies in wasmKernels.c).
 *
 *   CplayAdamUpdate  one Adam / AdamW update of a parameter in one pass: (p, g, m, v) → (p', m', v')
 *                    with the clipping coefficient folded in; the same float32 operations in the
 *                    same order as optim/adam.ts's tf ops, so the same bits (tested).
 *   CplayNorm2       ‖x‖₂ of a whole tensor, the squares summed in float64 → []
 *
 * Why: the stock ops run AdamW as ~14 elementwise kernels per weight, each a pass over memory and
 * a new buffer; for bert-tiny's 4.4 M weights that was ~100 ms of a ~1.4 s step, serial in the
 * coordinator when K replicas compute (docs/benchmarks.md). Not on any tape: optimiser work only.
 */
import * as tf from '../tf.ts';
import { setup, wasmKernelsReady } from './wasmKernels.ts';

export const ADAM_UPDATE = 'CplayAdamUpdate';
export const NORM2 = 'CplayNorm2';

/** The update's constants, each rounded to float32 as the tf path's scalar tensors are. */
export interface AdamUpdateConstants {
  /** Gradient clipping's coefficient (1 = none). */
  gradScale: number;
  /** Adam's L2 decay added to the gradient (0 = none). */
  l2: number;
  /** AdamW's decoupled decay factor 1 − lr·wd, or null for none. */
  decay: number | null;
  beta1: number;
  beta2: number;
  /** √(1 − β2^t). */
  sqrtBiasCorrection2: number;
  eps: number;
  /** lr / (1 − β1^t). */
  stepSize: number;
}

/**
 * The kernel's arguments after the pointers and the length, in its order (wasmKernels.c
 * `adam_update`): one place for the fused update here and the replicas' (parallel/shardedAdam.ts).
 */
export function adamKernelConstants(
  c: AdamUpdateConstants,
): [number, number, number, number, number, number, number, number, number, number, number] {
  return [
    c.gradScale,
    c.l2,
    c.decay === null ? 0 : 1,
    c.decay ?? 1,
    c.beta1,
    1 - c.beta1,
    c.beta2,
    1 - c.beta2,
    c.sqrtBiasCorrection2,
    c.eps,
    c.stepSize,
  ];
}

const numel = (t: tf.TensorInfo) => t.shape.reduce((a, d) => a * d, 1);

tf.registerKernel({
  kernelName: ADAM_UPDATE,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { p, g, m, v } = inputs as Record<'p' | 'g' | 'm' | 'v', tf.TensorInfo>;
    const c = attrs as unknown as AdamUpdateConstants;
    const { b, k, ptr } = setup(backend);
    const n = numel(p);
    for (const [name, t] of [
      ['g', g],
      ['m', m],
      ['v', v],
    ] as const)
      if (numel(t) !== n) throw new Error(`${ADAM_UPDATE}: ${name} [${t.shape}] vs p [${p.shape}]`);
    const po = b.makeOutput([...p.shape], 'float32');
    const mo = b.makeOutput([...p.shape], 'float32');
    const vo = b.makeOutput([...p.shape], 'float32');
    k.adam_update(
      ptr(p),
      ptr(g),
      ptr(m),
      ptr(v),
      ptr(po),
      ptr(mo),
      ptr(vo),
      n,
      ...adamKernelConstants(c),
    );
    return [po, mo, vo];
  },
});

tf.registerKernel({
  kernelName: NORM2,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { b, k, ptr } = setup(backend);
    const out = b.makeOutput([], 'float32');
    k.norm2(ptr(x), ptr(out), numel(x));
    return out;
  },
});

/** The fused update's new parameter and slots, or null where the own kernels cannot run. */
export function fusedAdamUpdate(
  p: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  c: AdamUpdateConstants,
): [tf.Tensor, tf.Tensor, tf.Tensor] | null {
  if (!wasmKernelsReady()) return null;
  const attrs = { ...c } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(ADAM_UPDATE, { p, g, m, v }, attrs) as unknown as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
}

/** ‖x‖₂ as a [] tensor (float64 sums), or null where the own kernels cannot run. */
export function fusedNorm2(x: tf.Tensor): tf.Scalar | null {
  if (!wasmKernelsReady()) return null;
  return tf.engine().runKernel(NORM2, { x }, {}) as tf.Scalar;
}
