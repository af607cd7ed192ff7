/**
 * `tokenizer.json` (the Hugging Face `tokenizers` format) for a WordPiece tokenizer: built from
 * a vocab.txt exactly as `BertTokenizerFast` converts one, or read and checked from a file.
 * Both end up in the same object, which `@huggingface/tokenizers` runs.
 */
import { UserError } from '../errors.ts';
import type { SpecialTokenNames } from './specialTokens.ts';
import { DEFAULT_NORMALIZER, type NormalizerOptions } from './tokenizerConfig.ts';

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export interface WordPieceModelJson {
  type: 'WordPiece';
  unk_token: string;
  continuing_subword_prefix: string;
  max_input_chars_per_word: number;
  vocab: Record<string, number>;
}

/**
 * The tokenizer.json this app keeps. Saved `truncation` / `padding` settings are dropped (written
 * as null): `encode`'s maxLength and `encodeBatch`'s padTo decide those.
 */
export interface TokenizerJson {
  version: string;
  truncation: unknown;
  padding: unknown;
  added_tokens: AddedTokenJson[];
  normalizer: Record<string, unknown> | null;
  pre_tokenizer: Record<string, unknown> | null;
  post_processor: Record<string, unknown> | null;
  decoder: Record<string, unknown> | null;
  model: WordPieceModelJson;
}

/** Word longer than this (in code points) become [UNK], as in BERT. */
export const MAX_INPUT_CHARS_PER_WORD = 100;
export const CONTINUING_SUBWORD_PREFIX = '##';

/** token → id as a prototype-free object, so a token such as "__proto__" is an ordinary key. */
export function vocabObject(tokens: readonly string[]): Record<string, number> {
  const vocab: Record<string, number> = Object.create(null);
  tokens.forEach((t, i) => {
    vocab[t] = i;
  });
  return vocab;
}

export function bertNormalizerJson(o: NormalizerOptions): Record<string, unknown> {
  return {
    type: 'BertNormalizer',
    clean_text: o.cleanText,
    handle_chinese_chars: o.handleChineseChars,
    strip_accents: o.stripAccents,
    lowercase: o.lowercase,
  };
}

/** `[CLS] A [SEP]` / `[CLS] A [SEP] B [SEP]`, token types 0 for A and 1 for B (as HF writes it). */
export function bertTemplateJson(
  cls: string,
  clsId: number,
  sep: string,
  sepId: number,
): Record<string, unknown> {
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    type: 'TemplateProcessing',
    single: [special(cls, 0), sequence('A', 0), special(sep, 0)],
    pair: [special(cls, 0), sequence('A', 0), special(sep, 0), sequence('B', 1), special(sep, 1)],
    special_tokens: {
      [cls]: { id: cls, ids: [clsId], tokens: [cls] },
      [sep]: { id: sep, ids: [sepId], tokens: [sep] },
    },
  };
}

/**
 * The tokenizer.json that Hugging Face's converter (`BertConverter`) writes for a vocab.txt:
 * BertNormalizer, BertPreTokenizer, WordPiece with "##" and 100 characters per word,
 * the [CLS]/[SEP] template and a WordPiece decoder. Special tokens present in the vocabulary
 * become non-normalised added tokens, so "[MASK]" written in a text stays one token.
 * The caller has checked that `special.cls`, `special.sep` and `special.unk` are in `tokens`.
 */
export function buildTokenizerJson(
  tokens: readonly string[],
  normalizer: NormalizerOptions,
  special: SpecialTokenNames,
): TokenizerJson {
  const vocab = vocabObject(tokens);
  const specials = [special.pad, special.unk, special.cls, special.sep, special.mask];
  const added = [...new Set(specials)]
    .filter((t) => vocab[t] !== undefined)
    .map((content) => addedSpecialToken(vocab[content]!, content))
    .sort((a, b) => a.id - b.id);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: bertNormalizerJson(normalizer),
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: bertTemplateJson(
      special.cls,
      vocab[special.cls]!,
      special.sep,
      vocab[special.sep]!,
    ),
    decoder: { type: 'WordPiece', prefix: CONTINUING_SUBWORD_PREFIX, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: special.unk,
      continuing_subword_prefix: CONTINUING_SUBWORD_PREFIX,
      max_input_chars_per_word: MAX_INPUT_CHARS_PER_WORD,
      vocab,
    },
  };
}

function addedSpecialToken(id: number, content: string): AddedTokenJson {
  return {
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalComponent(
  json: Record<string, unknown>,
  key: string,
  file: string,
): Record<string, unknown> | null {
  const v = json[key];
  if (v === undefined || v === null) return null;
  if (!isPlainObject(v) || typeof v.type !== 'string') {
    throw new UserError(`${file} field "${key}" must be null or an object with a "type".`);
  }
  return structuredClone(v);
}

/**
 * Reads and checks a tokenizer.json object. Returns a normalised copy (the caller's object is not
 * touched) and the tokens ordered by id (model vocabulary plus added tokens beyond it).
 * Missing BertNormalizer fields get the Rust library's defaults (clean_text, handle_chinese_chars
 * and lowercase true, strip_accents null); `normalizerOverrides` (fields a tokenizer_config.json
 * names explicitly) replace them, as `BertTokenizerFast` does.
 */
export function readTokenizerJson(
  input: unknown,
  normalizerOverrides: Partial<NormalizerOptions> = {},
  file = 'tokenizer.json',
): { json: TokenizerJson; tokens: string[] } {
  if (!isPlainObject(input)) throw new UserError(`${file} must be a JSON object.`);
  const model = input.model;
  if (!isPlainObject(model)) throw new UserError(`${file} has no "model" object.`);
  const type = model.type ?? ('merges' in model ? 'BPE' : 'WordPiece');
  if (type !== 'WordPiece') {
    throw new UserError(
      `${file} holds a ${String(type)} model, not a WordPiece model: BERT encoders need a WordPiece tokenizer.`,
    );
  }
  const tokens = readModelVocab(model.vocab, file);
  const modelSize = tokens.length;
  const unk = model.unk_token ?? '[UNK]';
  const prefix = model.continuing_subword_prefix ?? CONTINUING_SUBWORD_PREFIX;
  const maxChars = model.max_input_chars_per_word ?? MAX_INPUT_CHARS_PER_WORD;
  if (typeof unk !== 'string' || unk === '') {
    throw new UserError(`${file} field "model.unk_token" must be a non-empty string.`);
  }
  if (typeof prefix !== 'string') {
    throw new UserError(`${file} field "model.continuing_subword_prefix" must be a string.`);
  }
  if (typeof maxChars !== 'number' || !Number.isInteger(maxChars) || maxChars < 1) {
    throw new UserError(
      `${file} field "model.max_input_chars_per_word" must be a positive integer.`,
    );
  }
  const added = readAddedTokens(input.added_tokens, tokens, file);

  let normalizer = optionalComponent(input, 'normalizer', file);
  if (normalizer?.type === 'BertNormalizer') {
    const o = { ...DEFAULT_NORMALIZER };
    if (typeof normalizer.clean_text === 'boolean') o.cleanText = normalizer.clean_text;
    if (typeof normalizer.handle_chinese_chars === 'boolean') {
      o.handleChineseChars = normalizer.handle_chinese_chars;
    }
    if (typeof normalizer.strip_accents === 'boolean') o.stripAccents = normalizer.strip_accents;
    if (typeof normalizer.lowercase === 'boolean') o.lowercase = normalizer.lowercase;
    normalizer = bertNormalizerJson({ ...o, ...normalizerOverrides });
  }
  const json: TokenizerJson = {
    version: typeof input.version === 'string' ? input.version : '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer,
    pre_tokenizer: optionalComponent(input, 'pre_tokenizer', file),
    post_processor: optionalComponent(input, 'post_processor', file),
    decoder: optionalComponent(input, 'decoder', file),
    model: {
      type: 'WordPiece',
      unk_token: unk,
      continuing_subword_prefix: prefix,
      max_input_chars_per_word: maxChars,
      vocab: vocabObject(tokens.slice(0, modelSize)),
    },
  };
  return { json, tokens };
}

/** model.vocab: token → id, the ids exactly 0..n-1. */
function readModelVocab(vocab: unknown, file: string): string[] {
  if (!isPlainObject(vocab)) throw new UserError(`${file} field "model.vocab" must be an object.`);
  const entries = Object.entries(vocab);
  if (entries.length === 0) throw new UserError(`${file} field "model.vocab" is empty.`);
  const tokens: string[] = new Array(entries.length);
  for (const [token, id] of entries) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= entries.length) {
      throw new UserError(
        `${file} gives token "${token}" the id ${String(id)}: ids must be the integers 0..${entries.length - 1}.`,
      );
    }
    if (tokens[id] !== undefined) {
      throw new UserError(`${file} gives the id ${id} to both "${tokens[id]}" and "${token}".`);
    }
    tokens[id] = token;
  }
  return tokens;
}

/**
 * added_tokens: each either repeats a vocabulary entry (same id, same content) or extends the
 * vocabulary with the next free ids. Appends the extensions to `tokens`.
 */
function readAddedTokens(list: unknown, tokens: string[], file: string): AddedTokenJson[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new UserError(`${file} field "added_tokens" must be an array.`);
  const out: AddedTokenJson[] = [];
  const beyond: AddedTokenJson[] = [];
  list.forEach((t: unknown, i: number) => {
    if (!isPlainObject(t) || typeof t.content !== 'string' || !Number.isInteger(t.id)) {
      throw new UserError(`${file} added_tokens[${i}] must have an integer "id" and a "content".`);
    }
    const special = t.special === true;
    const token: AddedTokenJson = {
      id: t.id as number,
      content: t.content,
      single_word: t.single_word === true,
      lstrip: t.lstrip === true,
      rstrip: t.rstrip === true,
      normalized: typeof t.normalized === 'boolean' ? t.normalized : !special,
      special,
    };
    if (token.id < 0) throw new UserError(`${file} added_tokens[${i}] has a negative id.`);
    if (token.id < tokens.length && tokens[token.id] !== token.content) {
      throw new UserError(
        `${file} added_tokens[${i}] "${token.content}" has the id ${token.id} of the vocabulary token "${tokens[token.id]}".`,
      );
    }
    if (token.id >= tokens.length) beyond.push(token);
    out.push(token);
  });
  beyond.sort((a, b) => a.id - b.id);
  for (const t of beyond) {
    if (t.id !== tokens.length) {
      throw new UserError(
        `${file} added token "${t.content}" has the id ${t.id}, but the next free id is ${tokens.length}.`,
      );
    }
    if (tokens.includes(t.content)) {
      throw new UserError(`${file} added token "${t.content}" is already in the vocabulary.`);
    }
    tokens.push(t.content);
  }
  return out;
}
