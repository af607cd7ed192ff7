/** config.json parsing: Hugging Face field names, transformers' defaults, UserErrors naming the field. */
import { describe, expect, it } from 'vitest';
import { isUserError } from '../../../src/engine/errors.ts';
import {
  bertConfigToJson,
  builtinBertConfig,
  parseBertConfig,
} from '../../../src/engine/model/index.ts';
import { golden } from './golden.ts';

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('parseBertConfig', () => {
  it("reads the fixture's config.json", () => {
    const c = parseBertConfig(golden().config);
    expect(c).toMatchObject({
      model_type: 'bert',
      vocab_size: 292,
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 64,
      hidden_act: 'gelu',
      hidden_dropout_prob: 0.1,
      attention_probs_dropout_prob: 0.1,
      max_position_embeddings: 40,
      type_vocab_size: 2,
      layer_norm_eps: 1e-12,
      pad_token_id: 0,
      architectures: ['BertForMaskedLM'],
    });
  });

  it("fills absent fields with transformers' BertConfig defaults (bert-base)", () => {
    expect(parseBertConfig({})).toMatchObject({
      vocab_size: 30522,
      hidden_size: 768,
      num_hidden_layers: 12,
      num_attention_heads: 12,
      intermediate_size: 3072,
      max_position_embeddings: 512,
      layer_norm_eps: 1e-12,
      initializer_range: 0.02,
    });
  });

  it('names the field in each UserError', () => {
    expect(message(() => parseBertConfig({ vocab_size: -1 }))).toBe(
      'config.json: field "vocab_size" must be a positive integer, got -1.',
    );
    expect(message(() => parseBertConfig({ hidden_size: '32' }))).toMatch(
      /field "hidden_size" must be a positive integer, got "32"/,
    );
    expect(message(() => parseBertConfig({ hidden_dropout_prob: 1.5 }))).toMatch(
      /field "hidden_dropout_prob" must be a number in \[0, 1\)/,
    );
    expect(message(() => parseBertConfig({ layer_norm_eps: 0 }))).toMatch(/field "layer_norm_eps"/);
    expect(message(() => parseBertConfig({ vocab_size: 10, pad_token_id: 10 }))).toMatch(
      /field "pad_token_id" must be an id in \[0, vocab_size=10\)/,
    );
    expect(message(() => parseBertConfig({ position_embedding_type: 'relative_key' }))).toMatch(
      /"position_embedding_type" is "relative_key"/,
    );
    expect(message(() => parseBertConfig({ hidden_act: 'mish' }))).toMatch(
      /"hidden_act" is "mish"; supported: gelu, gelu_new/,
    );
    expect(message(() => parseBertConfig({ model_type: 'distilbert' }, 'x/config.json'))).toMatch(
      /^x\/config\.json: field "model_type" is "distilbert"/,
    );
    expect(message(() => parseBertConfig([1, 2]))).toBe('config.json must hold a JSON object.');
  });
});

describe('builtinBertConfig', () => {
  it('sets the size fields and keeps BERT defaults; bertConfigToJson round-trips', () => {
    const c = builtinBertConfig({
      layers: 2,
      hidden: 64,
      heads: 4,
      intermediate: 128,
      maxLength: 128,
      vocabSize: 1000,
    });
    expect(c).toMatchObject({
      num_hidden_layers: 2,
      hidden_size: 64,
      num_attention_heads: 4,
      intermediate_size: 128,
      max_position_embeddings: 128,
      vocab_size: 1000,
      hidden_act: 'gelu',
      hidden_dropout_prob: 0.1,
      type_vocab_size: 2,
    });
    const json = bertConfigToJson(c);
    expect(json.model_type).toBe('bert');
    expect(json.architectures).toEqual(['BertModel']);
    expect(parseBertConfig(JSON.parse(JSON.stringify(json)))).toEqual({
      ...c,
      architectures: ['BertModel'],
    });
    expect(() =>
      builtinBertConfig({
        layers: 1,
        hidden: 30,
        heads: 4,
        intermediate: 8,
        maxLength: 8,
        vocabSize: 8,
      }),
    ).toThrow(/"hidden_size" \(30\) must be a multiple of "num_attention_heads" \(4\)/);
  });
});
