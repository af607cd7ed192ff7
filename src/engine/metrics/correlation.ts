/**
 * Rank and linear correlation for STS evaluation (SimCSE reports Spearman × 100 of the cosine
 * similarities against the gold scores). Plain numbers in, plain number out, computed in
 * float64; the result is the raw coefficient in [−1, 1] (callers multiply by 100).
 *
 * Conventions (matching `scipy.stats.spearmanr` / `pearsonr`):
 * - arrays of different lengths throw;
 * - the coefficient is undefined, and NaN is returned, when an input is constant (zero
 *   variance), when there are fewer than 2 points, or when any value is NaN / ±Infinity.
 *   NaN (not 0) so a collapsed encoder is never reported as "uncorrelated".
 */

/**
 * Spearman's ρ: Pearson's r of the ranks, ties given their average rank (scipy's
 * `rankdata(method='average')`).
 */
export function spearman(a: readonly number[], b: readonly number[]): number {
  checkPair(a, b);
  if (a.length < 2 || !allFinite(a) || !allFinite(b)) return Number.NaN;
  return pearson(averageRanks(a), averageRanks(b));
}

/** Pearson's product-moment correlation r. */
export function pearson(a: readonly number[], b: readonly number[]): number {
  checkPair(a, b);
  const n = a.length;
  if (n < 2 || !allFinite(a) || !allFinite(b)) return Number.NaN;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i]!;
    meanB += b[i]!;
  }
  meanA /= n;
  meanB /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return Number.NaN;
  const r = sab / Math.sqrt(saa * sbb);
  return Math.max(-1, Math.min(1, r));
}

/** 1-based ranks; tied values share the mean of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const ranks = new Array<number>(values.length);
  let k = 0;
  while (k < order.length) {
    let end = k;
    while (end + 1 < order.length && values[order[end + 1]!] === values[order[k]!]) end++;
    const rank = (k + end) / 2 + 1; // mean of ranks k+1 … end+1
    for (let m = k; m <= end; m++) ranks[order[m]!] = rank;
    k = end + 1;
  }
  return ranks;
}

function checkPair(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) {
    throw new Error(`correlation needs arrays of equal length, got ${a.length} and ${b.length}`);
  }
}

function allFinite(xs: readonly number[]): boolean {
  return xs.every((x) => Number.isFinite(x));
}
