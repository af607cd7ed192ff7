import { describe, expect, it } from 'vitest';
import {
  detectLanguage,
  joinWords,
  maximumMatch,
  tokeniseWords,
} from '../../../src/engine/augment/tokenise.ts';
import type { Lexicon } from '../../../src/engine/augment/types.ts';
import { cilinSynonyms, sentences } from './helpers.ts';

const texts = (s: string, lang: 'en' | 'zh', lexicon: Lexicon | null = cilinSynonyms().lexicon) =>
  tokeniseWords(s, lang, lexicon).map((t) => t.text);

describe('EDA tokenisation', () => {
  it('English: whitespace chunks, leading/trailing punctuation split off, inner punctuation kept', () => {
    expect(texts('"Hello," she said (twice)... U.S. e-mail don\'t 3.5!', 'en')).toEqual([
      '"',
      'Hello',
      ',',
      '"',
      'she',
      'said',
      '(',
      'twice',
      ')',
      '...',
      'U.S.',
      'e-mail',
      "don't",
      '3.5',
      '!',
    ]);
    const words = tokeniseWords('A -- b', 'en');
    expect(words.map((w) => [w.text, w.isWord])).toEqual([
      ['A', true],
      ['--', false],
      ['b', true],
    ]);
  });

  it('Chinese: forward maximum matching over the Cilin lexicon, single characters otherwise', () => {
    expect(texts('我不会再爱你', 'zh')).toEqual(['我', '不会', '再', '爱', '你']);
    expect(texts('一架飞机要起飞了。', 'zh')).toEqual([
      '一',
      '架',
      '飞机',
      '要',
      '起飞',
      '了',
      '。',
    ]);
    // Without a lexicon every Han character is a word.
    expect(texts('我不会再爱你', 'zh', null)).toEqual(['我', '不', '会', '再', '爱', '你']);
    // Latin/digit runs are one token, punctuation one token per character.
    expect(texts('iPhone6多少钱？QQ邮箱，好', 'zh')).toEqual([
      'iPhone6',
      '多少',
      '钱',
      '？',
      'QQ',
      '邮箱',
      '，',
      '好',
    ]);
  });

  it('maximum matching prefers the longest word', () => {
    const lex = { has: (w: string) => ['北京', '北京大学', '大学'].includes(w), maxLength: 4 };
    expect(maximumMatch(Array.from('北京大学生'), lex)).toEqual(['北京大学', '生']);
  });

  it('round-trips real sentences: joining the tokens gives the text back (STS-B, zh-STS-B, LCQMC)', () => {
    for (const s of sentences('stsb/dev.tsv', 400)) {
      expect(joinWords(tokeniseWords(s, 'en'))).toBe(s.trim());
    }
    for (const s of [...sentences('zh-stsb/dev.tsv', 300), ...sentences('lcqmc/dev.tsv', 300)]) {
      expect(joinWords(tokeniseWords(s, 'zh', cilinSynonyms().lexicon))).toBe(s.trim());
    }
  });

  it('detects Chinese by script', () => {
    expect(detectLanguage('A man is playing a flute.')).toBe('en');
    expect(detectLanguage('一个人在吹长笛。')).toBe('zh');
    expect(detectLanguage('我用iPhone')).toBe('zh');
  });
});
