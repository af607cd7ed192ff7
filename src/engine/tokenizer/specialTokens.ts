/**
 * The five BERT special tokens and how `tokenizer_config.json` / `special_tokens_map.json`
 * name them. Hugging Face writes each either as a string (`"[CLS]"`) or as a serialised
 * `AddedToken` (`{"content": "[CLS]", "lstrip": false, ...}`, older files add `"__type"`).
 */
import { UserError } from '../errors.ts';

export interface SpecialTokenNames {
  pad: string;
  unk: string;
  cls: string;
  sep: string;
  mask: string;
}

export const DEFAULT_SPECIAL_TOKENS: Readonly<SpecialTokenNames> = {
  pad: '[PAD]',
  unk: '[UNK]',
  cls: '[CLS]',
  sep: '[SEP]',
  mask: '[MASK]',
};

const CONFIG_KEYS: Record<keyof SpecialTokenNames, string> = {
  pad: 'pad_token',
  unk: 'unk_token',
  cls: 'cls_token',
  sep: 'sep_token',
  mask: 'mask_token',
};

/** Reads `pad_token` … `mask_token` from a tokenizer config; absent ones keep BERT's names. */
export function readSpecialTokenNames(
  config: Record<string, unknown>,
  file: string,
): SpecialTokenNames {
  const names = { ...DEFAULT_SPECIAL_TOKENS };
  for (const role of Object.keys(CONFIG_KEYS) as (keyof SpecialTokenNames)[]) {
    const key = CONFIG_KEYS[role];
    const value = config[key];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string' && value !== '') {
      names[role] = value;
    } else if (
      typeof value === 'object' &&
      typeof (value as { content?: unknown }).content === 'string' &&
      (value as { content: string }).content !== ''
    ) {
      names[role] = (value as { content: string }).content;
    } else {
      throw new UserError(
        `${file} field "${key}" must be a token string or an object with a "content" string.`,
      );
    }
  }
  return names;
}

/**
 * Throws `UserError` unless the vocabulary has the four tokens a BERT encoder cannot do without
 * ([MASK] is optional: only masked-LM training needs it).
 */
export function requireSpecialTokens(
  has: (token: string) => boolean,
  names: SpecialTokenNames,
  file: string,
): void {
  const roles: [string, string][] = [
    ['unknown', names.unk],
    ['classifier', names.cls],
    ['separator', names.sep],
    ['padding', names.pad],
  ];
  for (const [role, token] of roles) {
    if (!has(token)) {
      throw new UserError(
        `${file} has no ${role} token "${token}": a BERT vocabulary needs ${names.unk}, ${names.cls}, ${names.sep} and ${names.pad}.`,
      );
    }
  }
}

/** `special_tokens_map.json` as Hugging Face writes it for BERT. */
export function specialTokensMapOf(names: SpecialTokenNames, hasMask: boolean): object {
  return {
    unk_token: names.unk,
    sep_token: names.sep,
    pad_token: names.pad,
    cls_token: names.cls,
    ...(hasMask ? { mask_token: names.mask } : {}),
  };
}
