/**
 * Files a user can get wrong: each must fail with a `UserError` whose one sentence says what is
 * wrong and where, never with a stack trace from inside the tokenizer library.
 */
import { describe, expect, it } from 'vitest';
import { isUserError } from '../../../src/engine/errors.ts';
import { BertTokenizer } from '../../../src/engine/tokenizer/index.ts';

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const vocabTxt = (tokens: string[]) => `${tokens.join('\n')}\n`;
const json = (model: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
  normalizer: null,
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: null,
  decoder: null,
  model,
  ...rest,
});
const wordPiece = (vocab: Record<string, number>) => ({
  type: 'WordPiece',
  unk_token: '[UNK]',
  vocab,
});
const goodVocab = () => Object.fromEntries([...SPECIALS, 'hi'].map((t, i) => [t, i]));

function userError(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a UserError').toBeDefined();
  expect(isUserError(caught), String(caught)).toBe(true);
  expect((caught as Error).message).toMatch(message);
}

describe('malformed vocab.txt', () => {
  it('rejects an empty file', () => {
    userError(() => BertTokenizer.fromVocab(''), /^vocab\.txt is empty/);
    userError(() => BertTokenizer.fromVocab('\n'), /vocab\.txt line 1 is empty/);
  });
  it('rejects an empty line, naming it', () => {
    userError(() => BertTokenizer.fromVocab(vocabTxt([...SPECIALS, '', 'hi'])), /line 6 is empty/);
  });
  it('rejects a duplicate token, naming both lines', () => {
    userError(
      () => BertTokenizer.fromVocab(vocabTxt([...SPECIALS, 'hi', 'yo', 'hi'])),
      /line 8 repeats the token "hi" of line 6/,
    );
  });
  for (const missing of ['[UNK]', '[CLS]', '[SEP]', '[PAD]']) {
    it(`rejects a vocabulary without ${missing}`, () => {
      const tokens = [...SPECIALS.filter((t) => t !== missing), 'hi'];
      userError(
        () => BertTokenizer.fromVocab(vocabTxt(tokens)),
        new RegExp(`vocab\\.txt has no .*"${missing.replace(/[[\]]/g, '\\$&')}"`),
      );
    });
  }
  it('accepts a vocabulary without [MASK] (maskId -1) and Windows line ends', () => {
    const t = BertTokenizer.fromVocab('[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhi\r\n');
    expect(t.maskId).toBe(-1);
    expect(t.encode('hi').ids).toEqual([2, 4, 3]);
  });
});

describe('malformed tokenizer.json', () => {
  it('rejects what is not an object or has no model', () => {
    userError(() => BertTokenizer.fromTokenizerJson([]), /tokenizer\.json must be a JSON object/);
    userError(() => BertTokenizer.fromTokenizerJson({}), /tokenizer\.json has no "model" object/);
  });
  it('rejects a model that is not WordPiece', () => {
    userError(
      () => BertTokenizer.fromTokenizerJson(json({ type: 'BPE', vocab: goodVocab(), merges: [] })),
      /holds a BPE model, not a WordPiece model/,
    );
    userError(
      () => BertTokenizer.fromTokenizerJson(json({ type: 'Unigram', vocab: [['a', 0]] })),
      /holds a Unigram model/,
    );
  });
  it('rejects an empty vocabulary, ids with gaps and ids used twice', () => {
    userError(
      () => BertTokenizer.fromTokenizerJson(json(wordPiece({}))),
      /"model\.vocab" is empty/,
    );
    userError(
      () => BertTokenizer.fromTokenizerJson(json(wordPiece({ ...goodVocab(), hi: 9 }))),
      /gives token "hi" the id 9: ids must be the integers 0\.\.5/,
    );
    userError(
      () => BertTokenizer.fromTokenizerJson(json(wordPiece({ ...goodVocab(), hi: 0 }))),
      /tokenizer\.json gives the id 0 to both/,
    );
    userError(
      () => BertTokenizer.fromTokenizerJson(json(wordPiece({ ...goodVocab(), hi: '5' as never }))),
      /gives token "hi" the id 5/,
    );
  });
  it('rejects a vocabulary without the special tokens', () => {
    const vocab = goodVocab();
    delete vocab['[SEP]'];
    vocab.hi = 3;
    userError(
      () => BertTokenizer.fromTokenizerJson(json(wordPiece(vocab))),
      /tokenizer\.json has no separator token "\[SEP\]"/,
    );
  });
  it('rejects added tokens that clash with the vocabulary or leave a gap', () => {
    userError(
      () =>
        BertTokenizer.fromTokenizerJson(
          json(wordPiece(goodVocab()), { added_tokens: [{ id: 5, content: '[NEW]' }] }),
        ),
      /"\[NEW\]" has the id 5 of the vocabulary token "hi"/,
    );
    userError(
      () =>
        BertTokenizer.fromTokenizerJson(
          json(wordPiece(goodVocab()), { added_tokens: [{ id: 8, content: '[NEW]' }] }),
        ),
      /has the id 8, but the next free id is 6/,
    );
    userError(
      () => BertTokenizer.fromTokenizerJson(json(wordPiece(goodVocab()), { added_tokens: {} })),
      /"added_tokens" must be an array/,
    );
  });
  it('turns a component the library does not know into a UserError', () => {
    userError(
      () =>
        BertTokenizer.fromTokenizerJson(
          json(wordPiece(goodVocab()), { normalizer: { type: 'NoSuchNormalizer' } }),
        ),
      /tokenizer\.json cannot be used: Unknown Normalizer type: NoSuchNormalizer/,
    );
    userError(
      () => BertTokenizer.fromTokenizerJson(json(wordPiece(goodVocab()), { decoder: 'WordPiece' })),
      /"decoder" must be null or an object with a "type"/,
    );
  });
});

describe('malformed tokenizer_config.json', () => {
  const vocab = vocabTxt([...SPECIALS, 'hi']);
  it('rejects fields of the wrong type', () => {
    userError(
      () => BertTokenizer.fromVocab(vocab, { do_lower_case: 'yes' }),
      /"do_lower_case" must be true or false/,
    );
    userError(
      () => BertTokenizer.fromVocab(vocab, { strip_accents: 1 }),
      /"strip_accents" must be true, false or null/,
    );
    userError(
      () => BertTokenizer.fromVocab(vocab, { model_max_length: -1 }),
      /"model_max_length" must be a positive number/,
    );
    userError(
      () => BertTokenizer.fromVocab(vocab, { cls_token: 5 }),
      /"cls_token" must be a token string/,
    );
    userError(
      () => BertTokenizer.fromVocab(vocab, [] as never),
      /tokenizer_config\.json must be a JSON object/,
    );
  });
  it('rejects an unknown token that differs from the WordPiece model', () => {
    userError(
      () => BertTokenizer.fromTokenizerJson(json(wordPiece(goodVocab())), { unk_token: 'hi' }),
      /names the unknown token "hi" but tokenizer\.json's model uses "\[UNK\]"/,
    );
  });
});

describe('bad arguments', () => {
  const t = BertTokenizer.fromVocab(vocabTxt([...SPECIALS, 'hi']));
  it('rejects a maxLength below the special-token count or not an integer', () => {
    userError(
      () => t.encode('hi', undefined, 1),
      /maxLength \(1\) must be an integer of at least 2/,
    );
    userError(() => t.encode('hi', 'hi', 2), /at least 3/);
    userError(() => t.encode('hi', undefined, 2.5), /maxLength \(2\.5\)/);
    userError(() => t.encode('hi', undefined, Number.NaN), /maxLength \(NaN\)/);
  });
  it('rejects padTo below the longest row and mismatched pairs', () => {
    userError(
      () => t.encodeBatch(['hi hi hi'], { maxLength: 16, padTo: 4 }),
      /padTo \(4\) must be .* \(5 tokens\)/,
    );
    userError(
      () => t.encodeBatch(['hi', 'hi'], { maxLength: 16, pairs: ['hi'] }),
      /got 2 texts but 1 pairs/,
    );
  });
});
