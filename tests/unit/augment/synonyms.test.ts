import { describe, expect, it } from 'vitest';
import { morphyForms, parseSynonymList } from '../../../src/engine/augment/synonyms.ts';
import { isUserError } from '../../../src/engine/errors.ts';
import { cilinSynonyms } from './helpers.ts';

function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('parseSynonymList on the real Cilin Extended file', () => {
  it('reads the 9,995 "=" groups and the 77,456 distinct words SOURCES.md lists', () => {
    const cilin = cilinSynonyms();
    expect(cilin.stats).toEqual({ groups: 9995, words: 77456, format: 'cilin' });
  });

  it('unions the groups a word is in, and never returns the word itself', () => {
    const cilin = cilinSynonyms();
    // Aa01A01= 人 士 人物 人士 人氏 人选; Ab02B01= 成年人 … 人 …; Dn03A04= 人数 人头 人口 人 …
    const ren = cilin.synonyms('人');
    expect(ren).toEqual(
      expect.arrayContaining(['士', '人物', '人选', '成年人', '壮丁', '人数', '总人口']),
    );
    expect(ren).not.toContain('人');
  });

  it('"#" (related) and "@" (single word) rows are not synonyms, but segment text', () => {
    const cilin = cilinSynonyms();
    // Aa01B03# 良民 顺民 — related, not synonymous (顺民 is in no "=" row); Aa01C05@ 众学生
    expect(cilin.synonyms('顺民')).toEqual([]);
    expect(cilin.synonyms('众学生')).toEqual([]);
    expect(cilin.lexicon.has('顺民')).toBe(true);
    expect(cilin.lexicon.has('众学生')).toBe(true);
    // Idioms with a full-width comma inside stay one word.
    expect(cilin.lexicon.has('八仙过海，各显神通')).toBe(true);
  });
});

describe('parseSynonymList on user lists', () => {
  it('accepts whitespace, commas, full-width commas and 、 as separators; lower-cases look-ups', () => {
    const list = parseSynonymList(
      '\ufeff// my list\nhappy, glad  Cheerful\n快乐，高兴、开心\n\n# a comment\nlonely\n',
      'mine.txt',
    );
    expect(list.stats).toEqual({ groups: 2, words: 7, format: 'plain' });
    expect(list.synonyms('Happy').sort()).toEqual(['Cheerful', 'glad']);
    expect(list.synonyms('cheerful').sort()).toEqual(['glad', 'happy']);
    expect(list.synonyms('高兴').sort()).toEqual(['开心', '快乐'].sort());
    expect(list.synonyms('lonely')).toEqual([]);
  });

  it('rejects an empty list, naming the file and line', () => {
    expect(userError(() => parseSynonymList('', 'empty.txt'))).toMatch(
      /^empty\.txt line 1: .*empty/,
    );
    expect(userError(() => parseSynonymList('\n  \n// only a comment\n', 'blank.txt'))).toMatch(
      /^blank\.txt line 1: /,
    );
  });

  it('rejects binary files and non-UTF-8 text, naming the line', () => {
    expect(userError(() => parseSynonymList('a b\nc d\x00\x01\x02', 'model.bin'))).toMatch(
      /^model\.bin line 2: this is not a UTF-8 text file \(found a control character \(U\+0000\)\)/,
    );
    // A GBK file decoded as UTF-8 is full of U+FFFD.
    expect(
      userError(() => parseSynonymList('Aa01A01= \ufffd\ufffd \ufffd\ufffd', 'cilin.gbk.txt')),
    ).toMatch(/^cilin\.gbk\.txt line 1: .*not UTF-8/);
  });

  it('rejects a list with no group of two or more words, naming the first line', () => {
    expect(userError(() => parseSynonymList('\napple\nbanana\n', 'fruits.txt'))).toMatch(
      /^fruits\.txt line 2: no line lists two or more synonyms \(this one reads "apple"\)/,
    );
    // A Cilin file with only "#" and "@" rows has no synonym group either.
    expect(
      userError(() => parseSynonymList('Aa01B03# 良民 顺民\nAa01C05@ 众学生\n', 'related.txt')),
    ).toMatch(/^related\.txt line 1: no line lists two or more synonyms/);
  });
});

describe('morphy forms (NLTK detachment rules)', () => {
  it('reduces regular inflections', () => {
    expect(morphyForms('dogs')).toContain('dog');
    expect(morphyForms('churches')).toContain('church');
    expect(morphyForms('flies')).toContain('fly');
    expect(morphyForms('jumped')).toEqual(expect.arrayContaining(['jump', 'jumpe']));
    expect(morphyForms('hoping')).toContain('hope');
    expect(morphyForms('happiest')).toEqual(expect.arrayContaining(['happiest', 'happi']));
    expect(morphyForms('men')).toContain('man');
    expect(morphyForms('s')).toEqual(['s']);
  });
});
