/**
 * Truncation, padding and special-token handling on small hand-made vocabularies, where every
 * expected id can be read off the vocabulary listed in the test.
 */
import { describe, expect, it } from 'vitest';
import { BertTokenizer } from '../../../src/engine/tokenizer/index.ts';
import { truncateLongestFirst } from '../../../src/engine/tokenizer/truncation.ts';

// [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4 the=5 cat=6 ##s=7 sat=8 .=9 a=10 b=11 c=12 d=13
const VOCAB = '[PAD] [UNK] [CLS] [SEP] [MASK] the cat ##s sat . a b c d'.split(' ');
const vocabTxt = `${VOCAB.join('\n')}\n`;
const tok = BertTokenizer.fromVocab(vocabTxt);

describe('truncateLongestFirst', () => {
  // The expectations of the Rust library's own test (tokenizers/src/utils/truncation.rs,
  // truncate_encodings_longest_first): max_length 7, sequences of 0, 2, 4 and 8 tokens.
  const seq = (n: number) => Array.from({ length: n }, (_, i) => i);
  // biome-ignore format: a table, one row per line of the Rust test
  const table: [number, number, number, number][] = [
    [0, 0, 0, 0], [0, 2, 0, 2], [0, 4, 0, 4], [0, 8, 0, 7],
    [2, 0, 2, 0], [2, 2, 2, 2], [2, 4, 2, 4], [2, 8, 2, 5],
    [4, 0, 4, 0], [4, 2, 4, 2], [4, 4, 3, 4], [4, 8, 3, 4],
    [8, 0, 7, 0], [8, 2, 5, 2], [8, 4, 4, 3], [8, 8, 3, 4],
  ];
  for (const [la, lb, ea, eb] of table) {
    it(`(${la}, ${lb}) tokens in 7 → (${ea}, ${eb})`, () => {
      const [a, b] = truncateLongestFirst(seq(la), seq(lb), 7);
      expect([a.length, b!.length]).toEqual([ea, eb]);
      expect(a).toEqual(seq(ea)); // cut from the right
      expect(b).toEqual(seq(eb));
    });
  }
  it('max_length 0 empties both (Rust truncate_encodings_empty)', () => {
    const [a, b] = truncateLongestFirst(seq(4), seq(4), 0);
    expect([a.length, b!.length]).toEqual([0, 0]);
  });
  it('a single sequence keeps its first `budget` tokens', () => {
    expect(truncateLongestFirst(seq(10), null, 4)).toEqual([[0, 1, 2, 3], null]);
    expect(truncateLongestFirst(seq(3), null, Infinity)).toEqual([[0, 1, 2], null]);
  });
});

describe('BertTokenizer.encode', () => {
  it('uses the special-token ids of the vocabulary', () => {
    expect([tok.padId, tok.unkId, tok.clsId, tok.sepId, tok.maskId, tok.vocabSize]).toEqual([
      0, 1, 2, 3, 4, 14,
    ]);
  });

  it('[CLS] a [SEP] and [CLS] a [SEP] b [SEP] with token types 0 then 1', () => {
    expect(tok.encode('The cats sat.')).toEqual({
      ids: [2, 5, 6, 7, 8, 9, 3],
      typeIds: [0, 0, 0, 0, 0, 0, 0],
    });
    expect(tok.encode('the cat', 'a b')).toEqual({
      ids: [2, 5, 6, 3, 10, 11, 3],
      typeIds: [0, 0, 0, 0, 1, 1, 1],
    });
    // An empty second sentence is still a pair: [CLS] a [SEP] [SEP].
    expect(tok.encode('a', '')).toEqual({ ids: [2, 10, 3, 3], typeIds: [0, 0, 0, 1] });
  });

  it('keeps special tokens written in the text whole, maps unknown words to [UNK]', () => {
    expect(tok.tokenize('the [MASK] sat dog')).toEqual(['the', '[MASK]', 'sat', '[UNK]']);
    // Lower-cased "[mask]" is ordinary text, as in Hugging Face (special tokens are not normalised).
    expect(tok.tokenize('[mask]')).toEqual(['[UNK]', '[UNK]', '[UNK]']);
  });

  it('truncates to maxLength with the special tokens counted', () => {
    expect(tok.encode('a b c d a b c d', undefined, 5).ids).toEqual([2, 10, 11, 12, 3]);
    expect(tok.encode('a b c d', undefined, 2).ids).toEqual([2, 3]);
    // pair, budget 8 - 3 = 5 over (4, 4) tokens: 2 + 3 (the second gets the odd one)
    expect(tok.encode('a b c d', 'd c b a', 8)).toEqual({
      ids: [2, 10, 11, 3, 13, 12, 11, 3],
      typeIds: [0, 0, 0, 0, 1, 1, 1, 1],
    });
    expect(tok.encode('a b', undefined, Infinity).ids).toEqual([2, 10, 11, 3]);
  });

  it('defaults maxLength to model_max_length (512 without a config)', () => {
    const long = Array.from({ length: 600 }, () => 'a').join(' ');
    expect(tok.modelMaxLength).toBe(512);
    expect(tok.encode(long).ids).toHaveLength(512);
    const short = BertTokenizer.fromVocab(vocabTxt, { model_max_length: 6 });
    expect(short.encode(long).ids).toEqual([2, 10, 10, 10, 10, 3]);
    // Hugging Face writes 1e30 when the length is unknown.
    expect(BertTokenizer.fromVocab(vocabTxt, { model_max_length: 1e30 }).modelMaxLength).toBe(512);
  });
});

describe('BertTokenizer.encodeBatch', () => {
  it('pads to the longest row: ids padId, mask 0, token type 0 on padding', () => {
    const b = tok.encodeBatch(['the cat', 'a', 'a b c d'], { maxLength: 16 });
    expect([b.batchSize, b.seqLength]).toEqual([3, 6]);
    // biome-ignore format: [B, L] matrix, one row per line
    const ids = [
      2, 5, 6, 3, 0, 0,
      2, 10, 3, 0, 0, 0,
      2, 10, 11, 12, 13, 3,
    ];
    // biome-ignore format: [B, L] matrix, one row per line
    const mask = [
      1, 1, 1, 1, 0, 0,
      1, 1, 1, 0, 0, 0,
      1, 1, 1, 1, 1, 1,
    ];
    expect(Array.from(b.inputIds)).toEqual(ids);
    expect(Array.from(b.attentionMask)).toEqual(mask);
    expect(Array.from(b.tokenTypeIds)).toEqual(new Array(18).fill(0));
    expect(b.inputIds).toBeInstanceOf(Int32Array);
  });

  it('pads to padTo, truncates each row to maxLength, carries pair token types', () => {
    const b = tok.encodeBatch(['a b c d', 'the'], {
      pairs: ['d c', 'cat'],
      maxLength: 6,
      padTo: 8,
    });
    expect([b.batchSize, b.seqLength]).toEqual([2, 8]);
    expect(Array.from(b.inputIds)).toEqual([2, 10, 11, 3, 13, 3, 0, 0, 2, 5, 3, 6, 3, 0, 0, 0]);
    expect(Array.from(b.tokenTypeIds)).toEqual([0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0]);
    expect(Array.from(b.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0]);
  });

  it('encodes a repeated text (and a repeated pair) once, giving every row its own copy of the ids', () => {
    const texts = ['the cat', 'a b', 'the cat', 'a b c d', 'a b'];
    const b = tok.encodeBatch(texts, { maxLength: 16 });
    const one = texts.map((t) => tok.encodeBatch([t], { maxLength: 16, padTo: b.seqLength }));
    expect(Array.from(b.inputIds)).toEqual(one.flatMap((o) => Array.from(o.inputIds)));
    expect(Array.from(b.attentionMask)).toEqual(one.flatMap((o) => Array.from(o.attentionMask)));
    // Same first text, different pairs; and a text that ends where another's pair begins.
    const p = tok.encodeBatch(['a', 'a', 'a b', 'a'], {
      pairs: ['b c', 'd', 'c', 'b c'],
      maxLength: 16,
    });
    const rows = [
      ['a', 'b c'],
      ['a', 'd'],
      ['a b', 'c'],
      ['a', 'b c'],
    ].map(([t, q]) => tok.encodeBatch([t!], { pairs: [q!], maxLength: 16, padTo: p.seqLength }));
    expect(Array.from(p.inputIds)).toEqual(rows.flatMap((o) => Array.from(o.inputIds)));
    expect(Array.from(p.tokenTypeIds)).toEqual(rows.flatMap((o) => Array.from(o.tokenTypeIds)));
  });

  it('handles an empty batch', () => {
    const b = tok.encodeBatch([], { maxLength: 8, padTo: 4 });
    expect([b.batchSize, b.seqLength, b.inputIds.length]).toEqual([0, 4, 0]);
  });
});

describe('special-token names from tokenizer_config.json', () => {
  it('honours other names, given as strings or AddedToken objects', () => {
    const vocab = '<pad>\n<unk>\n<cls>\n<sep>\nhi\n';
    const t = BertTokenizer.fromVocab(vocab, {
      pad_token: '<pad>',
      unk_token: { content: '<unk>', lstrip: false, __type: 'AddedToken' },
      cls_token: '<cls>',
      sep_token: '<sep>',
    });
    expect(t.encode('hi yo', 'hi')).toEqual({
      ids: [2, 4, 1, 3, 4, 3],
      typeIds: [0, 0, 0, 0, 1, 1],
    });
    expect(t.maskId).toBe(-1); // no mask token in this vocabulary
    expect(t.specialTokensMap()).toEqual({
      unk_token: '<unk>',
      sep_token: '<sep>',
      pad_token: '<pad>',
      cls_token: '<cls>',
    });
    expect(
      BertTokenizer.fromTokenizerJson(t.toTokenizerJson(), t.toTokenizerConfig()).encode('hi yo')
        .ids,
    ).toEqual([2, 4, 1, 3]);
  });
});
