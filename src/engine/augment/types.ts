/**
 * The shapes of the two kinds of views the playground makes, shared by the engine, the
 * experiment config schema (which mirrors these exact names) and the UI preview.
 *
 * - Text views: EDA (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques for Boosting
 *   Performance on Text Classification Tasks"), see `eda.ts`.
 * - Embedding views: ConSERT (Yan et al. 2021, "ConSERT: A Contrastive Framework for
 *   Self-Supervised Sentence Representation Transfer"), applied to the embedding output
 *   [B, L, H] before encoder layer 0, see `consert.ts`.
 */

/**
 * The four EDA operations, each with its own rate α in [0, 1]; 0 disables the operation.
 * For synonym replacement, insertion and swap the operation runs n = max(1, ⌊α·len⌋) times
 * (len = number of words); for deletion each word is deleted with probability α.
 */
export interface EdaOptions {
  synonymReplacement: number;
  randomInsertion: number;
  randomSwap: number;
  randomDeletion: number;
  /**
   * 'one' (default, as in the EDA paper and its reference code): each view applies ONE of
   * the enabled operations, picked uniformly. 'all': every enabled operation in EDA's order
   * (replacement, insertion, swap, deletion), one after the other, on the same view.
   */
  combine?: 'one' | 'all';
}

export type EdaOperation =
  | 'synonymReplacement'
  | 'randomInsertion'
  | 'randomSwap'
  | 'randomDeletion';

/** 'auto' picks 'zh' when the text contains Han or kana characters, 'en' otherwise. */
export type EdaLanguage = 'en' | 'zh' | 'auto';

export interface EdaRunOptions {
  language?: EdaLanguage;
}

/**
 * One change EDA made, in terms of the original token list (`from`) and the result token
 * list (`to`) of the same `eda()` call.
 * - replace: the word at original `from` became `newWord` at result `to`
 * - insert:  `newWord` (a synonym of `synonymOf`) was inserted at result `to`; `from` is null
 * - swap:    the word at original `from` was moved by a swap and now sits at result `to`
 *            (one edit per moved word; a swap of two words gives two edits)
 * - delete:  the word at original `from` was removed; `to` is null
 */
export interface Edit {
  kind: 'replace' | 'insert' | 'swap' | 'delete';
  from: number | null;
  to: number | null;
  /** The original word (replace, swap, delete). */
  oldWord?: string;
  /** The word now in the result (replace, insert, swap). */
  newWord?: string;
  /** insert only: the word whose synonym was inserted. */
  synonymOf?: string;
}

export interface EdaResult {
  /** The augmented text. */
  text: string;
  edits: Edit[];
  /** The original text's tokens (words and punctuation), what `Edit.from` indexes. */
  originalTokens: string[];
  /** The result's tokens, what `Edit.to` indexes. A multi-word synonym is one token here. */
  tokens: string[];
  /** For each result token, its index in `originalTokens`; null for an inserted word. */
  origins: (number | null)[];
  /**
   * The operations that ran, in order, with their rate and n = max(1, ⌊α·len⌋) (the planned
   * count; null for deletion, which deletes each word with probability α).
   */
  operations: { op: EdaOperation; rate: number; n: number | null }[];
  /** The language the text was handled as. */
  language: 'en' | 'zh';
}

/** Words a Chinese (or other unspaced) text may be segmented into, by longest match. */
export interface Lexicon {
  has(word: string): boolean;
  /** Length, in UTF-16 code units, of the longest word. */
  readonly maxLength: number;
}

/** Where EDA gets synonyms from: WordNet for English, a user's list (e.g. Cilin) otherwise. */
export interface SynonymSource {
  /** Synonyms of `word` (never `word` itself); [] when it has none. */
  synonyms(word: string): string[];
  /** The source's words, used to segment Chinese text by forward maximum matching. */
  readonly lexicon?: Lexicon;
}

/**
 * An embedding-level view (ConSERT §3.2), applied to the embedding output before layer 0.
 * - shuffle:        permute the position ids among the real tokens of each row
 * - token-cutoff:   zero ⌊rate·len⌋ whole token rows among the real tokens
 * - feature-cutoff: zero ⌊rate·H⌋ whole embedding columns (per example)
 * - span-cutoff:    keep one contiguous span of max(1, ⌊(1-rate)·len⌋) real tokens, mask the rest
 * - dropout:        zero each embedding value with probability rate (no rescaling, as ConSERT)
 * - noise:          add N(0, sigma²) to each embedding value
 * - adversarial:    add ε·g/‖g‖ (FGV) of a supervised loss's gradient g w.r.t. the embeddings;
 *                   `norm` says over what ‖g‖ is taken (default 'token', as ConSERT's code)
 */
export type EmbeddingView =
  | { kind: 'shuffle' }
  | { kind: 'token-cutoff'; rate: number }
  | { kind: 'feature-cutoff'; rate: number }
  | { kind: 'span-cutoff'; rate: number }
  | { kind: 'dropout'; rate: number }
  | { kind: 'noise'; sigma: number }
  | { kind: 'adversarial'; epsilon: number; norm?: 'token' | 'example' };

export type EmbeddingViewKind = EmbeddingView['kind'];

/**
 * ConSERT's rates: token cutoff 0.15, feature cutoff 0.2, dropout 0.2 (the paper's §4 setup
 * and `scripts/unsup-consert-base.sh`, `--cutoff_rate_final_1 0.2`); the adversarial ε is
 * `main.py`'s `--noise_norm` default, 1.0 (yym6472/ConSERT@82a22b1).
 */
export const CONSERT_DEFAULTS = {
  tokenCutoff: 0.15,
  featureCutoff: 0.2,
  dropout: 0.2,
  adversarialEpsilon: 1.0,
} as const;
