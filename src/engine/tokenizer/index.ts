/**
 * BERT's WordPiece tokenizer. `@huggingface/tokenizers` (the JavaScript port of Hugging Face's
 * `tokenizers`) runs it from a tokenizer.json object; a vocab.txt is first turned into the same
 * tokenizer.json that Hugging Face's converter writes, so both inputs share one code path.
 *
 *   text ─ BertNormalizer ─ BertPreTokenizer ─ WordPiece ("##", 100 chars/word) ─ words
 *   words ─ truncation (longest_first) ─ [CLS] A [SEP] (B [SEP]) template ─ ids, token types
 *
 * On top of the library this file adds truncation (the library has none), batching into int32
 * arrays, checks that turn malformed files into `UserError`s, and two small Unicode fixes
 * (./unicodeFixes.ts). Golden ids: tests/fixtures/tokenizer/make_tokenizer.py.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { loadAsset } from '../assets.ts';
import { UserError } from '../errors.ts';
import { type EncodedBatch, type EncodedRow, padRows } from './batch.ts';
import {
  requireSpecialTokens,
  type SpecialTokenNames,
  specialTokensMapOf,
} from './specialTokens.ts';
import {
  DEFAULT_NORMALIZER,
  type NormalizerOptions,
  readTokenizerConfig,
  tokenizerConfigOf,
} from './tokenizerConfig.ts';
import {
  bertTemplateJson,
  buildTokenizerJson,
  readTokenizerJson,
  type TokenizerJson,
  vocabObject,
} from './tokenizerJson.ts';
import { truncateLongestFirst } from './truncation.ts';
import { textFixes } from './unicodeFixes.ts';
import { formatVocabTxt, parseVocabTxt } from './vocabTxt.ts';

export type { EncodedBatch } from './batch.ts';
export type { NormalizerOptions } from './tokenizerConfig.ts';

/**
 * What makes the same tokenizer again in another thread (a data-parallel replica): plain data,
 * structured-clonable. `BertTokenizer.fromState` builds it without re-reading any file.
 */
export interface TokenizerState {
  json: TokenizerJson;
  tokens: string[];
  special: SpecialTokenNames;
  modelMaxLength: number;
}

export interface EncodeBatchOptions {
  /** Second sentences, one per text (sentence-pair tasks). */
  pairs?: string[];
  /** Each row is truncated to this many tokens, special tokens included. */
  maxLength: number;
  /** Pad every row to this length (at least the longest row); default: the longest row. */
  padTo?: number;
  /** Rows this tokenizer encoded ahead, at this `maxLength`: taken instead of encoding again. */
  ahead?: EncodedAhead;
}

/**
 * Rows encoded before their batch is: a data-parallel replica encodes the next step's texts
 * while it waits at a barrier (BertTokenizer.encodeAhead), and `encodeBatch` with `ahead` then
 * takes them. `encode` is pure, so the rows are the same either way.
 */
export class EncodedAhead {
  readonly rows = new Map<string, EncodedRow>();
  constructor(readonly maxLength: number) {}
}

/** One key per (text, pair): unambiguous, as the pair's start is given by the text's length. */
function rowKey(text: string, pair: string | undefined): string {
  return pair === undefined ? text : `${text.length}:${text}${pair}`;
}

export class BertTokenizer {
  readonly vocabSize: number;
  readonly padId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly unkId: number;
  /** -1 when the vocabulary has no mask token (it is only needed for masked-LM training). */
  readonly maskId: number;
  /** tokenizer_config.json's model_max_length (512 when absent): `encode`'s default maxLength. */
  readonly modelMaxLength: number;

  private readonly engine: Tokenizer;
  private readonly json: TokenizerJson;
  /** All tokens ordered by id. */
  private readonly tokens: string[];
  private readonly ids: Map<string, number>;
  private readonly special: SpecialTokenNames;
  private readonly fix: (text: string) => string;
  private readonly nSpecialSingle: number;
  private readonly nSpecialPair: number;

  private constructor(
    json: TokenizerJson,
    tokens: string[],
    special: SpecialTokenNames,
    modelMaxLength: number,
    file: string,
  ) {
    this.tokens = tokens;
    this.ids = new Map(tokens.map((t, i) => [t, i]));
    this.special = special;
    requireSpecialTokens((t) => this.ids.has(t), special, file);
    // A tokenizer.json without a post-processor would add no [CLS]/[SEP]; the encoder needs them.
    json.post_processor ??= bertTemplateJson(
      special.cls,
      this.ids.get(special.cls)!,
      special.sep,
      this.ids.get(special.sep)!,
    );
    this.json = json;
    try {
      this.engine = new Tokenizer(json, {});
    } catch (e) {
      throw new UserError(
        `${file} cannot be used: ${String((e as Error).message).replace(/\.$/, '')}.`,
      );
    }
    const n = json.normalizer;
    this.fix =
      n?.type === 'BertNormalizer'
        ? textFixes({
            cleanText: n.clean_text === true,
            handleChineseChars: n.handle_chinese_chars === true,
          })
        : (text) => text;
    this.vocabSize = tokens.length;
    this.padId = this.ids.get(special.pad)!;
    this.clsId = this.ids.get(special.cls)!;
    this.sepId = this.ids.get(special.sep)!;
    this.unkId = this.ids.get(special.unk)!;
    this.maskId = this.ids.get(special.mask) ?? -1;
    this.modelMaxLength = modelMaxLength;
    this.nSpecialSingle = this.postProcess([], null).ids.length;
    this.nSpecialPair = this.postProcess([], []).ids.length;
  }

  /**
   * From a tokenizer.json object (and optionally tokenizer_config.json). Config fields
   * do_lower_case / strip_accents / tokenize_chinese_chars, when present, override the
   * BertNormalizer's, as in Hugging Face's BertTokenizerFast.
   */
  static fromTokenizerJson(tokenizerJson: object, tokenizerConfig?: object): BertTokenizer {
    const config = readTokenizerConfig(tokenizerConfig);
    const { json, tokens } = readTokenizerJson(tokenizerJson, config.normalizer);
    const special = config.namesUnk
      ? config.special
      : { ...config.special, unk: json.model.unk_token };
    if (special.unk !== json.model.unk_token) {
      throw new UserError(
        `tokenizer_config.json names the unknown token "${special.unk}" but tokenizer.json's model uses "${json.model.unk_token}".`,
      );
    }
    return new BertTokenizer(json, tokens, special, config.modelMaxLength, 'tokenizer.json');
  }

  /**
   * From a vocab.txt (and optionally tokenizer_config.json): do_lower_case (default true),
   * strip_accents (default null: follows do_lower_case), tokenize_chinese_chars (default true),
   * model_max_length and the special token names are honoured.
   */
  static fromVocab(vocabTxt: string, tokenizerConfig?: object): BertTokenizer {
    const config = readTokenizerConfig(tokenizerConfig);
    const tokens = parseVocabTxt(vocabTxt);
    const normalizer: NormalizerOptions = { ...DEFAULT_NORMALIZER, ...config.normalizer };
    // Checked before building: the tokenizer.json template needs the [CLS] and [SEP] ids.
    const known = new Set(tokens);
    requireSpecialTokens((t) => known.has(t), config.special, 'vocab.txt');
    const json = buildTokenizerJson(tokens, normalizer, config.special);
    return new BertTokenizer(json, tokens, config.special, config.modelMaxLength, 'vocab.txt');
  }

  /** The tokenizer `state()` describes, built as this one was (the same ids for every text). */
  static fromState(s: TokenizerState): BertTokenizer {
    return new BertTokenizer(
      structuredClone(s.json),
      [...s.tokens],
      { ...s.special },
      s.modelMaxLength,
      'the tokenizer state',
    );
  }

  /** This tokenizer as data (see `fromState`). */
  state(): TokenizerState {
    return {
      json: this.json,
      tokens: this.tokens,
      special: this.special,
      modelMaxLength: this.modelMaxLength,
    };
  }

  /** The uncased tokenizer of the built-in encoder (vocabulary: the generated builtin-vocab.txt). */
  static async builtin(): Promise<BertTokenizer> {
    const vocab = await loadAsset('builtin-vocab.txt');
    return BertTokenizer.fromVocab(vocab, { do_lower_case: true, model_max_length: 512 });
  }

  /** WordPiece tokens of `text`, without special tokens. */
  tokenize(text: string): string[] {
    return this.engine.tokenize(this.fix(text));
  }

  /**
   * `[CLS] text [SEP]` or `[CLS] text [SEP] pair [SEP]` as ids with token types (0 for the first
   * part, 1 for the second). At most `maxLength` tokens (default `modelMaxLength`), special tokens
   * included; pairs are cut longest-first (./truncation.ts).
   */
  encode(
    text: string,
    pair?: string,
    maxLength: number = this.modelMaxLength,
  ): { ids: number[]; typeIds: number[] } {
    const nSpecial = pair === undefined ? this.nSpecialSingle : this.nSpecialPair;
    if (!(maxLength >= nSpecial) || !(Number.isInteger(maxLength) || maxLength === Infinity)) {
      throw new UserError(
        `maxLength (${maxLength}) must be an integer of at least ${nSpecial}, the number of special tokens added.`,
      );
    }
    const a = this.tokenize(text);
    const b = pair === undefined ? null : this.tokenize(pair);
    const [ta, tb] = truncateLongestFirst(a, b, maxLength - nSpecial);
    return this.postProcess(ta, tb);
  }

  /** Encodes and pads a batch into row-major `[B, L]` int32 arrays (see ./batch.ts). */
  encodeBatch(texts: string[], opts: EncodeBatchOptions): EncodedBatch {
    const { pairs, maxLength, padTo } = opts;
    if (pairs !== undefined && pairs.length !== texts.length) {
      throw new UserError(
        `encodeBatch got ${texts.length} texts but ${pairs.length} pairs: they must match one to one.`,
      );
    }
    const ahead = opts.ahead;
    if (ahead && ahead.maxLength !== maxLength)
      throw new Error(
        `encodeBatch: rows encoded ahead at maxLength ${ahead.maxLength}, asked for ${maxLength}`,
      );
    // A text (with its pair) repeated in the batch is encoded once: unsupervised SimCSE's two
    // views are the same sentence. `encode` is pure, so the rows are the same either way.
    const seen = new Map<string, EncodedRow>();
    const rows: EncodedRow[] = texts.map((t, i) => {
      const pair = pairs?.[i];
      const key = rowKey(t, pair);
      let row = seen.get(key) ?? ahead?.rows.get(key);
      if (row === undefined) row = this.encode(t, pair, maxLength);
      seen.set(key, row);
      return row;
    });
    return padRows(rows, this.padId, padTo);
  }

  /** Encodes `text` (with `pair`) into `into` for a later `encodeBatch`, unless it is there. */
  encodeAhead(into: EncodedAhead, text: string, pair?: string): void {
    const key = rowKey(text, pair);
    if (!into.rows.has(key)) into.rows.set(key, this.encode(text, pair, into.maxLength));
  }

  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.tokens[id];
  }

  /** A tokenizer.json that Hugging Face's `tokenizers` (and this class) loads back. */
  toTokenizerJson(): object {
    const { model, ...rest } = this.json;
    const modelSize = Object.keys(model.vocab).length;
    return {
      ...structuredClone(rest),
      model: { ...model, vocab: vocabObject(this.tokens.slice(0, modelSize)) },
    };
  }

  /** The vocabulary as vocab.txt (token of id i on line i + 1). */
  toVocabTxt(): string {
    return formatVocabTxt(this.tokens);
  }

  toTokenizerConfig(): object {
    return tokenizerConfigOf(
      this.normalizerOptions(),
      this.modelMaxLength,
      this.special,
      this.maskId >= 0,
    );
  }

  specialTokensMap(): object {
    return specialTokensMapOf(this.special, this.maskId >= 0);
  }

  /** The normalizer's options (BERT's defaults when the tokenizer.json has another normalizer). */
  private normalizerOptions(): NormalizerOptions {
    const n = this.json.normalizer;
    if (n?.type !== 'BertNormalizer') return { ...DEFAULT_NORMALIZER };
    return {
      cleanText: n.clean_text as boolean,
      handleChineseChars: n.handle_chinese_chars as boolean,
      stripAccents: n.strip_accents as boolean | null,
      lowercase: n.lowercase as boolean,
    };
  }

  /** Adds the template's special tokens and maps tokens to ids. */
  private postProcess(a: string[], b: string[] | null): { ids: number[]; typeIds: number[] } {
    const out = this.engine.post_processor!.post_process(a, b, true);
    const ids = out.tokens.map((t) => this.ids.get(t) ?? this.unkId);
    const typeIds = ids.map((_, i) => out.token_type_ids?.[i] ?? 0);
    return { ids, typeIds };
  }
}
