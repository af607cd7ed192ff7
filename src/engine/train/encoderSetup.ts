/**
 * Builds what a run trains from config.encoder: the encoder (built-in random init, a built-in
 * pretrained folder or any model folder), its tokenizer, SimCSE's MLP head and, for classifier
 * objectives, a classification head.
 */
import type { ExperimentConfig } from '../config/schema.ts';
import { UserError } from '../errors.ts';
import { BertModel, builtinBertConfig, ClassifierHead, MlpHead } from '../model/index.ts';
import type { Pooling } from '../model/pooling.ts';
import type * as tf from '../tf.ts';
import { BertTokenizer } from '../tokenizer/index.ts';
import { openBuiltinModel } from '../weights/fileSources.ts';
import { type FileSource, hubSource, loadModelFolder, urlSource } from '../weights/modelFolder.ts';

export {
  BUILTIN_ENCODERS,
  builtinEncoderSources,
  openBuiltinModel,
} from '../weights/fileSources.ts';

export interface EncoderBundle {
  model: BertModel;
  tokenizer: BertTokenizer;
  pooling: Pooling;
  /** SimCSE's MLP over the pooled output; null when mlpHead is 'none'. */
  mlp: MlpHead | null;
  classifier: ClassifierHead | null;
  /** Where the weights came from, for the model card. */
  baseModel: string;
}

export interface ModelIO {
  fetch?: typeof fetch;
  hubBase?: string;
  cache?: {
    get(key: string): Promise<Uint8Array | undefined>;
    put(key: string, bytes: Uint8Array): Promise<void>;
  };
  /** Hosts that can read folders (Node) or picked files (browser) resolve other sources here. */
  openModel?: (source: string) => FileSource | Promise<FileSource>;
  onProgress?: (p: { phase: string; loaded: number; total?: number }) => void;
  /** Non-fatal notes from loading (pooler initialised, unsupported modules…). */
  onWarning?: (message: string) => void;
}

export { parseHubSource } from './hubSource.ts';

import { parseHubSource } from './hubSource.ts';

/** The files of a non-random encoder source (built-in folder, Hub id, URL, or the host's own). */
export async function openSource(source: string, io: ModelIO): Promise<FileSource> {
  const progress = io.onProgress ? { onProgress: io.onProgress } : {};
  if (source.startsWith('builtin:')) return openBuiltinModel(source, 'encoder.source');
  if (source.startsWith('hf:')) {
    const { id, revision } = parseHubSource(source);
    return hubSource(id, revision, {
      fetch: io.fetch,
      base: io.hubBase,
      cache: io.cache,
      ...progress,
    });
  }
  if (/^https?:\/\//.test(source))
    return urlSource(source, { fetch: io.fetch, cache: io.cache, ...progress });
  if (!io.openModel) {
    throw new UserError(
      `encoder.source: cannot open "${source}" here; use builtin, builtin:bert-tiny-en, a URL or hf:<id>.`,
    );
  }
  return io.openModel(source);
}

export async function setupEncoder(
  config: ExperimentConfig,
  io: ModelIO,
  numLabels: number | null,
  seed: number,
): Promise<EncoderBundle> {
  const enc = config.encoder;
  let model: BertModel;
  let tokenizer: BertTokenizer;
  let baseModel: string;
  const pooling: Pooling = enc.pooling;
  let heads = new Map<string, tf.Tensor>();
  if (enc.source === 'builtin') {
    tokenizer = await BertTokenizer.builtin();
    const bertConfig = builtinBertConfig({
      layers: enc.builtin.layers,
      hidden: enc.builtin.hidden,
      heads: enc.builtin.heads,
      intermediate: enc.builtin.intermediate,
      maxLength: Math.max(512, enc.maxLength),
      vocabSize: tokenizer.vocabSize,
    });
    model = BertModel.random(bertConfig, seed);
    baseModel = `built-in (random init, ${enc.builtin.layers} layers, hidden ${enc.builtin.hidden})`;
  } else {
    const folder = await loadModelFolder(await openSource(enc.source, io));
    model = folder.model;
    tokenizer = folder.tokenizer;
    heads = folder.heads;
    baseModel = enc.source;
    for (const w of folder.warnings) io.onWarning?.(w);
  }
  if (enc.maxLength > model.config.max_position_embeddings) {
    throw new UserError(
      `encoder.maxLength: ${enc.maxLength} is longer than the model's max_position_embeddings (${model.config.max_position_embeddings}).`,
    );
  }
  const hidden = model.config.hidden_size;
  // Heads saved in the folder (SimCSE's mlp.*, BertForSequenceClassification's classifier.*) are
  // reused when they fit; otherwise they start from BERT's init.
  const pick = (prefix: string) => new Map([...heads].filter(([k]) => k.startsWith(prefix)));
  const mlpSaved = pick('mlp.');
  const clsSaved = pick('classifier.');
  const savedLabels = clsSaved.get('classifier.bias')?.shape[0];
  let mlp: MlpHead | null = null;
  if (enc.mlpHead !== 'none') {
    mlp =
      mlpSaved.size === 2
        ? MlpHead.fromWeights(hidden, mlpSaved)
        : MlpHead.random(hidden, seed + 1);
  }
  let classifier: ClassifierHead | null = null;
  if (numLabels) {
    classifier =
      clsSaved.size === 2 && savedLabels === numLabels
        ? ClassifierHead.fromWeights(hidden, numLabels, clsSaved, model.config.hidden_dropout_prob)
        : ClassifierHead.random(hidden, numLabels, seed + 2, model.config.hidden_dropout_prob);
  }
  for (const t of heads.values()) t.dispose();
  return { model, tokenizer, pooling, mlp, classifier, baseModel };
}
