export {
  BertModel,
  type EncoderInputs,
  type EncoderOutput,
  type ForwardOptions,
  MASK_BIAS,
} from './bert.ts';
export {
  type BertConfig,
  type BuiltinSize,
  bertConfigToJson,
  builtinBertConfig,
  HIDDEN_ACTS,
  type HiddenAct,
  parseBertConfig,
} from './config.ts';
export { embeddingLookup } from './embeddingLookup.ts';
export { ClassifierHead, type HeadOptions } from './heads.ts';
export { activation, dropout, LayerNorm, Linear } from './layers.ts';
export { type ParamInit, ParamStore } from './params.ts';
export {
  isPooling,
  MlpHead,
  maskedMean,
  POOLINGS,
  type Pooling,
  parsePooling,
  pool,
} from './pooling.ts';
export type { Probe } from './probe.ts';
