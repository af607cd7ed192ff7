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
import { fusedAdamUpdate } from '../../kernels/index.ts';
import * as tf from '../../tf.ts';
import { SlotOptimizer } from './base.ts';

export class Adam extends SlotOptimizer {
  constructor(
    readonly kind: 'adam' | 'adamw',
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly eps: number,
    private readonly decayFor: (name: string) => number,
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
    const { beta1, beta2, eps } = this;
    const c = (x: number) => this.constant(x);
    const wd = this.decayFor(name);
    const expAvg = slots.get('exp_avg')!;
    const expAvgSq = slots.get('exp_avg_sq')!;
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    const stepSize = lr / biasCorrection1;
    // PERF (issue 12): on wasm the same operations in one pass (kernels/wasmOptimKernels.ts).
    const fused = fusedAdamUpdate(v, g, expAvg, expAvgSq, {
      gradScale,
      l2: wd !== 0 && this.kind === 'adam' ? wd : 0,
      decay: wd !== 0 && this.kind === 'adamw' ? 1 - lr * wd : null,
      beta1,
      beta2,
      sqrtBiasCorrection2: Math.sqrt(biasCorrection2),
      eps,
      stepSize,
    });
    if (fused) {
      const [p2, m2, s2] = fused;
      expAvg.assign(m2);
      expAvgSq.assign(s2);
      v.assign(p2);
      return;
    }
    let p: tf.Tensor = v;
    let grad = this.scaled(g, gradScale);
    if (wd !== 0) {
      if (this.kind === 'adamw') p = tf.mul(v, c(1 - lr * wd));
      else grad = tf.add(grad, tf.mul(v, c(wd)));
    }
    const m = tf.add(tf.mul(expAvg, c(beta1)), tf.mul(grad, c(1 - beta1)));
    const s = tf.add(tf.mul(expAvgSq, c(beta2)), tf.mul(tf.square(grad), c(1 - beta2)));
    const denom = tf.add(tf.div(tf.sqrt(s), c(Math.sqrt(biasCorrection2))), c(eps));
    expAvg.assign(m);
    expAvgSq.assign(s);
    v.assign(tf.sub(p, tf.mul(tf.div(m, denom), c(stepSize))));
  }
}
