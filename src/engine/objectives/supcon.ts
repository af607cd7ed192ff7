import * as tf from '../tf.ts';
import {
  assertRank2,
  assertTemperature,
  type Labels,
  l2Normalize,
  labelTensor,
  softmaxCrossEntropy,
} from './common.ts';

/**
 * Supervised contrastive objectives.
 *
 * - SupCon: Khosla et al., "Supervised Contrastive Learning" (NeurIPS 2020), eq. 2 (L^sup_out),
 *   checked against HobbitLong/SupContrast `losses.py`.
 * - SCL: Gunel et al., "Supervised Contrastive Learning for Pre-trained Language Model
 *   Fine-tuning" (ICLR 2021), `L = (1-λ)·L_CE + λ·L_SCL`.
 */

export interface SupconOptions {
  /** τ; 0.07 is the default of Khosla et al.'s released `SupConLoss`. */
  temperature?: number;
}

/**
 * SupCon L^sup_out on L2-normalised features (normalised inside; already-normalised input is
 * unchanged). For anchor i with positives P(i) = {p ≠ i : y_p = y_i} and A(i) = {a ≠ i}:
 *
 *   L_i = -1/|P(i)| Σ_{p∈P(i)} log( exp(z_i·z_p/τ) / Σ_{a∈A(i)} exp(z_i·z_a/τ) )
 *
 * and the loss is the MEAN of L_i over the anchors that have at least one positive. Anchors
 * whose label occurs once in the batch are skipped (the released code would divide by zero
 * there and return NaN); if no anchor has a positive the loss is 0 with a zero gradient.
 * Not applied: the released code's extra factor τ/base_τ (1 at its defaults, absent from the
 * paper). Multi-view batches (the paper's 2N views) are passed flattened: concatenate the
 * views along the batch axis and repeat the labels.
 *
 * @param features [N, D] projections (any scale; normalised inside)
 * @param labels   [N] integer class ids
 * @returns scalar loss, differentiable w.r.t. `features`
 */
export function supcon(
  features: tf.Tensor2D,
  labels: Labels,
  options: SupconOptions = {},
): tf.Scalar {
  const { temperature = 0.07 } = options;
  assertRank2(features, 'supcon features');
  assertTemperature(temperature);
  const n = features.shape[0];
  return tf.tidy(() => {
    const y = labelTensor(labels, n, 'supcon labels'); // [N]
    const z = l2Normalize(features); // [N, D]
    const s = tf.div(tf.matMul(z, z, false, true), temperature); // [N, N] z_i·z_a/τ
    const self = tf.eye(n); // [N, N]
    const sameLabel = tf.cast(tf.equal(tf.expandDims(y, 1), tf.expandDims(y, 0)), 'float32'); // [N, N]
    const positives = tf.mul(sameLabel, tf.sub(1, self)); // [N, N] 1[p ∈ P(i)]

    // log( exp(s_ip) / Σ_{a≠i} exp(s_ia) ): the self column is pushed to −1e9 so it drops out
    // of A(i) (exp → 0), and each row is shifted by its max over a ≠ i, so the denominator is
    // ≥ 1 and never underflows, whatever τ (for N = 1 the loss below is 0 anyway).
    const logits = tf.sub(s, tf.mul(self, 1e9)); // [N, N]
    const shifted = tf.sub(logits, tf.max(logits, 1, true)); // [N, N]
    const logDenominator = tf.log(tf.sum(tf.exp(shifted), 1, true)); // [N, 1]
    const logProb = tf.sub(shifted, logDenominator); // [N, N]

    const nPositives = tf.sum(positives, 1); // [N] |P(i)|
    const meanLogProbPos = tf.div(tf.sum(tf.mul(positives, logProb), 1), tf.maximum(nPositives, 1)); // [N]
    const perAnchor = tf.sub(0, meanLogProbPos); // [N] L_i (0 − x, so a skipped anchor is +0)
    const valid = tf.cast(tf.greater(nPositives, 0), 'float32'); // [N] anchors with a positive
    const nValid = tf.sum(valid); // []
    return tf.div(tf.sum(tf.mul(valid, perAnchor)), tf.maximum(nValid, 1)) as tf.Scalar;
  });
}

export interface SclOptions {
  /** τ; Gunel et al. search τ ∈ {0.1, 0.3, 0.5, 0.7, 0.9, 1.0}; we default to 0.3. */
  temperature?: number;
  /** λ weighting the contrastive term; 0.9 by default. */
  lambda?: number;
}

/**
 * Gunel et al.'s fine-tuning objective `L = (1-λ)·L_CE + λ·L_SCL`:
 *
 * - `L_CE` = batch mean cross-entropy of the classifier `logits` against `labels`;
 * - `L_SCL` = `-1/(N_{y_i}-1) Σ_{j≠i, y_j=y_i} log( exp(Φ_i·Φ_j/τ) / Σ_{k≠i} exp(Φ_i·Φ_k/τ) )`
 *   per anchor, Φ = L2-normalised encoder output (e.g. [CLS]). `N_{y_i} - 1` is exactly
 *   |P(i)|, so this is `supcon` above. The paper writes L_SCL as a SUM over anchors beside
 *   a batch-MEAN L_CE; we take the MEAN over anchors (as the SupCon code does) so the two
 *   terms have the same scale and λ does not depend on the batch size. Anchors whose class
 *   is alone in the batch (N_{y_i} = 1, the paper's 1/0) are skipped.
 *
 * @param logits   [N, C] classifier outputs
 * @param features [N, D] the representation Φ before normalisation
 * @param labels   [N] integer class ids
 * @returns scalar loss, differentiable w.r.t. `logits` and `features`
 */
export function scl(
  logits: tf.Tensor2D,
  features: tf.Tensor2D,
  labels: Labels,
  options: SclOptions = {},
): tf.Scalar {
  const { temperature = 0.3, lambda = 0.9 } = options;
  assertRank2(logits, 'scl logits');
  if (!(lambda >= 0 && lambda <= 1)) throw new Error(`scl lambda must be in [0, 1], got ${lambda}`);
  if (logits.shape[0] !== features.shape[0]) {
    throw new Error(`scl: ${logits.shape[0]} logits rows but ${features.shape[0]} feature rows`);
  }
  return tf.tidy(() => {
    const ce = softmaxCrossEntropy(logits, labels);
    const contrastive = supcon(features, labels, { temperature });
    return tf.add(tf.mul(1 - lambda, ce), tf.mul(lambda, contrastive)) as tf.Scalar;
  });
}
