/**
 * Adam and AdamW as torch.optim.Adam / torch.optim.AdamW (torch 1.13 `_single_tensor_adam(w)`,
 * amsgrad off). With t this variable's update count (1 on its first update):
 *
 *   adam:   g ← g + wd·p                    (L2 decay on the gradient, only if wd ≠ 0)
 *   adamw:  p ← p·(1 − lr·wd)               (decoupled decay, before the moments)
 *   m ← β1·m + (1 − β1)·g                  slot `exp_avg`
 *   v ← β2·v + (1 − β2)·g²                 slot `exp_avg_sq`
 *   denom = √v / √(1 − β2^t) + eps         (eps added after the bias correction, as torch)
 *   p ← p − (lr / (1 − β1^t))·m / denom
 */
import { type AdamUpdateConstants, fusedAdamUpdate } from '../../kernels/index.ts';
import * as tf from '../../tf.ts';
import { SlotOptimizer } from './base.ts';

/** What an Adam / AdamW update is set by; `decayFor(name)` is the variable's weight decay. */
export interface AdamHyper {
  kind: 'adam' | 'adamw';
  beta1: number;
  beta2: number;
  eps: number;
  decayFor(name: string): number;
}

/**
 * The constants of one variable's update at its update count `step` (1 on its first): one
 * function for the tf ops below, the fused kernel and the replicas' sharded update
 * (parallel/shardedAdam.ts), so all three step alike.
 */
export function adamConstants(
  h: AdamHyper,
  name: string,
  step: number,
  lr: number,
  gradScale: number,
): AdamUpdateConstants {
  const wd = h.decayFor(name);
  return {
    gradScale,
    l2: wd !== 0 && h.kind === 'adam' ? wd : 0,
    decay: wd !== 0 && h.kind === 'adamw' ? 1 - lr * wd : null,
    beta1: h.beta1,
    beta2: h.beta2,
    sqrtBiasCorrection2: Math.sqrt(1 - h.beta2 ** step),
    eps: h.eps,
    stepSize: lr / (1 - h.beta1 ** step),
  };
}

export class Adam extends SlotOptimizer implements AdamHyper {
  constructor(
    readonly kind: 'adam' | 'adamw',
    readonly beta1: number,
    readonly beta2: number,
    readonly eps: number,
    readonly decayFor: (name: string) => number,
  ) {
    super();
  }

  protected slotShapes(shape: number[]): Record<string, number[]> {
    return { exp_avg: shape, exp_avg_sq: shape };
  }

  protected update(
    name: string,
    v: tf.Variable,
    g: tf.Tensor,
    slots: Map<string, tf.Variable>,
    step: number,
    lr: number,
    gradScale: number,
  ): void {
    const c = (x: number) => this.constant(x);
    const expAvg = slots.get('exp_avg')!;
    const expAvgSq = slots.get('exp_avg_sq')!;
    const k = adamConstants(this, name, step, lr, gradScale);
    // PERF (issue 12): on wasm the same operations in one pass (kernels/wasmOptimKernels.ts).
    const fused = fusedAdamUpdate(v, g, expAvg, expAvgSq, k);
    if (fused) {
      const [p2, m2, s2] = fused;
      expAvg.assign(m2);
      expAvgSq.assign(s2);
      v.assign(p2);
      return;
    }
    let p: tf.Tensor = v;
    let grad = this.scaled(g, gradScale);
    if (k.l2 !== 0) grad = tf.add(grad, tf.mul(v, c(k.l2)));
    if (k.decay !== null) p = tf.mul(v, c(k.decay));
    const m = tf.add(tf.mul(expAvg, c(k.beta1)), tf.mul(grad, c(1 - k.beta1)));
    const s = tf.add(tf.mul(expAvgSq, c(k.beta2)), tf.mul(tf.square(grad), c(1 - k.beta2)));
    const denom = tf.add(tf.div(tf.sqrt(s), c(k.sqrtBiasCorrection2)), c(k.eps));
    expAvg.assign(m);
    expAvgSq.assign(s);
    v.assign(tf.sub(p, tf.mul(tf.div(m, denom), c(k.stepSize))));
  }
}
