import { assertRank2, l2Normalize } from '../objectives/common.ts';
import * as tf from '../tf.ts';

/**
 * Pairwise cosine similarities `cos(a_i, b_j)` as plain numbers, for the similarity heatmap.
 * Zero rows give 0 (normalisation guard 1e-12, as PyTorch's `F.normalize`).
 *
 * @param a [N, D]
 * @param b [M, D]
 * @returns N rows of M numbers in [−1, 1]
 */
export async function cosineMatrix(a: tf.Tensor2D, b: tf.Tensor2D): Promise<number[][]> {
  assertRank2(a, 'cosineMatrix a');
  assertRank2(b, 'cosineMatrix b');
  if (a.shape[1] !== b.shape[1]) {
    throw new Error(`cosineMatrix: widths differ, ${a.shape[1]} vs ${b.shape[1]}`);
  }
  const [n, m] = [a.shape[0], b.shape[0]];
  const sim = tf.tidy(() => tf.matMul(l2Normalize(a), l2Normalize(b), false, true)); // [N, M]
  const flat = await sim.data();
  sim.dispose();
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(flat.subarray(i * m, (i + 1) * m)));
  return rows;
}
