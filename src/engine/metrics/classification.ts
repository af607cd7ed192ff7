/**
 * Classification metrics on plain integer class ids. Raw fractions in [0, 1].
 */

/**
 * Fraction of positions where `pred[i] === gold[i]`. Throws on a length mismatch; NaN for
 * empty input.
 */
export function accuracy(pred: readonly number[], gold: readonly number[]): number {
  checkPair(pred, gold);
  if (pred.length === 0) return Number.NaN;
  let hit = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === gold[i]) hit++;
  return hit / pred.length;
}

/**
 * Macro-averaged F1: the unweighted mean over classes of `F1_c = 2·TP / (2·TP + FP + FN)`.
 * The classes are `labels` when given, else every class that occurs in `pred` or `gold`
 * (scikit-learn's `f1_score(average='macro')`); a class never predicted correctly scores 0
 * (scikit-learn's zero_division=0). Throws on a length mismatch; NaN for empty input.
 */
export function macroF1(
  pred: readonly number[],
  gold: readonly number[],
  labels?: readonly number[],
): number {
  checkPair(pred, gold);
  const classes = labels ?? [...new Set([...pred, ...gold])].sort((x, y) => x - y);
  if (pred.length === 0 || classes.length === 0) return Number.NaN;
  let sum = 0;
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < pred.length; i++) {
      const p = pred[i] === c;
      const g = gold[i] === c;
      if (p && g) tp++;
      else if (p) fp++;
      else if (g) fn++;
    }
    const denominator = 2 * tp + fp + fn;
    sum += denominator === 0 ? 0 : (2 * tp) / denominator;
  }
  return sum / classes.length;
}

function checkPair(pred: readonly number[], gold: readonly number[]): void {
  if (pred.length !== gold.length) {
    throw new Error(`pred has ${pred.length} entries but gold has ${gold.length}`);
  }
}
