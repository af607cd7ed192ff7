/**
 * SGD as torch.optim.SGD (torch 1.13 `_single_tensor_sgd`), dampening 0, no Nesterov:
 *
 *   d = g + wd·p                       (L2 weight decay, only if wd ≠ 0)
 *   buf = d              on the first step,   buf = μ·buf + d   after   (only if μ ≠ 0)
 *   p ← p − lr·buf       (or p − lr·d without momentum)
 */
import * as tf from '../../tf.ts';
import { SlotOptimizer } from './base.ts';

export class Sgd extends SlotOptimizer {
  readonly kind = 'sgd' as const;

  constructor(
    private readonly momentum: number,
    private readonly decayFor: (name: string) => number,
  ) {
    super();
  }

  protected slotShapes(shape: number[]): Record<string, number[]> {
    return this.momentum !== 0 ? { momentum_buffer: shape } : {};
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
    g = this.scaled(g, gradScale);
    const wd = this.decayFor(name);
    let d = wd !== 0 ? tf.add(g, tf.mul(v, wd)) : g; // same shape as v
    if (this.momentum !== 0) {
      const buf = slots.get('momentum_buffer')!;
      // torch clones d into the buffer on the first step; later steps decay it by μ.
      const next = step === 1 ? tf.clone(d) : tf.add(tf.mul(buf, this.momentum), d);
      buf.assign(next);
      d = next;
    }
    v.assign(tf.sub(v, tf.mul(d, lr)));
  }
}
