/**
 * Pair truncation "longest_first", as the Rust `tokenizers` library (and so Hugging Face's fast
 * BERT tokenizer) does it (tokenizers/src/utils/truncation.rs):
 *
 * - nothing is cut when len(a) + len(b) fits the budget;
 * - if cutting only the longer sequence suffices, it keeps `budget - len(shorter)`;
 * - otherwise both are cut: each keeps `floor(budget / 2)` and the longer one (the second on a
 *   tie) keeps the extra token of an odd budget.
 *
 * A single sequence keeps its first `budget` tokens. Tokens are always cut from the right.
 * `budget` is the maximum length minus the special tokens the template adds; it may be Infinity.
 */
export function truncateLongestFirst<T>(
  a: readonly T[],
  b: readonly T[] | null,
  budget: number,
): [T[], T[] | null] {
  if (b === null) return [a.slice(0, budget), null];
  if (a.length + b.length <= budget) return [a.slice(), b.slice()];
  const swapped = a.length > b.length;
  let n1 = swapped ? b.length : a.length; // the shorter one
  let n2 = n1 > budget ? n1 : Math.max(n1, budget - n1);
  if (n1 + n2 > budget) {
    n1 = Math.floor(budget / 2);
    n2 = n1 + (budget % 2);
  }
  const [na, nb] = swapped ? [n2, n1] : [n1, n2];
  return [a.slice(0, na), b.slice(0, nb)];
}
