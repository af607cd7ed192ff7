/**
 * Gradient clipping and health checks that never read back from the device: each returns a
 * tensor the trainer reads together with the loss, in one `await`.
 */
import { fusedNorm2 } from '../../kernels/index.ts';
import * as tf from '../../tf.ts';

type Tensors = Map<string, tf.Tensor> | readonly tf.Tensor[];

function list(ts: Tensors): tf.Tensor[] {
  return ts instanceof Map ? [...ts.values()] : [...ts];
}

/**
 * ‖(g₁, …, gₙ)‖₂ over every element of every tensor, as torch.nn.utils.clip_grad_norm_ computes
 * it: the 2-norm of the per-tensor 2-norms. A scalar tensor (0 for no tensors); the caller
 * disposes it. NaN or Inf in any gradient makes it NaN / Inf.
 */
export function globalNorm(grads: Tensors): tf.Scalar {
  const gs = list(grads);
  return tf.tidy(() => {
    if (gs.length === 0) return tf.scalar(0);
    // PERF (issue 12): on wasm each tensor's norm in one pass, summed in float64.
    const norms = gs.map((g) => fusedNorm2(g) ?? tf.sqrt(tf.sum(tf.square(g)))); // n × []
    return tf.sqrt(tf.sum(tf.square(tf.stack(norms)))) as tf.Scalar; // []
  });
}

/**
 * torch.nn.utils.clip_grad_norm_(params, maxNorm) (norm_type 2, error_if_nonfinite False):
 *   coef = min(1, maxNorm / (norm + 1e-6));  g ← g · coef   (always multiplied, no branch)
 * Returns NEW tensors under the same keys plus the pre-clipping norm; the input map is untouched.
 * The caller owns and disposes the inputs, the outputs and `norm`. A non-finite norm gives
 * non-finite gradients, as in torch: the trainer reads the norm and skips the update when it is
 * not finite (a NaN or ±Inf anywhere in the gradients makes the norm NaN or Inf).
 */
export function clipByGlobalNorm(
  grads: Map<string, tf.Tensor>,
  maxNorm: number,
): { grads: Map<string, tf.Tensor>; norm: tf.Scalar } {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new Error(`clipByGlobalNorm: maxNorm must be a finite number > 0, got ${maxNorm}`);
  }
  const names = [...grads.keys()];
  const norm = globalNorm(grads);
  const clipped = tf.tidy(() => {
    const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1); // []
    return names.map((n) => tf.mul(grads.get(n)!, coef));
  });
  return { grads: new Map(names.map((n, i) => [n, clipped[i]!])), norm };
}

/**
 * clip_grad_norm_'s coefficient from the norm read back, in float32 as torch computes it:
 *   coef = min(1, maxNorm / (norm + 1e-6))
 * The optimiser multiplies the gradients by it inside its update (Optimizer.apply's gradScale),
 * so no clipped copy of every gradient is made. A non-finite norm gives a non-finite coefficient.
 */
export function clipCoefficient(norm: number, maxNorm: number): number {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new Error(`clipCoefficient: maxNorm must be a finite number > 0, got ${maxNorm}`);
  }
  const f = Math.fround;
  const coef = f(f(maxNorm) / f(f(norm) + f(1e-6)));
  return Number.isNaN(coef) ? coef : Math.min(coef, 1);
}
