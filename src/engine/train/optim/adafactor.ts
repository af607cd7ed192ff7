/**
 * Adafactor (Shazeer & Stern, 2018) with the update rule of Hugging Face's
 * `transformers.optimization.Adafactor.step` (itself from fairseq). With t this variable's update
 * count (1 on its first update) and RMS(x) = ‖x‖₂ / √numel(x):
 *
 *   ρ = relativeStep ? min(warmupInit ? 1e-6·t : 1e-2, 1/√t) : lr        (HF `_get_lr`)
 *   α = scaleParameter ? max(eps[1], RMS(p)) · ρ : ρ                      (RMS of p before the update)
 *   β2t = 1 − t^decayRate                                                 (0 on the first update)
 *   G = g² + eps[0]
 *   rank ≥ 2 (factored over the last two dims):
 *     R ← β2t·R + (1 − β2t)·mean(G, −1)     slot `exp_avg_sq_row`  [..., rows]
 *     C ← β2t·C + (1 − β2t)·mean(G, −2)     slot `exp_avg_sq_col`  [..., cols]
 *     u = g · rsqrt(R / mean(R, −1))[..., :, None] · rsqrt(C)[..., None, :]
 *   rank < 2:
 *     V ← β2t·V + (1 − β2t)·G               slot `exp_avg_sq`
 *     u = g · rsqrt(V)
 *   u ← u / max(1, RMS(u) / clipThreshold)   (update clipping)
 *   u ← α·u
 *   beta1 ≠ null:  M ← beta1·M + (1 − beta1)·u;  u = M      slot `exp_avg`
 *   p ← p − wd·α·p − u                       (wd from decayMask; HF default 0)
 *
 * The run's learning rate: with `relativeStep` (default, as HF) the `lr` given to `apply` is
 * ignored and ρ is Adafactor's own relative step; with `relativeStep: false` that `lr` (the
 * experiment's lr through its schedule) is ρ. Nothing is read back from the device: α stays a
 * tensor when it depends on RMS(p).
 */
import * as tf from '../../tf.ts';
import { SlotOptimizer } from './base.ts';
import type { ResolvedAdafactorOptions } from './optimizer.ts';

/** RMS(x) = ‖x‖₂ / √numel(x), a scalar tensor (HF `_rms`). */
function rms(x: tf.Tensor): tf.Scalar {
  return tf.div(tf.sqrt(tf.sum(tf.square(x))), Math.sqrt(x.size));
}

export class Adafactor extends SlotOptimizer {
  readonly kind = 'adafactor' as const;

  constructor(
    private readonly o: ResolvedAdafactorOptions,
    private readonly decayFor: (name: string) => number,
  ) {
    super();
  }

  protected slotShapes(shape: number[]): Record<string, number[]> {
    const slots: Record<string, number[]> = {};
    if (this.o.beta1 !== null) slots.exp_avg = shape;
    if (shape.length >= 2) {
      slots.exp_avg_sq_row = shape.slice(0, -1); // [..., rows]
      slots.exp_avg_sq_col = [...shape.slice(0, -2), shape[shape.length - 1]!]; // [..., cols]
    } else {
      slots.exp_avg_sq = shape;
    }
    return slots;
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
    const o = this.o;
    // Step size α: a number, or a scalar tensor when scaled by RMS(p).
    const rho = o.relativeStep
      ? Math.min(o.warmupInit ? 1e-6 * step : 1e-2, 1 / Math.sqrt(step))
      : lr;
    const alpha: tf.Scalar | number = o.scaleParameter
      ? tf.mul(tf.maximum(rms(v), o.eps[1]), rho)
      : rho;

    const beta2t = 1 - step ** o.decayRate;
    const sq = tf.add(tf.square(g), o.eps[0]); // same shape as g
    let u: tf.Tensor;
    if (v.rank >= 2) {
      const rowSlot = slots.get('exp_avg_sq_row')!;
      const colSlot = slots.get('exp_avg_sq_col')!;
      const row = tf.add(tf.mul(rowSlot, beta2t), tf.mul(tf.mean(sq, -1), 1 - beta2t)); // [..., rows]
      const col = tf.add(tf.mul(colSlot, beta2t), tf.mul(tf.mean(sq, -2), 1 - beta2t)); // [..., cols]
      rowSlot.assign(row);
      colSlot.assign(col);
      const rFactor = tf.expandDims(tf.rsqrt(tf.div(row, tf.mean(row, -1, true))), -1); // [..., rows, 1]
      const cFactor = tf.expandDims(tf.rsqrt(col), -2); // [..., 1, cols]
      u = tf.mul(tf.mul(rFactor, cFactor), g); // [..., rows, cols]
    } else {
      const vSlot = slots.get('exp_avg_sq')!;
      const next = tf.add(tf.mul(vSlot, beta2t), tf.mul(sq, 1 - beta2t));
      vSlot.assign(next);
      u = tf.mul(tf.rsqrt(next), g);
    }
    u = tf.div(u, tf.maximum(tf.div(rms(u), o.clipThreshold), 1));
    u = tf.mul(u, alpha);
    if (o.beta1 !== null) {
      const mSlot = slots.get('exp_avg')!;
      const m = tf.add(tf.mul(mSlot, o.beta1), tf.mul(u, 1 - o.beta1));
      mSlot.assign(m);
      u = m;
    }
    const wd = this.decayFor(name);
    const p = wd !== 0 ? tf.add(v, tf.mul(v, tf.mul(alpha, -wd))) : v;
    v.assign(tf.sub(p, u));
  }
}
