/**
 * `tokenizer_config.json`: the settings Hugging Face's `BertTokenizer` takes from it
 * (`do_lower_case`, `strip_accents`, `tokenize_chinese_chars`, `model_max_length`, the special
 * token names), read with the same defaults, and written back for an exported model folder.
 */
import { UserError } from '../errors.ts';
import { readSpecialTokenNames, type SpecialTokenNames } from './specialTokens.ts';

/** The options of a `BertNormalizer` (tokenizer.json spelling in comments). */
export interface NormalizerOptions {
  /** clean_text: drop control characters, map every whitespace character to a space. */
  cleanText: boolean;
  /** handle_chinese_chars: put spaces around each CJK ideograph. */
  handleChineseChars: boolean;
  /** strip_accents: NFD and drop combining marks; `null` follows `lowercase`. */
  stripAccents: boolean | null;
  /** lowercase */
  lowercase: boolean;
}

/** BertTokenizer's defaults (and the Rust `BertNormalizer` serde defaults): uncased. */
export const DEFAULT_NORMALIZER: Readonly<NormalizerOptions> = {
  cleanText: true,
  handleChineseChars: true,
  stripAccents: null,
  lowercase: true,
};

/** BERT's 512 positions: used when the config gives no usable `model_max_length`. */
export const DEFAULT_MODEL_MAX_LENGTH = 512;

export interface TokenizerConfigValues {
  /** Only the normalizer fields the config names explicitly. */
  normalizer: Partial<NormalizerOptions>;
  modelMaxLength: number;
  special: SpecialTokenNames;
  /** Whether the config named `unk_token` (tokenizer.json's WordPiece model names it otherwise). */
  namesUnk: boolean;
}

function optionalBoolean(config: Record<string, unknown>, key: string, file: string) {
  const v = config[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new UserError(`${file} field "${key}" must be true or false.`);
  return v;
}

/**
 * Reads a tokenizer_config.json object. `model_max_length` values that Hugging Face uses to
 * mean "unknown" (1e30) or anything above 1e6 fall back to 512.
 */
export function readTokenizerConfig(
  config: object | undefined,
  file = 'tokenizer_config.json',
): TokenizerConfigValues {
  if (config === undefined || config === null) {
    return {
      normalizer: {},
      modelMaxLength: DEFAULT_MODEL_MAX_LENGTH,
      special: readSpecialTokenNames({}, file),
      namesUnk: false,
    };
  }
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new UserError(`${file} must be a JSON object.`);
  }
  const c = config as Record<string, unknown>;
  const normalizer: Partial<NormalizerOptions> = {};
  const lower = optionalBoolean(c, 'do_lower_case', file);
  if (lower !== undefined) normalizer.lowercase = lower;
  const chinese = optionalBoolean(c, 'tokenize_chinese_chars', file);
  if (chinese !== undefined) normalizer.handleChineseChars = chinese;
  if (c.strip_accents !== undefined) {
    if (c.strip_accents !== null && typeof c.strip_accents !== 'boolean') {
      throw new UserError(`${file} field "strip_accents" must be true, false or null.`);
    }
    normalizer.stripAccents = c.strip_accents;
  }
  let modelMaxLength = DEFAULT_MODEL_MAX_LENGTH;
  if (c.model_max_length !== undefined && c.model_max_length !== null) {
    const m = c.model_max_length;
    if (typeof m !== 'number' || !(m > 0)) {
      throw new UserError(`${file} field "model_max_length" must be a positive number.`);
    }
    if (Number.isInteger(m) && m <= 1e6) modelMaxLength = m;
  }
  return {
    normalizer,
    modelMaxLength,
    special: readSpecialTokenNames(c, file),
    namesUnk: c.unk_token !== undefined && c.unk_token !== null,
  };
}

/** tokenizer_config.json for an exported BERT model folder. */
export function tokenizerConfigOf(
  normalizer: NormalizerOptions,
  modelMaxLength: number,
  special: SpecialTokenNames,
  hasMask: boolean,
): object {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: normalizer.lowercase,
    strip_accents: normalizer.stripAccents,
    tokenize_chinese_chars: normalizer.handleChineseChars,
    do_basic_tokenize: true,
    model_max_length: modelMaxLength,
    clean_up_tokenization_spaces: true,
    unk_token: special.unk,
    sep_token: special.sep,
    pad_token: special.pad,
    cls_token: special.cls,
    ...(hasMask ? { mask_token: special.mask } : {}),
  };
}
