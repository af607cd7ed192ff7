/**
 * EDA's word tokenisation. Unlike EDA's reference code (which lower-cases and keeps only
 * a-z), nothing is dropped or case-folded: joining the tokens of an unedited text gives the
 * text back (leading/trailing whitespace aside).
 *
 * - English (and any spaced script): whitespace-separated chunks; leading and trailing
 *   punctuation become their own tokens ("Hello," → "Hello" ","); inner punctuation stays
 *   ("don't", "e-mail", "3.5", "U.S.").
 * - Chinese (Han / kana text): forward maximum matching over the synonym source's lexicon
 *   (the user's list or Cilin), falling back to single characters; runs of letters/digits
 *   ("iPhone6") are one token; punctuation is one token per character.
 *
 * Each token remembers the whitespace before it (`pre`), so the text is rebuilt as
 * `pre + text` per token and Chinese is joined back without spaces.
 */
import type { Lexicon } from './types.ts';

export interface WordToken {
  text: string;
  /** The whitespace that preceded this token in the source text ('' for none). */
  pre: string;
  /** True for tokens with a letter or digit; punctuation tokens are never edited by EDA. */
  isWord: boolean;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const WORDLIKE = /[\p{L}\p{N}\p{M}]/u;
const ABBREVIATION = /^(?:\p{L}\.){2,}$/u;

/** 'zh' when the text contains Han or kana characters, 'en' otherwise. */
export function detectLanguage(text: string): 'en' | 'zh' {
  return CJK.test(text) ? 'zh' : 'en';
}

export function isWordText(token: string): boolean {
  return WORDLIKE.test(token);
}

/** Split `text` into EDA tokens. `lexicon` is used for Chinese only. */
export function tokeniseWords(
  text: string,
  language: 'en' | 'zh',
  lexicon?: Lexicon | null,
): WordToken[] {
  return language === 'zh' ? tokeniseChinese(text, lexicon ?? null) : tokeniseSpaced(text);
}

/** Rebuild text from tokens: the first token's leading whitespace is dropped. */
export function joinWords(tokens: readonly { text: string; pre: string }[]): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    out += (i === 0 ? '' : t.pre) + t.text;
  }
  return out;
}

function tokeniseSpaced(text: string): WordToken[] {
  const out: WordToken[] = [];
  const re = /(\s*)(\S+)/gu;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    splitChunk(m[2]!, m[1]!, out);
  }
  return out;
}

/** "(Hello," → "(" "Hello" ","; runs of one punctuation character ("...") stay together. */
function splitChunk(chunk: string, pre: string, out: WordToken[]): void {
  const chars = Array.from(chunk);
  let start = 0;
  let end = chars.length;
  if (ABBREVIATION.test(chunk) || !chars.some((c) => WORDLIKE.test(c))) {
    // "U.S." stays whole; an all-punctuation chunk ("--", "...") is one token.
    out.push({ text: chunk, pre, isWord: isWordText(chunk) });
    return;
  }
  const lead: string[] = [];
  while (start < end && !WORDLIKE.test(chars[start]!)) {
    let j = start + 1;
    while (j < end && chars[j] === chars[start]) j++;
    lead.push(chars.slice(start, j).join(''));
    start = j;
  }
  const trail: string[] = [];
  while (end > start && !WORDLIKE.test(chars[end - 1]!)) {
    let j = end - 1;
    while (j > start && chars[j - 1] === chars[end - 1]) j--;
    trail.unshift(chars.slice(j, end).join(''));
    end = j;
  }
  let first = true;
  const push = (t: string, isWord: boolean) => {
    out.push({ text: t, pre: first ? pre : '', isWord });
    first = false;
  };
  for (const p of lead) push(p, false);
  push(chars.slice(start, end).join(''), true);
  for (const p of trail) push(p, false);
}

type CharClass = 'space' | 'cjk' | 'word' | 'punct';

function classify(ch: string): CharClass {
  if (/\s/u.test(ch)) return 'space';
  if (CJK.test(ch)) return 'cjk';
  if (WORDLIKE.test(ch)) return 'word';
  return 'punct';
}

function tokeniseChinese(text: string, lexicon: Lexicon | null): WordToken[] {
  const chars = Array.from(text);
  const out: WordToken[] = [];
  let pre = '';
  let i = 0;
  while (i < chars.length) {
    const c = classify(chars[i]!);
    if (c === 'space') {
      pre += chars[i];
      i++;
      continue;
    }
    let j = i + 1;
    if (c === 'word') {
      while (j < chars.length && classify(chars[j]!) === 'word') j++;
      out.push({ text: chars.slice(i, j).join(''), pre, isWord: true });
    } else if (c === 'punct') {
      out.push({ text: chars[i]!, pre, isWord: false });
    } else {
      while (j < chars.length && classify(chars[j]!) === 'cjk') j++;
      for (const w of maximumMatch(chars.slice(i, j), lexicon)) {
        out.push({ text: w, pre, isWord: true });
        pre = '';
      }
    }
    pre = '';
    i = j;
  }
  return out;
}

/** Forward maximum matching: at each position take the longest lexicon word, else one char. */
export function maximumMatch(chars: readonly string[], lexicon: Lexicon | null): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < chars.length) {
    let taken = 1;
    if (lexicon) {
      // maxLength is in code units; a character is 1 or 2 of them, so try up to that many.
      for (let len = Math.min(lexicon.maxLength, chars.length - i); len >= 2; len--) {
        if (lexicon.has(chars.slice(i, i + len).join(''))) {
          taken = len;
          break;
        }
      }
    }
    out.push(chars.slice(i, i + taken).join(''));
    i += taken;
  }
  return out;
}
