import { UserError } from '../errors.ts';

/**
 * The activations `hidden_act` may name, as in transformers' `ACT2FN`:
 * - `gelu`: exact, x·Φ(x) with the error function (PyTorch `F.gelu`).
 * - `gelu_new` / `gelu_pytorch_tanh` / `gelu_fast`: the tanh approximation
 *   0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (identical up to rounding).
 * - `quick_gelu`: x·σ(1.702·x).  `relu`, `silu` = `swish` = x·σ(x), `tanh`.
 */
export const HIDDEN_ACTS = [
  'gelu',
  'gelu_new',
  'gelu_pytorch_tanh',
  'gelu_fast',
  'quick_gelu',
  'relu',
  'silu',
  'swish',
  'tanh',
] as const;
export type HiddenAct = (typeof HIDDEN_ACTS)[number];

/**
 * A BERT encoder's shape and hyper-parameters, with the field names of Hugging Face's
 * `config.json` (`BertConfig`), so the object is written and read as is.
 */
export interface BertConfig {
  model_type: 'bert';
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  hidden_act: HiddenAct;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  layer_norm_eps: number;
  pad_token_id: number;
  initializer_range: number;
  /** Dropout before a sequence-classification head; null means hidden_dropout_prob. */
  classifier_dropout: number | null;
  position_embedding_type: 'absolute';
  architectures?: string[];
}

/** Defaults of transformers' `BertConfig.__init__` (bert-base-uncased's shape). */
const DEFAULTS: Omit<BertConfig, 'architectures'> = {
  model_type: 'bert',
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  initializer_range: 0.02,
  classifier_dropout: null,
  position_embedding_type: 'absolute',
};

type Json = Record<string, unknown>;

function positiveInt(json: Json, field: keyof BertConfig, file: string): number {
  const v = json[field] ?? DEFAULTS[field as keyof typeof DEFAULTS];
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new UserError(`${file}: field "${field}" must be a positive integer, got ${show(v)}.`);
  }
  return v;
}

function probability(json: Json, field: keyof BertConfig, file: string): number {
  const v = json[field] ?? DEFAULTS[field as keyof typeof DEFAULTS];
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) {
    throw new UserError(`${file}: field "${field}" must be a number in [0, 1), got ${show(v)}.`);
  }
  return v;
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/**
 * Parse and validate a `config.json` object. Missing fields take transformers' defaults;
 * a field of the wrong type or range, an architecture other than BERT, or a hidden size that
 * the heads do not divide is a UserError naming the field.
 */
export function parseBertConfig(json: unknown, file = 'config.json'): BertConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UserError(`${file} must hold a JSON object.`);
  }
  const j = json as Json;
  const modelType = j.model_type ?? 'bert';
  if (modelType !== 'bert') {
    throw new UserError(
      `${file}: field "model_type" is ${show(modelType)}, but only BERT encoders ("bert") are supported.`,
    );
  }
  const positionType = j.position_embedding_type ?? 'absolute';
  if (positionType !== 'absolute') {
    throw new UserError(
      `${file}: field "position_embedding_type" is ${show(positionType)}; only "absolute" is supported.`,
    );
  }
  const act = j.hidden_act ?? DEFAULTS.hidden_act;
  if (typeof act !== 'string' || !(HIDDEN_ACTS as readonly string[]).includes(act)) {
    throw new UserError(
      `${file}: field "hidden_act" is ${show(act)}; supported: ${HIDDEN_ACTS.join(', ')}.`,
    );
  }
  const eps = j.layer_norm_eps ?? DEFAULTS.layer_norm_eps;
  if (typeof eps !== 'number' || !(eps > 0 && eps < 1)) {
    throw new UserError(
      `${file}: field "layer_norm_eps" must be a small positive number, got ${show(eps)}.`,
    );
  }
  const range = j.initializer_range ?? DEFAULTS.initializer_range;
  if (typeof range !== 'number' || !(range > 0)) {
    throw new UserError(
      `${file}: field "initializer_range" must be a positive number, got ${show(range)}.`,
    );
  }
  const classifierDropout = j.classifier_dropout ?? null;
  if (classifierDropout !== null) probability(j, 'classifier_dropout', file);

  const config: BertConfig = {
    model_type: 'bert',
    vocab_size: positiveInt(j, 'vocab_size', file),
    hidden_size: positiveInt(j, 'hidden_size', file),
    num_hidden_layers: positiveInt(j, 'num_hidden_layers', file),
    num_attention_heads: positiveInt(j, 'num_attention_heads', file),
    intermediate_size: positiveInt(j, 'intermediate_size', file),
    hidden_act: act as HiddenAct,
    hidden_dropout_prob: probability(j, 'hidden_dropout_prob', file),
    attention_probs_dropout_prob: probability(j, 'attention_probs_dropout_prob', file),
    max_position_embeddings: positiveInt(j, 'max_position_embeddings', file),
    type_vocab_size: positiveInt(j, 'type_vocab_size', file),
    layer_norm_eps: eps,
    pad_token_id: 0,
    initializer_range: range,
    classifier_dropout: classifierDropout as number | null,
    position_embedding_type: 'absolute',
  };
  const pad = j.pad_token_id ?? DEFAULTS.pad_token_id;
  if (typeof pad !== 'number' || !Number.isInteger(pad) || pad < 0 || pad >= config.vocab_size) {
    throw new UserError(
      `${file}: field "pad_token_id" must be an id in [0, vocab_size=${config.vocab_size}), got ${show(pad)}.`,
    );
  }
  config.pad_token_id = pad;
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new UserError(
      `${file}: field "hidden_size" (${config.hidden_size}) must be a multiple of "num_attention_heads" (${config.num_attention_heads}).`,
    );
  }
  if (Array.isArray(j.architectures) && j.architectures.every((a) => typeof a === 'string')) {
    config.architectures = j.architectures as string[];
  }
  return config;
}

/** The object written as `config.json` (transformers reads it with `BertConfig.from_pretrained`). */
export function bertConfigToJson(config: BertConfig): Record<string, unknown> {
  return {
    architectures: config.architectures ?? ['BertModel'],
    attention_probs_dropout_prob: config.attention_probs_dropout_prob,
    classifier_dropout: config.classifier_dropout,
    hidden_act: config.hidden_act,
    hidden_dropout_prob: config.hidden_dropout_prob,
    hidden_size: config.hidden_size,
    initializer_range: config.initializer_range,
    intermediate_size: config.intermediate_size,
    layer_norm_eps: config.layer_norm_eps,
    max_position_embeddings: config.max_position_embeddings,
    model_type: 'bert',
    num_attention_heads: config.num_attention_heads,
    num_hidden_layers: config.num_hidden_layers,
    pad_token_id: config.pad_token_id,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
    type_vocab_size: config.type_vocab_size,
    use_cache: true,
    vocab_size: config.vocab_size,
  };
}

export interface BuiltinSize {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  /** Longest sequence the position table covers (max_position_embeddings). */
  maxLength: number;
  vocabSize: number;
}

/** The config of the built-in encoder (random init, size chosen by the user), BERT's defaults otherwise. */
export function builtinBertConfig(size: BuiltinSize): BertConfig {
  return parseBertConfig(
    {
      ...DEFAULTS,
      num_hidden_layers: size.layers,
      hidden_size: size.hidden,
      num_attention_heads: size.heads,
      intermediate_size: size.intermediate,
      max_position_embeddings: size.maxLength,
      vocab_size: size.vocabSize,
    },
    'the built-in model size',
  );
}
