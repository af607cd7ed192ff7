import { assertRank2, assertSameShape } from '../objectives/common.ts';
import * as tf from '../tf.ts';
import { alignment } from './alignment.ts';
import { uniformity } from './uniformity.ts';

/**
 * Alignment and uniformity of a model's sentence embeddings, measured the way SimCSE
 * (Gao et al. 2021, §5 and appendix) does, so the live chart can say exactly what it shows.
 *
 * - `'sts-pairs'`: an STS set is loaded. Positive pairs are the pairs whose gold score is
 *   strictly greater than 4 on the 0–5 scale; uniformity is over every sentence of the set
 *   (both sides of every pair, N pairs → 2N sentences; duplicates are not removed, pass
 *   deduplicated embeddings if the set repeats sentences).
 * - `'held-out-views'`: no STS set. Positives are two views (e.g. two dropout passes or two
 *   augmentations) of the same held-out sentences; uniformity is over the first view only,
 *   so each sentence counts once and no positive pair enters the uniformity term.
 */

export type AlignUniformProtocol = 'sts-pairs' | 'held-out-views';

export interface AlignUniformResult {
  /** E‖f(x) − f(x⁺)‖^α over the positive pairs (NaN when there are none). */
  alignment: number;
  /** log E_{i<j} exp(−t‖f(x_i) − f(x_j)‖²) over the sentences (NaN when fewer than 2). */
  uniformity: number;
  protocol: AlignUniformProtocol;
  /** Number of positive pairs the alignment averages over. */
  nPositive: number;
  /** Number of embeddings the uniformity is computed over. */
  nSentences: number;
}

export interface StsAlignUniformOptions {
  /** Positive threshold on SimCSE's 0–5 scale: pairs with gold > 4 are positives. */
  positiveThreshold?: number;
  /**
   * The range the given `scores` use, e.g. [0, 1] for a rescaled set. The 0–5 threshold is
   * mapped linearly into it: `lo + positiveThreshold/5 · (hi − lo)`. Default [0, 5].
   */
  scoreRange?: readonly [number, number];
  /** Alignment exponent α (2). */
  alpha?: number;
  /** Uniformity scale t (2). */
  t?: number;
}

/**
 * SimCSE's STS protocol.
 *
 * @param emb1   [N, D] embeddings of the first sentence of each pair
 * @param emb2   [N, D] embeddings of the second sentence
 * @param scores N gold similarity scores, in `scoreRange`
 */
export async function alignmentUniformityFromSts(
  emb1: tf.Tensor2D,
  emb2: tf.Tensor2D,
  scores: readonly number[],
  options: StsAlignUniformOptions = {},
): Promise<AlignUniformResult> {
  const { positiveThreshold = 4, scoreRange = [0, 5], alpha = 2, t = 2 } = options;
  assertRank2(emb1, 'STS emb1');
  assertSameShape(emb1, emb2, 'STS emb1 / emb2');
  const n = emb1.shape[0];
  if (scores.length !== n) {
    throw new Error(`STS alignment/uniformity: ${n} embedding pairs but ${scores.length} scores`);
  }
  const [lo, hi] = scoreRange;
  if (!(hi > lo)) throw new Error(`scoreRange must be [lo, hi] with hi > lo, got [${lo}, ${hi}]`);
  const threshold = lo + (positiveThreshold / 5) * (hi - lo);
  const positive: number[] = [];
  scores.forEach((s, i) => {
    if (s > threshold) positive.push(i);
  });

  let align = Number.NaN;
  if (positive.length > 0) {
    const [a, b] = tf.tidy(() => {
      const idx = tf.tensor1d(positive, 'int32');
      return [tf.gather(emb1, idx), tf.gather(emb2, idx)] as [tf.Tensor2D, tf.Tensor2D]; // [P, D]
    });
    try {
      align = await alignment(a, b, alpha);
    } finally {
      a.dispose();
      b.dispose();
    }
  }
  const all = tf.concat([emb1, emb2], 0) as tf.Tensor2D; // [2N, D]
  let uniform: number;
  try {
    uniform = await uniformity(all, t);
  } finally {
    all.dispose();
  }
  return {
    alignment: align,
    uniformity: uniform,
    protocol: 'sts-pairs',
    nPositive: positive.length,
    nSentences: 2 * n,
  };
}

export interface ViewsAlignUniformOptions {
  /** Alignment exponent α (2). */
  alpha?: number;
  /** Uniformity scale t (2). */
  t?: number;
}

/**
 * The fallback protocol when no STS set is loaded: two views of the same held-out sentences.
 *
 * @param view1 [N, D] first view of each held-out sentence
 * @param view2 [N, D] second view (row i is the positive of view1 row i)
 */
export async function alignmentUniformityFromViews(
  view1: tf.Tensor2D,
  view2: tf.Tensor2D,
  options: ViewsAlignUniformOptions = {},
): Promise<AlignUniformResult> {
  const { alpha = 2, t = 2 } = options;
  assertRank2(view1, 'held-out view1');
  assertSameShape(view1, view2, 'held-out view1 / view2');
  const n = view1.shape[0];
  return {
    alignment: await alignment(view1, view2, alpha),
    uniformity: await uniformity(view1, t),
    protocol: 'held-out-views',
    nPositive: n,
    nSentences: n,
  };
}
