import * as tf from '../tf.ts';
import { assertRank2, assertSameShape, type Labels, softmaxCrossEntropy } from './common.ts';
import { mse } from './crossEntropy.ts';

/**
 * R-Drop (Liang et al., "R-Drop: Regularized Dropout for Neural Networks", NeurIPS 2021).
 * The same batch goes through the model twice with dropout on; the two output distributions
 * are pulled together with a symmetric KL divergence.
 *
 * Reduction we use (stated exactly, since the sources differ):
 *
 *   loss = ½·(CE(P1, y) + CE(P2, y)) + α · ½·(KL(P1‖P2) + KL(P2‖P1))
 *
 * - each CE is the batch mean of the per-example negative log-likelihood;
 * - each KL is summed over the classes and averaged over the batch,
 *   `KL(P1‖P2) = 1/N Σ_i Σ_c P1_ic (log P1_ic - log P2_ic)`;
 * - both distributions carry gradients (no stop-gradient), as in the released code.
 *
 * How this relates to the sources (dropreg/R-Drop):
 * - paper eq. 3, per example: `L^i = -log P1(y_i) - log P2(y_i) + α·½(KL12 + KL21)`, i.e.
 *   twice our per-example loss with α_paper = 2·α_ours;
 * - README snippet: `ce_loss = 0.5*(CE1 + CE2)` (batch means, as ours) and
 *   `kl_loss = (p_loss.sum() + q_loss.sum())/2` with the KL SUMMED over the batch, i.e.
 *   N × our KL term, so α_README = α_ours / N;
 * - BERT/GLUE code (`bert_kl`): `CE1 + CE2 + 0.5·(KL12.sum() + KL21.sum())/2`.
 * Averaging over the batch (the project's DESIGN.md: CE averaged, plus α·½(KL+KL)) keeps the
 * loss on the scale of one cross-entropy whatever the batch size, so the same learning rate
 * and α work with and without R-Drop.
 */

export interface RdropOptions {
  /** α, the weight of the symmetric KL term at the batch-mean scale above; 1 by default. */
  alpha?: number;
}

/**
 * R-Drop for classification heads.
 *
 * @param logits1 [N, C] logits of the first dropout pass
 * @param logits2 [N, C] logits of the second dropout pass
 * @param labels  [N] integer classes
 * @returns scalar loss, differentiable w.r.t. both logits
 */
export function rdrop(
  logits1: tf.Tensor2D,
  logits2: tf.Tensor2D,
  labels: Labels,
  options: RdropOptions = {},
): tf.Scalar {
  const { alpha = 1 } = options;
  assertRank2(logits1, 'rdrop logits1');
  assertSameShape(logits1, logits2, 'rdrop logits1 / logits2');
  assertAlpha(alpha);
  return tf.tidy(() => {
    const ce = tf.mul(
      0.5,
      tf.add(softmaxCrossEntropy(logits1, labels), softmaxCrossEntropy(logits2, labels)),
    );
    const logP1 = tf.logSoftmax(logits1, -1); // [N, C]
    const logP2 = tf.logSoftmax(logits2, -1); // [N, C]
    const kl12 = tf.mean(tf.sum(tf.mul(tf.exp(logP1), tf.sub(logP1, logP2)), 1)); // KL(P1‖P2)
    const kl21 = tf.mean(tf.sum(tf.mul(tf.exp(logP2), tf.sub(logP2, logP1)), 1)); // KL(P2‖P1)
    return tf.add(ce, tf.mul(alpha * 0.5, tf.add(kl12, kl21))) as tf.Scalar;
  });
}

/**
 * R-Drop for regression heads (e.g. STS-B scores), where the KL term becomes an MSE between
 * the two passes, as in the repository's BERT code for `num_labels == 1`:
 *
 *   loss = ½·(MSE(pred1, y) + MSE(pred2, y)) + α · MSE(pred1, pred2)
 *
 * (the released code sums the two target MSEs and uses α = 1; we average them, as above).
 *
 * @param pred1   [N] or [N, 1] predictions of the first dropout pass
 * @param pred2   same shape, second pass
 * @param targets N gold values
 * @returns scalar loss, differentiable w.r.t. both predictions
 */
export function rdropRegression(
  pred1: tf.Tensor,
  pred2: tf.Tensor,
  targets: tf.Tensor,
  options: RdropOptions = {},
): tf.Scalar {
  const { alpha = 1 } = options;
  assertSameShape(pred1, pred2, 'rdropRegression pred1 / pred2');
  assertAlpha(alpha);
  return tf.tidy(() => {
    const fit = tf.mul(0.5, tf.add(mse(pred1, targets), mse(pred2, targets)));
    return tf.add(fit, tf.mul(alpha, mse(pred1, pred2))) as tf.Scalar;
  });
}

function assertAlpha(alpha: number): void {
  if (!(alpha >= 0) || !Number.isFinite(alpha)) {
    throw new Error(`rdrop alpha must be a finite number >= 0, got ${alpha}`);
  }
}
