/**
 * Lexical baselines for an STS set: how far word overlap alone goes, so a trained encoder's
 * Spearman has something to be read against. Each pair's similarity is the cosine of two
 * bag-of-words vectors (raw counts) or of two TF-IDF vectors, and the result is Spearman × 100
 * against the gold scores, as for the encoder.
 *
 * - Tokens: the lower-cased text's runs of letters or of digits (`\p{L}+|\p{N}+`); punctuation
 *   and other symbols are dropped.
 * - TF-IDF: raw count × smooth IDF, scikit-learn's default (`TfidfVectorizer(smooth_idf=True)`):
 *   idf(t) = ln((1 + n) / (1 + df(t))) + 1, with the n documents the set's sentences (both sides
 *   of every pair) and df(t) the number of them containing t.
 * - A sentence with no token has cosine 0 with everything. Cosines are rounded to 12 decimals
 *   before ranking, so that equal bags tie exactly whatever the summation order.
 */
import { spearman } from './correlation.ts';

const TOKEN = /\p{L}+|\p{N}+/gu;

/** Lower-cased letter and digit runs of a sentence. */
export function lexicalTokens(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** Term counts in first-occurrence order. */
function counts(tokens: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of tokens) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** Cosine of two sparse vectors, each term weighted by `weight(term) × count`. */
function cosine(
  a: Map<string, number>,
  b: Map<string, number>,
  weight: (term: string) => number,
): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, c] of a) {
    const wa = c * weight(t);
    na += wa * wa;
    const cb = b.get(t);
    if (cb !== undefined) dot += wa * cb * weight(t);
  }
  for (const [t, c] of b) {
    const wb = c * weight(t);
    nb += wb * wb;
  }
  if (na === 0 || nb === 0) return 0;
  const cos = dot / Math.sqrt(na * nb);
  return Math.round(cos * 1e12) / 1e12;
}

export interface LexicalBaselines {
  /** Spearman × 100 of bag-of-words (count) cosine against gold. */
  bagOfWords: number;
  /** Spearman × 100 of TF-IDF cosine against gold (IDF over the set's sentences). */
  tfidf: number;
}

/** Cosine similarities of each pair under bag-of-words and TF-IDF. [N] each */
export function lexicalSimilarities(
  s1: readonly string[],
  s2: readonly string[],
): { bagOfWords: number[]; tfidf: number[] } {
  if (s1.length !== s2.length)
    throw new Error(`lexical baselines need pairs, got ${s1.length} and ${s2.length} sentences`);
  const c1 = s1.map((s) => counts(lexicalTokens(s)));
  const c2 = s2.map((s) => counts(lexicalTokens(s)));
  const df = new Map<string, number>();
  for (const c of [...c1, ...c2]) for (const t of c.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const n = c1.length + c2.length;
  const idf = new Map<string, number>();
  for (const [t, d] of df) idf.set(t, Math.log((1 + n) / (1 + d)) + 1);
  const one = () => 1;
  const idfOf = (t: string) => idf.get(t)!;
  return {
    bagOfWords: c1.map((a, i) => cosine(a, c2[i]!, one)),
    tfidf: c1.map((a, i) => cosine(a, c2[i]!, idfOf)),
  };
}

/** Bag-of-words and TF-IDF cosine, Spearman × 100 against the gold scores. */
export function lexicalBaselines(
  s1: readonly string[],
  s2: readonly string[],
  gold: readonly number[],
): LexicalBaselines {
  const sims = lexicalSimilarities(s1, s2);
  return {
    bagOfWords: spearman(sims.bagOfWords, gold) * 100,
    tfidf: spearman(sims.tfidf, gold) * 100,
  };
}
