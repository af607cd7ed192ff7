/**
 * EDA — Easy Data Augmentation (Wei & Zou 2019), following the reference code
 * (jasonwei20/eda_nlp@5d54d43, code/eda.py) operation by operation:
 *
 * - synonym replacement: n = max(1, ⌊α·len⌋); shuffle the distinct non-stop words, and for
 *   each that has synonyms replace every occurrence with one random synonym, until n words
 *   were replaced.
 * - random insertion: n times, pick a random non-stop word that has synonyms (up to 10
 *   tries) and insert one of its synonyms before a random word (`randint(0, len-1)`, so never
 *   after the last word).
 * - random swap: n times, swap the words at two distinct random positions.
 * - random deletion: delete each word with probability α; never delete the only word, and if
 *   every word went, keep one random word.
 *
 * len counts words only: punctuation tokens are kept in place and never edited (the reference
 * code strips punctuation instead). Unlike the reference code nothing is lower-cased or
 * stripped: text keeps its case and CJK characters; only synonym look-ups are lower-cased, and
 * a synonym replacing a capitalised word is capitalised. Random insertion skips stop words
 * (the reference code only skips them for replacement).
 *
 * Deterministic: every random choice comes from the `Rng` passed in, in a documented order.
 */
import { UserError } from '../errors.ts';
import type { Rng } from '../rng.ts';
import { isStopWord } from './stopwords.ts';
import { detectLanguage, isWordText, joinWords, tokeniseWords } from './tokenise.ts';
import type {
  EdaOperation,
  EdaOptions,
  EdaResult,
  EdaRunOptions,
  Edit,
  SynonymSource,
} from './types.ts';

const OPERATIONS: readonly EdaOperation[] = [
  'synonymReplacement',
  'randomInsertion',
  'randomSwap',
  'randomDeletion',
];

/** One token of the working list; `origin` tracks it back to the original list. */
interface Slot {
  text: string;
  pre: string;
  isWord: boolean;
  /** Index in the original token list; null for an inserted word. */
  origin: number | null;
  /** Set when a synonym replaced the original word. */
  replaced: boolean;
  /** Set when a swap moved this word. */
  swapped: boolean;
  /** For inserted words: the word whose synonym this is. */
  synonymOf?: string;
}

/** n = max(1, ⌊α·len⌋), EDA's count for replacement, insertion and swap. */
export function edaCount(rate: number, words: number): number {
  return Math.max(1, Math.floor(rate * words));
}

/**
 * Make one EDA view of `text`.
 *
 * @param options   rates α for the four operations (0 disables) and how to combine them
 * @param rng       all random choices; same state → same view
 * @param synonyms  WordNet (`englishSynonyms()`), a parsed list, or `NO_SYNONYMS`
 * @param opts      language: 'en' splits on whitespace, 'zh' segments by the synonym
 *                  source's lexicon; 'auto' (default) picks by script
 */
export function eda(
  text: string,
  options: EdaOptions,
  rng: Rng,
  synonyms: SynonymSource,
  opts: EdaRunOptions = {},
): EdaResult {
  for (const op of OPERATIONS) {
    const rate = options[op];
    if (!(rate >= 0 && rate <= 1)) {
      throw new UserError(`EDA ${op} rate must be in [0, 1], got ${rate}.`);
    }
  }
  const requested = opts.language ?? 'auto';
  const language = requested === 'auto' ? detectLanguage(text) : requested;
  const separator = language === 'zh' ? '' : ' ';
  const original = tokeniseWords(text, language, synonyms.lexicon);
  const originalTokens = original.map((t) => t.text);
  let slots: Slot[] = original.map((t, i) => ({
    text: t.text,
    pre: t.pre,
    isWord: t.isWord,
    origin: i,
    replaced: false,
    swapped: false,
  }));
  const numWords = slots.filter((s) => s.isWord).length;

  const enabled = OPERATIONS.filter((op) => options[op] > 0);
  let chosen: EdaOperation[] = [];
  if (numWords > 0 && enabled.length > 0) {
    // 'one': draw 1 — which operation; 'all': no draw.
    chosen = (options.combine ?? 'one') === 'all' ? enabled : [enabled[rng.int(enabled.length)]!];
  }

  const operations: EdaResult['operations'] = [];
  for (const op of chosen) {
    const rate = options[op];
    if (op === 'randomDeletion') {
      operations.push({ op, rate, n: null });
      slots = randomDeletion(slots, rate, rng);
      continue;
    }
    const n = edaCount(rate, numWords);
    operations.push({ op, rate, n });
    if (op === 'synonymReplacement') synonymReplacement(slots, n, rng, synonyms);
    else if (op === 'randomInsertion') randomInsertion(slots, n, rng, synonyms, separator);
    else randomSwap(slots, n, rng);
  }

  const edits = collectEdits(slots, original.length, originalTokens);
  if (edits.length === 0) {
    // Nothing changed (no synonyms, a one-word text): the text comes back byte for byte.
    const origins = originalTokens.map((_, i) => i);
    return { text, edits, originalTokens, tokens: originalTokens, origins, operations, language };
  }
  return {
    text: joinWords(slots),
    edits,
    originalTokens,
    tokens: slots.map((s) => s.text),
    origins: slots.map((s) => s.origin),
    operations,
    language,
  };
}

/** The synonyms EDA may use for `word`: never the word itself, never empty. */
function synonymsOf(word: string, source: SynonymSource): string[] {
  const key = word.toLowerCase();
  return source.synonyms(key).filter((s) => s !== '' && s.toLowerCase() !== key);
}

/** Give `synonym` the case pattern of `word` ("Happy" → "Glad", "HAPPY" → "GLAD"). */
function matchCase(word: string, synonym: string): string {
  const chars = Array.from(word);
  const first = chars[0] ?? '';
  const isUpper = (c: string) => c !== c.toLowerCase() && c === c.toUpperCase();
  if (chars.length > 1 && chars.every((c) => !/\p{L}/u.test(c) || isUpper(c))) {
    return synonym.toUpperCase();
  }
  if (isUpper(first)) return synonym.charAt(0).toUpperCase() + synonym.slice(1);
  return synonym;
}

/**
 * Draws: 1 shuffle of the distinct candidate words (Rng.shuffle), then for each candidate
 * with synonyms one `int(#synonyms)`.
 */
function synonymReplacement(slots: Slot[], n: number, rng: Rng, source: SynonymSource): void {
  const candidates: string[] = [];
  for (const s of slots) {
    if (!s.isWord || isStopWord(s.text)) continue;
    const key = s.text.toLowerCase();
    if (!candidates.includes(key)) candidates.push(key);
  }
  rng.shuffle(candidates);
  let replaced = 0;
  for (const key of candidates) {
    const syns = synonymsOf(key, source);
    if (syns.length >= 1) {
      const synonym = syns[rng.int(syns.length)]!;
      for (const s of slots) {
        if (s.isWord && s.text.toLowerCase() === key) {
          s.text = matchCase(s.text, synonym);
          s.replaced = true;
        }
      }
      replaced++;
    }
    if (replaced >= n) break;
  }
}

/**
 * Draws, per insertion: up to 10 × `int(#candidates)` until a word with synonyms comes up,
 * then `int(#synonyms)`, then `int(#words)` for the word to insert before.
 */
function randomInsertion(
  slots: Slot[],
  n: number,
  rng: Rng,
  source: SynonymSource,
  separator: string,
): void {
  for (let k = 0; k < n; k++) {
    const candidates = slots.filter((s) => s.isWord && !isStopWord(s.text));
    if (candidates.length === 0) return;
    let syns: string[] = [];
    let word = '';
    for (let tries = 0; tries < 10 && syns.length === 0; tries++) {
      word = candidates[rng.int(candidates.length)]!.text;
      syns = synonymsOf(word, source);
    }
    if (syns.length === 0) continue;
    const synonym = syns[rng.int(syns.length)]!;
    const wordSlots = slots.filter((s) => s.isWord);
    const before = wordSlots[rng.int(wordSlots.length)]!;
    const at = slots.indexOf(before);
    slots.splice(at, 0, {
      text: synonym,
      pre: before.pre,
      isWord: isWordText(synonym),
      origin: null,
      replaced: false,
      swapped: false,
      synonymOf: word,
    });
    before.pre = separator;
  }
}

/** Draws, per swap: `int(#words)` then `int(#words - 1)` (a distinct second position). */
function randomSwap(slots: Slot[], n: number, rng: Rng): void {
  const positions: number[] = [];
  slots.forEach((s, i) => {
    if (s.isWord) positions.push(i);
  });
  if (positions.length < 2) return;
  for (let k = 0; k < n; k++) {
    const a = rng.int(positions.length);
    let b = rng.int(positions.length - 1);
    if (b >= a) b++;
    const i = positions[a]!;
    const j = positions[b]!;
    const si = slots[i]!;
    const sj = slots[j]!;
    // The whitespace belongs to the position, the word moves.
    [si.pre, sj.pre] = [sj.pre, si.pre];
    slots[i] = sj;
    slots[j] = si;
    si.swapped = true;
    sj.swapped = true;
  }
}

/** Draws: one `next()` per word, in order; if all were deleted, one `int(#words)`. */
function randomDeletion(slots: Slot[], p: number, rng: Rng): Slot[] {
  const wordCount = slots.filter((s) => s.isWord).length;
  if (wordCount <= 1) return slots;
  const keep = slots.map((s) => !s.isWord || rng.next() > p);
  if (!slots.some((s, i) => s.isWord && keep[i])) {
    const words = slots.map((s, i) => (s.isWord ? i : -1)).filter((i) => i >= 0);
    keep[words[rng.int(words.length)]!] = true;
  }
  // A deleted first token's leading whitespace needs no hand-over: joining drops it anyway.
  return slots.filter((_, i) => keep[i]);
}

function collectEdits(slots: Slot[], originalLength: number, originalTokens: string[]): Edit[] {
  const edits: Edit[] = [];
  const present = new Array<boolean>(originalLength).fill(false);
  // A swapped word counts as moved only if its rank among the surviving original words
  // changed (swapping the same two words twice puts them back: no edit).
  const survivors = slots.flatMap((s) => (s.origin === null ? [] : [s.origin]));
  const sorted = survivors.slice().sort((a, b) => a - b);
  const moved = new Set(survivors.filter((o, rank) => sorted[rank] !== o));
  slots.forEach((s, to) => {
    if (s.origin === null) {
      edits.push({ kind: 'insert', from: null, to, newWord: s.text, synonymOf: s.synonymOf! });
      return;
    }
    present[s.origin] = true;
    const oldWord = originalTokens[s.origin]!;
    if (s.replaced) edits.push({ kind: 'replace', from: s.origin, to, oldWord, newWord: s.text });
    if (s.swapped && moved.has(s.origin)) {
      edits.push({ kind: 'swap', from: s.origin, to, oldWord, newWord: s.text });
    }
  });
  present.forEach((p, from) => {
    if (!p) edits.push({ kind: 'delete', from, to: null, oldWord: originalTokens[from]! });
  });
  return edits;
}
