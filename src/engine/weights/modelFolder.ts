/**
 * Model folders in and out. The one format is a Hugging Face BERT folder that transformers and
 * sentence-transformers load with no conversion:
 *
 *   config.json  model.safetensors  vocab.txt  tokenizer.json  tokenizer_config.json
 *   special_tokens_map.json  modules.json  sentence_bert_config.json  1_Pooling/config.json
 *   [2_Dense/…]  README.md
 *
 * Pickle checkpoints (`pytorch_model.bin`) are refused: unpickling runs arbitrary code.
 */
import { UserError } from '../errors.ts';
import { BertModel } from '../model/bert.ts';
import { type BertConfig, bertConfigToJson, parseBertConfig } from '../model/config.ts';
import type { MlpHead, Pooling } from '../model/pooling.ts';
import * as tf from '../tf.ts';
import { BertTokenizer } from '../tokenizer/index.ts';
import type { FileSource } from './fileSources.ts';
import { exportBertWeights, exportVariables, importBertWeights } from './hfNames.ts';
import { modelCard } from './modelCard.ts';
import {
  type F32Tensor,
  readSafetensors,
  type SafeTensorsFile,
  writeSafetensors,
} from './safetensors.ts';
import {
  DENSE_TANH,
  type DenseWeights,
  denseConfig,
  modulesJson,
  poolingConfig,
  readSentenceTransformers,
  sentenceBertConfig,
} from './sentenceTransformers.ts';

export type {
  ByteCache,
  DownloadProgress,
  FetchOptions,
  FileSource,
  PickedFile,
} from './fileSources.ts';
export { hubSource, pickedFilesSource, urlSource } from './fileSources.ts';

export interface LoadedModelFolder {
  config: BertConfig;
  model: BertModel;
  tokenizer: BertTokenizer;
  /** The raw tokenizer files (null when absent), as read. */
  vocabTxt: string | null;
  tokenizerJson: object | null;
  tokenizerConfig: object | null;
  specialTokensMap: object | null;
  /** The sentence-transformers pooling (1_Pooling + 2_Dense) when the folder has one. */
  pooling: Pooling | null;
  /** sentence_bert_config.json's max_seq_length. */
  maxSeqLength: number | null;
  /** `mlp.*` / `classifier.*` head tensors found in the checkpoint ([in, out]); the caller disposes them. */
  heads: Map<string, tf.Tensor>;
  /** Things the user should know (pooler initialised, unsupported sentence-transformers modules…). */
  warnings: string[];
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** A file as UTF-8 text (a leading BOM dropped); null when absent. */
export async function readText(source: FileSource, path: string): Promise<string | null> {
  const bytes = await source.read(path);
  if (!bytes) return null;
  try {
    return decoder.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new UserError(`${source.describe}/${path} is not valid UTF-8 text.`);
  }
}

/** A file as a JSON object; null when absent. */
export async function readJson(
  source: FileSource,
  path: string,
): Promise<Record<string, unknown> | null> {
  const text = await readText(source, path);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${source.describe}/${path} is not valid JSON (${(e as Error).message}).`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UserError(`${source.describe}/${path} must hold a JSON object.`);
  }
  return json as Record<string, unknown>;
}

const has = (source: FileSource, path: string) =>
  source.has ? source.has(path) : source.read(path).then((b) => b !== null);

const PICKLE_HELP =
  "Convert it once with Python: python -c \"import torch; from safetensors.torch import save_file; sd = torch.load('pytorch_model.bin', map_location='cpu', weights_only=True); save_file({k: v.clone().contiguous() for k, v in sd.items()}, 'model.safetensors', metadata={'format': 'pt'})\"";

/** The checkpoint's safetensors file(s): model.safetensors, or the shards a .index.json lists. */
async function readCheckpoint(source: FileSource): Promise<SafeTensorsFile[]> {
  const single = await source.read('model.safetensors');
  if (single) return [readSafetensors(single, `${source.describe}/model.safetensors`)];
  const index = await readJson(source, 'model.safetensors.index.json');
  if (index) {
    const map = index.weight_map;
    if (typeof map !== 'object' || map === null) {
      throw new UserError(
        `${source.describe}/model.safetensors.index.json has no "weight_map" object.`,
      );
    }
    const shards = [...new Set(Object.values(map as Record<string, unknown>).map(String))];
    const files: SafeTensorsFile[] = [];
    for (const shard of shards) {
      const bytes = await source.read(shard);
      if (!bytes)
        throw new UserError(
          `${source.describe}/${shard}, listed in model.safetensors.index.json, is missing.`,
        );
      files.push(readSafetensors(bytes, `${source.describe}/${shard}`));
    }
    return files;
  }
  if (await has(source, 'pytorch_model.bin')) {
    throw new UserError(
      `${source.describe} has only pytorch_model.bin, a pickle checkpoint, which is refused for safety (loading a pickle can run arbitrary code). ${PICKLE_HELP}`,
    );
  }
  for (const other of ['tf_model.h5', 'flax_model.msgpack', 'model.onnx']) {
    if (await has(source, other)) {
      throw new UserError(
        `${source.describe} has ${other} but no model.safetensors; only safetensors weights can be loaded.`,
      );
    }
  }
  throw new UserError(`${source.describe} has no model.safetensors.`);
}

/**
 * Load a BERT folder: config.json, model.safetensors (names with or without `bert.`), the
 * tokenizer (tokenizer.json preferred, else vocab.txt, with tokenizer_config.json), and the
 * sentence-transformers pooling when present.
 * @param seed initialises the pooler if the checkpoint lacks one.
 */
export async function loadModelFolder(
  source: FileSource,
  opts: { seed?: number } = {},
): Promise<LoadedModelFolder> {
  const configJson = await readJson(source, 'config.json');
  if (!configJson) {
    throw new UserError(
      `${source.describe} has no config.json; a model folder needs config.json, model.safetensors and vocab.txt or tokenizer.json.`,
    );
  }
  const configFile = `${source.describe}/config.json`;
  const config = parseBertConfig(configJson, configFile);
  const checkpoint = await readCheckpoint(source);

  const vocabTxt = await readText(source, 'vocab.txt');
  const tokenizerJson = await readJson(source, 'tokenizer.json');
  const tokenizerConfig = await readJson(source, 'tokenizer_config.json');
  const specialTokensMap = await readJson(source, 'special_tokens_map.json');
  if (vocabTxt === null && tokenizerJson === null) {
    throw new UserError(
      `${source.describe} has neither vocab.txt nor tokenizer.json, so its text cannot be tokenised.`,
    );
  }
  const tokenizer = tokenizerJson
    ? BertTokenizer.fromTokenizerJson(tokenizerJson, tokenizerConfig ?? undefined)
    : BertTokenizer.fromVocab(vocabTxt!, tokenizerConfig ?? undefined);
  if (tokenizer.vocabSize > config.vocab_size) {
    throw new UserError(
      `${source.describe}: the tokenizer has ${tokenizer.vocabSize} tokens but config.json's vocab_size is ${config.vocab_size}; they belong to different models.`,
    );
  }

  const st = await readSentenceTransformers(source, config.hidden_size);
  const warnings = [...st.warnings];
  const imported = importBertWeights(checkpoint, config, configFile, opts.seed ?? 0);
  if (imported.missing.length > 0) {
    warnings.push(
      `${source.describe} has no ${imported.missing.join(' / ')}; the pooler was initialised randomly, as transformers does.`,
    );
  }
  if (imported.unexpected.length > 0) {
    warnings.push(
      `Ignored ${imported.unexpected.length} unknown tensor(s): ${imported.unexpected.slice(0, 5).join(', ')}.`,
    );
  }
  const swap = (name: string, dense: DenseWeights, into: Map<string, tf.Tensor>) => {
    into.get(`${name}.weight`)?.dispose();
    into.get(`${name}.bias`)?.dispose();
    into.set(
      `${name}.weight`,
      tf.tidy(() => tf.tensor2d(dense.data, dense.shape).transpose()),
    ); // [in, out]
    into.set(`${name}.bias`, tf.tensor1d(dense.bias));
  };
  // sentence-transformers' Dense(tanh) after [CLS] is BERT's pooler form: it becomes the pooler.
  if (st.poolerDense) swap('pooler.dense', st.poolerDense, imported.tensors);
  if (st.mlpDense) swap('mlp.dense', st.mlpDense, imported.heads);
  let model: BertModel;
  try {
    model = BertModel.fromWeights(config, imported.tensors);
  } finally {
    tf.dispose([...imported.tensors.values()]);
  }
  return {
    config,
    model,
    tokenizer,
    vocabTxt,
    tokenizerJson,
    tokenizerConfig,
    specialTokensMap,
    pooling: st.pooling,
    maxSeqLength: st.maxSeqLength,
    heads: imported.heads,
    warnings,
  };
}

/** What a tokenizer must offer to be written into a folder (BertTokenizer does). */
export type TokenizerFiles = Pick<
  BertTokenizer,
  'toTokenizerJson' | 'toVocabTxt' | 'toTokenizerConfig' | 'specialTokensMap'
>;

export interface ExportModelOptions {
  model: BertModel;
  tokenizer: TokenizerFiles;
  /** The pooling the embeddings were trained / evaluated with. */
  pooling: Pooling;
  /** SimCSE's MLP, kept at test time on top of the pooled output. */
  mlpHead?: MlpHead | null;
  /** The experiment config (JSON-serialisable), written into the model card. */
  experimentConfig: unknown;
  /** Final metrics, e.g. { "stsb_dev_spearman": 76.5 }. */
  metrics: Record<string, number | string | null>;
  /** Where the weights started: a Hub id, a folder name, or "built-in (random init …)". */
  baseModel: string;
  /** sentence-transformers' max_seq_length (default: min(512, max_position_embeddings)). */
  maxSeqLength?: number;
  /** The model card's title. */
  name?: string;
}

const json = (v: unknown) => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);
const text = (s: string) => new TextEncoder().encode(s);

/**
 * Write a model folder as `path → bytes`. The embedding `[mlp](pool(encoder(x)))` is reproduced
 * exactly by sentence-transformers for every pooling but avg_first_last / avg_top2 (which it has no
 * mode for; mean is written and the card says so), and by transformers as the card shows:
 * - cls: 1_Pooling cls_token + 2_Dense(tanh) holding BERT's pooler (= transformers' pooler_output).
 * - cls_before_pooler + MLP: SimCSE's convention (simcse_to_huggingface.py): the MLP is written as
 *   the pooler, so pooler_output is the embedding; the folder's pooling becomes cls.
 * - other poolings + MLP: `mlp.dense.*` in model.safetensors and a Dense(tanh) module.
 */
export async function exportModelFolder(
  opts: ExportModelOptions,
): Promise<Map<string, Uint8Array>> {
  const { model, tokenizer } = opts;
  const config = model.config;
  const H = config.hidden_size;
  const weights = await exportBertWeights(model);
  const mlp = opts.mlpHead ? await exportVariables(opts.mlpHead.variables()) : null;
  let pooling: Pooling = opts.pooling;
  const denses: { weight: F32Tensor; bias: F32Tensor }[] = [];
  const mlpOf = (m: Map<string, F32Tensor>) => ({
    weight: m.get('mlp.dense.weight')!,
    bias: m.get('mlp.dense.bias')!,
  });
  if (mlp && pooling === 'cls_before_pooler') {
    weights.set('pooler.dense.weight', mlp.get('mlp.dense.weight')!);
    weights.set('pooler.dense.bias', mlp.get('mlp.dense.bias')!);
    pooling = 'cls';
  }
  if (pooling === 'cls') {
    denses.push({
      weight: weights.get('pooler.dense.weight')!,
      bias: weights.get('pooler.dense.bias')!,
    });
  }
  if (mlp && opts.pooling !== 'cls_before_pooler') {
    for (const [k, v] of mlp) weights.set(k, v);
    denses.push(mlpOf(mlp));
  }

  const maxSeqLength = opts.maxSeqLength ?? Math.min(512, config.max_position_embeddings);
  const files = new Map<string, Uint8Array>();
  files.set('config.json', json(bertConfigToJson({ ...config, architectures: ['BertModel'] })));
  files.set('model.safetensors', writeSafetensors(weights));
  files.set('vocab.txt', text(tokenizer.toVocabTxt()));
  files.set('tokenizer.json', json(tokenizer.toTokenizerJson()));
  files.set('tokenizer_config.json', json(tokenizer.toTokenizerConfig()));
  files.set('special_tokens_map.json', json(tokenizer.specialTokensMap()));
  files.set('modules.json', json(modulesJson(denses.length)));
  files.set('sentence_bert_config.json', json(sentenceBertConfig(maxSeqLength)));
  files.set('1_Pooling/config.json', json(poolingConfig(pooling, H)));
  denses.forEach((d, i) => {
    const dir = `${i + 2}_Dense`;
    files.set(`${dir}/config.json`, json(denseConfig(H, H, DENSE_TANH)));
    files.set(
      `${dir}/model.safetensors`,
      writeSafetensors(
        new Map([
          ['linear.weight', d.weight],
          ['linear.bias', d.bias],
        ]),
      ),
    );
  });
  files.set(
    'README.md',
    text(
      modelCard({
        name: opts.name ?? 'contrastive-playground-model',
        baseModel: opts.baseModel,
        pooling: opts.pooling,
        mlp: mlp === null ? 'none' : opts.pooling === 'cls_before_pooler' ? 'pooler' : 'extra',
        config,
        maxSeqLength,
        experimentConfig: opts.experimentConfig,
        metrics: opts.metrics,
      }),
    ),
  );
  return files;
}
