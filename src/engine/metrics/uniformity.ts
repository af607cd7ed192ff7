import { assertRank2, l2Normalize } from '../objectives/common.ts';
import * as tf from '../tf.ts';

/** Rows per block so that one block of the pairwise matrix stays near 4M floats. */
const BLOCK_ELEMENTS = 4_000_000;

/**
 * Uniformity (Wang & Isola, ICML 2020, `uniform_loss`):
 * `log E_{i<j} exp(−t‖f(x_i) − f(x_j)‖₂²)` over ALL distinct pairs i < j (their code uses
 * `torch.pdist`, which lists each unordered pair once and never pairs a row with itself), on
 * L2-normalised rows (normalised here). Lower (more negative) is more uniform; with unit rows
 * the value lies in [−4t, 0].
 *
 * The pairwise matrix is built in row blocks so a few thousand sentences (an STS set) fit in
 * memory; the block sums are accumulated in float64.
 *
 * @param x [N, D] embeddings, N >= 2 (NaN otherwise)
 * @param t the kernel scale t > 0, 2 by default (the paper's and SimCSE's setting)
 */
export async function uniformity(x: tf.Tensor2D, t = 2): Promise<number> {
  assertRank2(x, 'uniformity x');
  if (!(t > 0)) throw new Error(`uniformity t must be > 0, got ${t}`);
  const n = x.shape[0];
  if (n < 2) return Number.NaN;
  const [z, sqNorm] = tf.tidy(() => {
    const unit = l2Normalize(x); // [N, D]
    return [unit, tf.sum(tf.square(unit), 1)] as [tf.Tensor2D, tf.Tensor1D]; // [N] (≈ 1)
  });
  const block = Math.max(1, Math.floor(BLOCK_ELEMENTS / n));
  let total = 0;
  try {
    for (let start = 0; start < n - 1; start += block) {
      const rows = Math.min(block, n - start);
      const partial = tf.tidy(() => {
        const zb = tf.slice(z, [start, 0], [rows, -1]); // [B, D]
        const sqB = tf.slice(sqNorm, [start], [rows]); // [B]
        // ‖a − b‖² = ‖a‖² + ‖b‖² − 2 a·b, clamped at 0 against rounding.
        const d2 = tf.relu(
          tf.sub(
            tf.add(tf.expandDims(sqB, 1), tf.expandDims(sqNorm, 0)),
            tf.mul(2, tf.matMul(zb, z, false, true)),
          ),
        ); // [B, N]
        // Keep column j only when j > i (global row index i = start + r).
        const rowIdx = tf.expandDims(tf.range(start, start + rows, 1, 'int32'), 1); // [B, 1]
        const colIdx = tf.expandDims(tf.range(0, n, 1, 'int32'), 0); // [1, N]
        const upper = tf.cast(tf.greater(colIdx, rowIdx), 'float32'); // [B, N]
        return tf.sum(tf.mul(tf.exp(tf.mul(-t, d2)), upper)); // []
      });
      const [s] = await partial.data();
      partial.dispose();
      total += s!;
    }
  } finally {
    z.dispose();
    sqNorm.dispose();
  }
  const pairs = (n * (n - 1)) / 2;
  return Math.log(total / pairs);
}
