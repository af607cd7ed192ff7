/**
 * Multi-head attention's two products, taking and giving the heads in the Linear layers' layout
 * [B, L, H] (H = nh·dh, head h at columns h·dh…). On wasm (when the own kernels run, see
 * wasmKernels.ts) one kernel each, forward and gradient: no head split or merge transpose and no
 * batched BatchMatMul (a scalar loop on tfjs-backend-wasm 4.22). Elsewhere the stock ops, exactly
 * as before (reshape → transpose [0, 2, 1, 3] → tf.matMul), whose products are native there.
 * Both paths give the same numbers within float rounding (tests/unit/kernels/attention.test.ts).
 */
import * as tf from '../tf.ts';
import { headsPV, headsQKt, wasmKernelsReady } from './wasmKernels.ts';

/** [B, L, H] → [B, nh, L, dh] */
const split = (t: tf.Tensor3D, heads: number) => {
  const [B, L, H] = t.shape;
  return t.reshape([B, L, heads, H / heads]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
};

/**
 * Scaled dot-product scores q_h·k_hᵀ / √dh for every head.
 * @param q [B, L, H] (the query Linear's output)
 * @param k [B, L, H]
 * @returns [B, nh, L, L]
 */
export function attentionScores(q: tf.Tensor3D, k: tf.Tensor3D, heads: number): tf.Tensor4D {
  const headSize = q.shape[2] / heads;
  if (wasmKernelsReady()) return headsQKt(q, k, heads, 1 / Math.sqrt(headSize));
  return tf.tidy(() =>
    tf.matMul(split(q, heads), split(k, heads), false, true).div(Math.sqrt(headSize)),
  ) as tf.Tensor4D;
}

/**
 * The heads' contexts probs_h·v_h, merged back to [B, L, H] (head h at columns h·dh…).
 * @param probs [B, nh, L, L] (attention probabilities, after dropout)
 * @param v     [B, L, H] (the value Linear's output)
 * @returns [B, L, H]
 */
export function attentionContext(probs: tf.Tensor4D, v: tf.Tensor3D, heads: number): tf.Tensor3D {
  if (wasmKernelsReady()) return headsPV(probs, v, heads, false, 1);
  const [B, L, H] = v.shape;
  return tf.tidy(() =>
    tf.matMul(probs, split(v, heads)).transpose([0, 2, 1, 3]).reshape([B, L, H]),
  ) as tf.Tensor3D;
}
