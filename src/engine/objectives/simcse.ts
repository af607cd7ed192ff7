import * as tf from '../tf.ts';
import {
  assertRank2,
  assertSameShape,
  assertTemperature,
  cosineLogits,
  softmaxCrossEntropy,
} from './common.ts';

/**
 * SimCSE (Gao, Yao & Chen, EMNLP 2021), checked against princeton-nlp/SimCSE
 * `simcse/models.py` (`Similarity`, `cl_forward`).
 *
 * Similarities are cosines (rows L2-normalised, then a matrix product) divided by the
 * temperature τ; the loss is the batch mean of a softmax cross-entropy whose target for
 * row i is column i (`nn.CrossEntropyLoss()(cos_sim, arange(N))`).
 */

export interface SimcseUnsupOptions {
  /** τ; SimCSE uses 0.05 for both the unsupervised and the supervised model. */
  temperature?: number;
  /**
   * Average the z1→z2 loss with the z2→z1 loss (rows of the transposed matrix).
   * SimCSE's released code uses one direction only (the default, false).
   */
  symmetric?: boolean;
  /**
   * Extra negatives [K, D] (ESimCSE / MoCo momentum queue, see `NegativeQueue`), appended as
   * columns `cos(z_i, q_k)/τ`. `NegativeQueue` stores detached copies, so no gradient flows into it.
   * With `symmetric`, the z2→z1 rows get the queue columns too (`cos(z2_i, q_k)/τ`).
   */
  queue?: tf.Tensor2D | null;
}

/**
 * The unsupervised SimCSE logits: `[cos(z1_i, z2_j) | cos(z1_i, q_k)] / τ`.
 *
 * @param z1 [N, D] first dropout view
 * @param z2 [N, D] second dropout view (row i is the positive of z1 row i)
 * @returns [N, N + K] logits; the target of row i is column i
 */
export function simcseUnsupLogits(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  temperature = 0.05,
  queue: tf.Tensor2D | null = null,
): tf.Tensor2D {
  assertRank2(z1, 'simcse z1');
  assertSameShape(z1, z2, 'simcse z1 / z2');
  assertTemperature(temperature);
  return tf.tidy(() => {
    const inBatch = cosineLogits(z1, z2, temperature); // [N, N]
    if (queue == null || queue.shape[0] === 0) return inBatch;
    assertRank2(queue, 'simcse queue');
    if (queue.shape[1] !== z1.shape[1]) {
      throw new Error(`simcse queue has width ${queue.shape[1]}, embeddings have ${z1.shape[1]}`);
    }
    const queued = cosineLogits(z1, queue, temperature); // [N, K]
    return tf.concat([inBatch, queued], 1) as tf.Tensor2D; // [N, N + K]
  });
}

/**
 * Unsupervised SimCSE loss (paper eq. 1):
 * `ℓ_i = -log( e^{cos(z1_i, z2_i)/τ} / Σ_j e^{cos(z1_i, z2_j)/τ} )`, mean over the N rows.
 * With `queue`, the denominator also sums over the K queued negatives; with `symmetric`,
 * the result is `½(ℓ(z1→z2) + ℓ(z2→z1))`.
 *
 * @param z1 [N, D] pooled embeddings of the batch, first dropout pass
 * @param z2 [N, D] the same sentences, second dropout pass
 * @returns scalar loss, differentiable w.r.t. z1 and z2
 */
export function simcseUnsup(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  options: SimcseUnsupOptions = {},
): tf.Scalar {
  const { temperature = 0.05, symmetric = false, queue = null } = options;
  return tf.tidy(() => {
    const n = z1.shape[0];
    const target = diagonalTargets(n);
    const forward = softmaxCrossEntropy(simcseUnsupLogits(z1, z2, temperature, queue), target);
    if (!symmetric) return forward;
    const backward = softmaxCrossEntropy(simcseUnsupLogits(z2, z1, temperature, queue), target);
    return tf.mul(0.5, tf.add(forward, backward)) as tf.Scalar;
  });
}

export interface SimcseSupOptions {
  /** τ; 0.05 in SimCSE. */
  temperature?: number;
  /**
   * log α of the paper's hard-negative weighting (`--hard_negative_weight`, default 0).
   * As in `cl_forward`, it is added AFTER dividing by τ, and only at column N+i of row i
   * (example i's own hard negative), never to other rows' hard negatives.
   */
  hardNegativeWeight?: number;
}

/**
 * The supervised SimCSE logits `[cos(z1, z2) | cos(z1, z3)] / τ` with `hardNegativeWeight`
 * added to entry (i, N+i).
 *
 * @param z1 [N, D] anchors (premises)
 * @param z2 [N, D] positives (entailment hypotheses)
 * @param z3 [N, D] hard negatives (contradiction hypotheses)
 * @returns [N, 2N] logits; the target of row i is column i
 */
export function simcseSupLogits(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  z3: tf.Tensor2D,
  options: SimcseSupOptions = {},
): tf.Tensor2D {
  const { temperature = 0.05, hardNegativeWeight = 0 } = options;
  assertRank2(z1, 'simcseSup z1');
  assertSameShape(z1, z2, 'simcseSup z1 / z2');
  assertSameShape(z1, z3, 'simcseSup z1 / z3');
  assertTemperature(temperature);
  if (!Number.isFinite(hardNegativeWeight)) {
    throw new Error(`hardNegativeWeight must be finite, got ${hardNegativeWeight}`);
  }
  return tf.tidy(() => {
    const n = z1.shape[0];
    const positives = cosineLogits(z1, z2, temperature); // [N, N]
    let hard = cosineLogits(z1, z3, temperature); // [N, N]
    if (hardNegativeWeight !== 0) {
      // Only the diagonal of the z3 block: example i's own hard negative.
      hard = tf.add(hard, tf.mul(tf.eye(n), hardNegativeWeight)) as tf.Tensor2D;
    }
    return tf.concat([positives, hard], 1) as tf.Tensor2D; // [N, 2N]
  });
}

/**
 * Supervised SimCSE loss (paper eq. 5, code `cl_forward` with num_sent = 3):
 * `ℓ_i = -log( e^{s(z1_i,z2_i)} / Σ_j (e^{s(z1_i,z2_j)} + e^{s(z1_i,z3_j) + w·[i=j]}) )`,
 * `s = cos/τ`, `w = hardNegativeWeight`; mean over the N rows.
 *
 * @returns scalar loss, differentiable w.r.t. z1, z2 and z3
 */
export function simcseSup(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  z3: tf.Tensor2D,
  options: SimcseSupOptions = {},
): tf.Scalar {
  return tf.tidy(() =>
    softmaxCrossEntropy(simcseSupLogits(z1, z2, z3, options), diagonalTargets(z1.shape[0])),
  );
}

/** [0, 1, …, n-1]: the target column of each row. */
function diagonalTargets(n: number): tf.Tensor1D {
  return tf.range(0, n, 1, 'int32') as tf.Tensor1D;
}
