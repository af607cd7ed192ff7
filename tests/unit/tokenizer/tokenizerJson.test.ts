/**
 * tokenizer.json / vocab.txt / tokenizer_config.json in and out: the files an exported model
 * folder holds must have Hugging Face's layout and load back to the same tokenizer.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BertTokenizer } from '../../../src/engine/tokenizer/index.ts';
import { sharedData } from '../../helpers/paths.ts';

const uncasedTxt = readFileSync(sharedData('bert-vocab', 'bert-base-uncased-vocab.txt'), 'utf8');
const uncased = BertTokenizer.fromVocab(uncasedTxt);

// [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4 the=5 cat=6 ##s=7 sat=8 .=9
const SMALL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', '##s', 'sat', '.'];
const smallVocab = () => Object.fromEntries(SMALL.map((t, i) => [t, i]));

/** A tokenizer.json as older Hugging Face files have it: no added tokens, sparse fields. */
function handWritten(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    normalizer: { type: 'BertNormalizer' },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] },
    model: { type: 'WordPiece', vocab: smallVocab() },
    ...extra,
  };
}

describe('export to Hugging Face files', () => {
  it("writes bert-base-uncased's tokenizer.json layout", () => {
    const json = uncased.toTokenizerJson() as Record<string, unknown>;
    expect(json.normalizer).toEqual({
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    });
    expect(json.pre_tokenizer).toEqual({ type: 'BertPreTokenizer' });
    expect(json.decoder).toEqual({ type: 'WordPiece', prefix: '##', cleanup: true });
    expect(json.post_processor).toEqual({
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [101], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [102], tokens: ['[SEP]'] },
      },
    });
    const model = json.model as Record<string, unknown>;
    expect(model.type).toBe('WordPiece');
    expect(model.unk_token).toBe('[UNK]');
    expect(model.continuing_subword_prefix).toBe('##');
    expect(model.max_input_chars_per_word).toBe(100);
    const vocab = model.vocab as Record<string, number>;
    expect(Object.keys(vocab)).toHaveLength(30522);
    expect([vocab['[PAD]'], vocab['[UNK]'], vocab['[CLS]'], vocab.the, vocab['##s']]).toEqual([
      0, 100, 101, 1996, 2015,
    ]);
    const added = json.added_tokens as { id: number; content: string; special: boolean }[];
    expect(added.map((t) => [t.id, t.content, t.special])).toEqual([
      [0, '[PAD]', true],
      [100, '[UNK]', true],
      [101, '[CLS]', true],
      [102, '[SEP]', true],
      [103, '[MASK]', true],
    ]);
  });

  it('gives back the vocab.txt it was built from, byte for byte', () => {
    expect(uncased.toVocabTxt()).toBe(uncasedTxt);
    expect([uncased.padId, uncased.unkId, uncased.clsId, uncased.sepId, uncased.maskId]).toEqual([
      0, 100, 101, 102, 103,
    ]);
    expect(uncased.vocabSize).toBe(30522);
  });

  it('writes tokenizer_config.json and special_tokens_map.json', () => {
    const cased = BertTokenizer.fromVocab(uncasedTxt, {
      do_lower_case: false,
      model_max_length: 128,
    });
    expect(cased.toTokenizerConfig()).toMatchObject({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: false,
      strip_accents: null,
      tokenize_chinese_chars: true,
      model_max_length: 128,
      unk_token: '[UNK]',
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      mask_token: '[MASK]',
    });
    expect(cased.specialTokensMap()).toEqual({
      unk_token: '[UNK]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      cls_token: '[CLS]',
      mask_token: '[MASK]',
    });
  });

  it('round-trips through JSON text to the same files', () => {
    const again = BertTokenizer.fromTokenizerJson(
      JSON.parse(JSON.stringify(uncased.toTokenizerJson())) as object,
      JSON.parse(JSON.stringify(uncased.toTokenizerConfig())) as object,
    );
    expect(again.toTokenizerJson()).toEqual(uncased.toTokenizerJson());
    expect(again.toVocabTxt()).toBe(uncasedTxt);
    expect(again.toTokenizerConfig()).toEqual(uncased.toTokenizerConfig());
  });

  it('does not modify the object it was given', () => {
    const input = handWritten();
    const before = JSON.stringify(input);
    BertTokenizer.fromTokenizerJson(input, { do_lower_case: false });
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe('reading tokenizer.json', () => {
  it('fills BertNormalizer defaults (uncased, accents stripped) and reads BertProcessing', () => {
    const t = BertTokenizer.fromTokenizerJson(handWritten());
    expect(t.encode('THE CÀTS sat.', 'Thé cat')).toEqual({
      ids: [2, 5, 6, 7, 8, 9, 3, 5, 6, 3],
      typeIds: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
    });
    // The missing added_tokens are not needed to find the special tokens' ids.
    expect([t.padId, t.unkId, t.clsId, t.sepId, t.maskId]).toEqual([0, 1, 2, 3, 4]);
  });

  it('strip_accents null follows lowercase; false keeps accents; true strips without lowercasing', () => {
    const withNormalizer = (n: Record<string, unknown>) =>
      BertTokenizer.fromTokenizerJson(
        handWritten({ normalizer: { type: 'BertNormalizer', ...n } }),
      );
    expect(withNormalizer({ lowercase: true, strip_accents: null }).tokenize('Càt')).toEqual([
      'cat',
    ]);
    expect(withNormalizer({ lowercase: true, strip_accents: false }).tokenize('Càt')).toEqual([
      '[UNK]',
    ]);
    expect(withNormalizer({ lowercase: false, strip_accents: true }).tokenize('càt Cat')).toEqual([
      'cat',
      '[UNK]',
    ]);
    expect(withNormalizer({ lowercase: false, strip_accents: null }).tokenize('càt')).toEqual([
      '[UNK]',
    ]);
  });

  it('lets tokenizer_config.json fields override the normalizer, as BertTokenizerFast does', () => {
    const t = BertTokenizer.fromTokenizerJson(handWritten(), { do_lower_case: false });
    expect(t.tokenize('The the')).toEqual(['[UNK]', 'the']);
    expect(t.toTokenizerConfig()).toMatchObject({ do_lower_case: false });
    const chinese = BertTokenizer.fromTokenizerJson(
      handWritten({ model: { type: 'WordPiece', vocab: { ...smallVocab(), 的: 10, '##人': 11 } } }),
      { tokenize_chinese_chars: false },
    );
    expect(chinese.tokenize('的人')).toEqual(['的', '##人']);
  });

  it('adds the [CLS]/[SEP] template when the file has no post-processor', () => {
    const t = BertTokenizer.fromTokenizerJson(handWritten({ post_processor: null }));
    expect(t.encode('the', 'cat')).toEqual({ ids: [2, 5, 3, 6, 3], typeIds: [0, 0, 0, 1, 1] });
  });

  it('counts added tokens beyond the model vocabulary', () => {
    const t = BertTokenizer.fromTokenizerJson(
      handWritten({
        added_tokens: [
          { id: 2, content: '[CLS]', special: true, normalized: false },
          { id: 10, content: '<new>', special: false, normalized: false },
        ],
      }),
    );
    expect(t.vocabSize).toBe(11);
    expect(t.tokenize('the<new>cat')).toEqual(['the', '<new>', 'cat']);
    expect(t.encode('the <new>').ids).toEqual([2, 5, 10, 3]);
    expect(t.toVocabTxt().split('\n')).toEqual([...SMALL, '<new>', '']);
    const again = BertTokenizer.fromTokenizerJson(t.toTokenizerJson());
    expect(again.encode('the <new>').ids).toEqual([2, 5, 10, 3]);
  });
});
