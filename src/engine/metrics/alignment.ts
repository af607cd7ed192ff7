import { assertRank2, assertSameShape, l2Normalize } from '../objectives/common.ts';
import * as tf from '../tf.ts';

/**
 * Alignment (Wang & Isola, ICML 2020, `align_loss`): the expected distance between positive
 * pairs, `E_i ‖f(x_i) − f(y_i)‖₂^α`, on L2-NORMALISED embeddings. The rows are normalised
 * here (Wang & Isola's code expects normalised input; SimCSE reports it on normalised
 * sentence embeddings), so raw pooler outputs can be passed. Lower is better; with unit rows
 * the value lies in [0, 2^α].
 *
 * @param x     [N, D] embeddings of the anchors
 * @param y     [N, D] embeddings of their positives (row i pairs with row i)
 * @param alpha exponent α > 0, 2 by default (the paper's and SimCSE's setting)
 * @returns the mean over the N pairs (NaN when N = 0)
 */
export async function alignment(x: tf.Tensor2D, y: tf.Tensor2D, alpha = 2): Promise<number> {
  assertRank2(x, 'alignment x');
  assertSameShape(x, y, 'alignment x / y');
  if (!(alpha > 0)) throw new Error(`alignment alpha must be > 0, got ${alpha}`);
  if (x.shape[0] === 0) return Number.NaN;
  const value = tf.tidy(() => {
    const diff = tf.sub(l2Normalize(x), l2Normalize(y)); // [N, D]
    const sq = tf.sum(tf.square(diff), 1); // [N] ‖·‖²
    const dist = alpha === 2 ? sq : tf.pow(tf.sqrt(sq), alpha); // [N] ‖·‖^α
    return tf.mean(dist); // []
  });
  const [v] = await value.data();
  value.dispose();
  return v!;
}
