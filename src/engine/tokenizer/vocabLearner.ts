/**
 * Learns a WordPiece vocabulary from a corpus with the BPE-style procedure behind Hugging Face's
 * `WordPieceTrainer` (Sennrich et al. 2016 merges, spelled with BERT's "##" prefix); our own
 * code, our own tie rule.
 *
 *  1. Count the words the BERT pre-tokenizer gives (`countWords`).
 *  2. Spell each word as characters, every one after the first with "##":
 *     "lower" → l ##o ##w ##e ##r.
 *  3. The vocabulary starts with the special tokens, then every character seen (plus
 *     `alphabet`, sorted), then the "##" form of each, so that any word made of known characters
 *     can be tokenised.
 *  4. Repeatedly merge the most frequent adjacent pair in the corpus (counted over word
 *     occurrences) into one symbol: (l, ##o) → lo, (##e, ##r) → ##er. Each new symbol is appended
 *     to the vocabulary, so frequent whole words and frequent "##" suffixes arrive first.
 *     Ties go to the pair whose left, then right, symbol sorts first (UTF-16 order), so the result
 *     depends only on the word counts, never on their order.
 *  5. Stop at `vocabSize` tokens, or when no pair occurs `minFrequency` times.
 *
 * Words longer than 100 characters are skipped (WordPiece maps them to [UNK] anyway).
 * Pure and deterministic; no I/O. Pair counts are updated incrementally and the best pair is
 * kept in a heap, so a corpus of a million words learns 8,000 tokens in seconds.
 */
import { CONTINUING_SUBWORD_PREFIX, MAX_INPUT_CHARS_PER_WORD } from './tokenizerJson.ts';

export const DEFAULT_SPECIAL_TOKEN_ORDER = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/**
 * Characters every learned vocabulary gets even when its corpus lacks them: printable ASCII
 * (lower-cased, as the uncased normalizer leaves it) and the typographic marks common in web
 * text (curly quotes, dashes, ellipsis, bullets, currency, degree, ...), so that text pasted
 * from the web does not turn into [UNK] at every quote.
 */
export const DEFAULT_ALPHABET: readonly string[] = [
  ...new Set(
    Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i).toLowerCase()),
  ),
  ...'‘’‚“”„–—‐…•·′″«»‹›¡¿§¶©®™°±×÷¢£¤¥€₤¹²³¼½¾',
];

export interface VocabLearnerOptions {
  /** Target size, special tokens included (the alphabet alone may exceed it). Default 8000. */
  vocabSize?: number;
  /** A pair must occur at least this often to be merged. Default 2. */
  minFrequency?: number;
  /** First tokens, ids 0.. in this order. Default [PAD] [UNK] [CLS] [SEP] [MASK]. */
  specialTokens?: readonly string[];
  /** Characters included even when the corpus lacks them. Default `DEFAULT_ALPHABET`. */
  alphabet?: Iterable<string>;
}

/** Word → number of occurrences over all sentences, words as `preTokenize` gives them. */
export function countWords(
  sentences: Iterable<string>,
  preTokenize: (text: string) => string[],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of sentences) {
    for (const w of preTokenize(s)) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return counts;
}

const byUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Pair key: left and right symbol ids packed into one exact integer. */
const SHIFT = 2 ** 24;
const pairKey = (a: number, b: number) => a * SHIFT + b;

interface HeapEntry {
  count: number;
  key: number;
}

/** The vocabulary, ordered by id. */
export function learnWordPieceVocab(
  wordCounts: ReadonlyMap<string, number>,
  options: VocabLearnerOptions = {},
): string[] {
  const vocabSize = options.vocabSize ?? 8000;
  const minFrequency = options.minFrequency ?? 2;
  const specials = options.specialTokens ?? DEFAULT_SPECIAL_TOKEN_ORDER;
  const P = CONTINUING_SUBWORD_PREFIX;

  // Words in a fixed order, as arrays of characters.
  const words = [...wordCounts.entries()]
    .filter(([w, c]) => c > 0 && w.length > 0 && [...w].length <= MAX_INPUT_CHARS_PER_WORD)
    .sort((x, y) => byUnits(x[0], y[0]))
    .map(([w, c]) => ({ chars: [...w], count: c }));

  // 3. Specials, characters, "##" characters.
  const chars = new Set<string>(options.alphabet ?? DEFAULT_ALPHABET);
  for (const w of words) for (const ch of w.chars) chars.add(ch);
  const alphabet = [...chars].sort(byUnits);
  const vocab: string[] = [];
  const inVocab = new Set<string>();
  const add = (t: string) => {
    if (!inVocab.has(t)) {
      inVocab.add(t);
      vocab.push(t);
    }
  };
  for (const t of specials) add(t);
  for (const ch of alphabet) add(ch);
  for (const ch of alphabet) add(P + ch);

  // 2. Symbols as integer ids.
  const symbols: string[] = [];
  const symbolIds = new Map<string, number>();
  const symbolId = (s: string) => {
    let id = symbolIds.get(s);
    if (id === undefined) {
      id = symbols.length;
      symbols.push(s);
      symbolIds.set(s, id);
    }
    return id;
  };
  const spelled = words.map((w) => w.chars.map((ch, i) => symbolId(i === 0 ? ch : P + ch)));
  const counts = words.map((w) => w.count);

  // Pair counts and, per pair, the words that (may) contain it.
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  spelled.forEach((syms, w) => {
    for (let i = 0; i + 1 < syms.length; i++) {
      const k = pairKey(syms[i]!, syms[i + 1]!);
      pairCounts.set(k, (pairCounts.get(k) ?? 0) + counts[w]!);
      noteWord(pairWords, k, w);
    }
  });

  // Max-heap on (count desc, left symbol asc, right symbol asc); stale entries are skipped.
  const better = (x: HeapEntry, y: HeapEntry) => {
    if (x.count !== y.count) return x.count > y.count;
    const xa = symbols[Math.floor(x.key / SHIFT)]!;
    const ya = symbols[Math.floor(y.key / SHIFT)]!;
    if (xa !== ya) return xa < ya;
    return symbols[x.key % SHIFT]! < symbols[y.key % SHIFT]!;
  };
  const heap = new MaxHeap<HeapEntry>(better);
  for (const [key, count] of pairCounts) heap.push({ count, key });

  // 4. Merge.
  while (vocab.length < vocabSize && heap.size > 0) {
    const top = heap.pop()!;
    if (pairCounts.get(top.key) !== top.count) continue; // stale
    if (top.count < minFrequency) break;
    const a = Math.floor(top.key / SHIFT);
    const b = top.key % SHIFT;
    const merged = symbols[a]! + symbols[b]!.slice(P.length); // b is never word-initial: "##…"
    const m = symbolId(merged);
    add(merged);

    const delta = new Map<number, number>();
    const bump = (k: number, d: number) => delta.set(k, (delta.get(k) ?? 0) + d);
    for (const w of pairWords.get(top.key) ?? []) {
      const syms = spelled[w]!;
      const next = mergeWord(syms, a, b, m);
      if (next === syms) continue;
      const c = counts[w]!;
      for (let i = 0; i + 1 < syms.length; i++) bump(pairKey(syms[i]!, syms[i + 1]!), -c);
      for (let i = 0; i + 1 < next.length; i++) {
        const k = pairKey(next[i]!, next[i + 1]!);
        bump(k, c);
        noteWord(pairWords, k, w);
      }
      spelled[w] = next;
    }
    pairWords.delete(top.key);
    for (const [k, d] of delta) {
      if (d === 0) continue;
      const count = (pairCounts.get(k) ?? 0) + d;
      if (count > 0) {
        pairCounts.set(k, count);
        heap.push({ count, key: k });
      } else {
        pairCounts.delete(k);
      }
    }
  }
  return vocab;
}

/** Records that word `w` contains the pair `key`. */
function noteWord(pairWords: Map<number, Set<number>>, key: number, w: number): void {
  const set = pairWords.get(key);
  if (set) set.add(w);
  else pairWords.set(key, new Set([w]));
}

/** `syms` with every non-overlapping (a, b), left to right, replaced by m; `syms` if none. */
function mergeWord(syms: number[], a: number, b: number, m: number): number[] {
  let out: number[] | null = null;
  for (let i = 0; i < syms.length; i++) {
    if (syms[i] === a && syms[i + 1] === b) {
      out ??= syms.slice(0, i);
      out.push(m);
      i++;
    } else if (out) {
      out.push(syms[i]!);
    }
  }
  return out ?? syms;
}

/** A binary max-heap under `better(x, y)` ("x comes out before y"). */
class MaxHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly better: (x: T, y: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const h = this.items;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.better(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const h = this.items;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < h.length && this.better(h[l]!, h[best]!)) best = l;
        if (r < h.length && this.better(h[r]!, h[best]!)) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best]!, h[i]!];
        i = best;
      }
    }
    return top;
  }
}
