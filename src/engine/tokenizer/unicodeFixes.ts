/**
 * Two places where `@huggingface/tokenizers`' BertNormalizer (0.2.0) differs from BERT's
 * reference tokenizer and the Rust `tokenizers` library; applied to the raw text before it runs.
 *
 * - handle_chinese_chars looks at UTF-16 code units, so ideographs outside the Basic
 *   Multilingual Plane (CJK Extension B and later, e.g. "𠀀") are not spaced out: "𠀀𠀁" stays one
 *   word (one [UNK]) instead of two. We space those out first.
 * - clean_text drops control, format, private-use and surrogate characters but keeps unassigned
 *   code points (category Cn), which BERT drops with the other "C" categories. We drop them.
 */

/** The supplementary-plane ranges of BERT's `_is_chinese_char`. */
const SUPPLEMENTARY_CJK =
  /[\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\u{2F800}-\u{2FA1F}]/gu;
const UNASSIGNED = /\p{Cn}/gu;

export interface TextFixOptions {
  cleanText: boolean;
  handleChineseChars: boolean;
}

/** Returns a function that applies the fixes the normalizer options call for (identity if none). */
export function textFixes(o: TextFixOptions): (text: string) => string {
  if (!o.cleanText && !o.handleChineseChars) return (text) => text;
  return (text) => {
    let t = text;
    if (o.cleanText) t = t.replace(UNASSIGNED, '');
    if (o.handleChineseChars) t = t.replace(SUPPLEMENTARY_CJK, ' $& ');
    return t;
  };
}
