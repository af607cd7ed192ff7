import * as tf from '../tf.ts';
import { assertRank2, assertSameShape, type Labels, softmaxCrossEntropy } from './common.ts';
import { simcseUnsup } from './simcse.ts';

/**
 * Supervised text matching / classification with a contrastive term on the representation
 * BEFORE the classifier's dense layer ("contrast the logits before the dense layer"): run the
 * batch twice with dropout, keep the pooled outputs h1, h2 (pre-classifier) and the final
 * logits of both passes, and minimise
 *
 *   loss = ½·(CE(logits1, y) + CE(logits2, y)) + α · InfoNCE(h1, h2; τ)
 *
 * where InfoNCE is the unsupervised SimCSE loss (`simcseUnsup`, one direction z1→z2, cosine
 * similarity / τ, in-batch negatives). The contrast is on the pooled vectors, not on the
 * class probabilities (that would be R-Drop's KL).
 */

export interface LogitContrastOptions {
  /** τ of the InfoNCE term; 0.05 by default (SimCSE's value). */
  temperature?: number;
  /** α, weight of the InfoNCE term; 1 by default. */
  alpha?: number;
}

/**
 * @param logits1 [N, C] classifier logits, first dropout pass
 * @param logits2 [N, C] classifier logits, second dropout pass
 * @param h1      [N, H] pooled encoder output (classifier input), first pass
 * @param h2      [N, H] pooled encoder output, second pass
 * @param labels  [N] integer classes
 * @returns scalar loss, differentiable w.r.t. all four tensors
 */
export function logitContrast(
  logits1: tf.Tensor2D,
  logits2: tf.Tensor2D,
  h1: tf.Tensor2D,
  h2: tf.Tensor2D,
  labels: Labels,
  options: LogitContrastOptions = {},
): tf.Scalar {
  const { temperature = 0.05, alpha = 1 } = options;
  assertRank2(logits1, 'logitContrast logits1');
  assertSameShape(logits1, logits2, 'logitContrast logits1 / logits2');
  assertRank2(h1, 'logitContrast h1');
  assertSameShape(h1, h2, 'logitContrast h1 / h2');
  if (h1.shape[0] !== logits1.shape[0]) {
    throw new Error(`logitContrast: ${logits1.shape[0]} logits rows but ${h1.shape[0]} h rows`);
  }
  if (!(alpha >= 0) || !Number.isFinite(alpha)) {
    throw new Error(`logitContrast alpha must be a finite number >= 0, got ${alpha}`);
  }
  return tf.tidy(() => {
    const ce = tf.mul(
      0.5,
      tf.add(softmaxCrossEntropy(logits1, labels), softmaxCrossEntropy(logits2, labels)),
    );
    const infoNce = simcseUnsup(h1, h2, { temperature });
    return tf.add(ce, tf.mul(alpha, infoNce)) as tf.Scalar;
  });
}
