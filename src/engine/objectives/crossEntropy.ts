import * as tf from '../tf.ts';
import { assertRank2, type Labels, softmaxCrossEntropy } from './common.ts';

/**
 * The baseline classification objective: mean softmax cross-entropy,
 * `-1/N Σ_i log softmax(logits_i)[y_i]` (PyTorch `F.cross_entropy`, reduction 'mean').
 *
 * @param logits [N, C] unnormalised class scores
 * @param labels [N] integer classes in [0, C)
 * @returns scalar loss (differentiable w.r.t. `logits`)
 */
export function crossEntropy(logits: tf.Tensor2D, labels: Labels): tf.Scalar {
  assertRank2(logits, 'crossEntropy logits');
  return softmaxCrossEntropy(logits, labels);
}

/**
 * Mean squared error over every element, `mean((pred - target)²)` (PyTorch `nn.MSELoss()`),
 * the baseline for regression heads (e.g. STS-B scores). `pred` [N] and `pred` [N, 1]
 * are both accepted; `target` must hold the same number of elements.
 *
 * @returns scalar loss (differentiable w.r.t. both arguments)
 */
export function mse(pred: tf.Tensor, target: tf.Tensor): tf.Scalar {
  if (pred.size !== target.size) {
    throw new Error(`mse: pred has ${pred.size} elements, target has ${target.size}`);
  }
  return tf.tidy(() => {
    const diff = tf.sub(tf.reshape(pred, [-1]), tf.reshape(target, [-1])); // [N]
    return tf.mean(tf.square(diff)) as tf.Scalar;
  });
}
