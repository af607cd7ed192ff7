/**
 * sentence-transformers' files in a model folder: `modules.json` (the pipeline: Transformer →
 * Pooling → optional Dense modules), `sentence_bert_config.json`, `1_Pooling/config.json` and
 * `N_Dense/{config.json, model.safetensors}` (a Linear `linear.weight` [out, in] + activation).
 */
import { UserError } from '../errors.ts';
import type { Pooling } from '../model/pooling.ts';
import type { FileSource } from './fileSources.ts';
import { readSafetensors, toFloat32 } from './safetensors.ts';

export const DENSE_TANH = 'torch.nn.modules.activation.Tanh';

const MODULE = 'sentence_transformers.models';

/** modules.json for Transformer → Pooling → `denses` Dense modules. */
export function modulesJson(denses: number): object[] {
  const modules: object[] = [
    { idx: 0, name: '0', path: '', type: `${MODULE}.Transformer` },
    { idx: 1, name: '1', path: '1_Pooling', type: `${MODULE}.Pooling` },
  ];
  for (let i = 0; i < denses; i++) {
    modules.push({ idx: i + 2, name: `${i + 2}`, path: `${i + 2}_Dense`, type: `${MODULE}.Dense` });
  }
  return modules;
}

export function sentenceBertConfig(maxSeqLength: number): object {
  return { max_seq_length: maxSeqLength, do_lower_case: false };
}

/**
 * 1_Pooling/config.json. cls and cls_before_pooler read the [CLS] row (cls adds the pooler as a
 * Dense module); mean is mean_tokens; avg_first_last / avg_top2 have no sentence-transformers mode
 * and are written as mean_tokens (the model card says so).
 */
export function poolingConfig(pooling: Pooling, hidden: number): object {
  const cls = pooling === 'cls' || pooling === 'cls_before_pooler';
  return {
    word_embedding_dimension: hidden,
    pooling_mode_cls_token: cls,
    pooling_mode_mean_tokens: !cls,
    pooling_mode_max_tokens: false,
    pooling_mode_mean_sqrt_len_tokens: false,
    pooling_mode_weightedmean_tokens: false,
    pooling_mode_lasttoken: false,
    include_prompt: true,
  };
}

export function denseConfig(inFeatures: number, outFeatures: number, activation: string): object {
  return {
    in_features: inFeatures,
    out_features: outFeatures,
    bias: true,
    activation_function: activation,
  };
}

/** A Dense module's Linear, PyTorch layout (weight [out, in]). */
export interface DenseWeights {
  shape: [number, number];
  data: Float32Array;
  bias: Float32Array;
}

export interface SentenceTransformersInfo {
  /** The pooling the folder's pipeline computes, when this encoder can compute it. */
  pooling: Pooling | null;
  /** Dense(tanh) right after [CLS]: BERT's pooler form, loaded as the pooler (pooling 'cls'). */
  poolerDense: DenseWeights | null;
  /** A further Dense(tanh) H→H: SimCSE's MLP on top of the pooled output. */
  mlpDense: DenseWeights | null;
  maxSeqLength: number | null;
  warnings: string[];
}

interface ModuleEntry {
  path: string;
  type: string;
}

async function readJsonFile(source: FileSource, path: string): Promise<unknown> {
  const bytes = await source.read(path);
  if (!bytes) return null;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new UserError(`${source.describe}/${path} is not valid JSON (${(e as Error).message}).`);
  }
}

async function readDense(
  source: FileSource,
  dir: string,
  hidden: number,
): Promise<DenseWeights | string> {
  const config = (await readJsonFile(source, `${dir}/config.json`)) as Record<
    string,
    unknown
  > | null;
  if (!config) return `${dir} has no config.json`;
  if (config.activation_function !== DENSE_TANH)
    return `${dir} uses ${String(config.activation_function)}, not Tanh`;
  if (config.in_features !== hidden || config.out_features !== hidden || config.bias === false) {
    return `${dir} maps ${String(config.in_features)} → ${String(config.out_features)} features, not ${hidden} → ${hidden} with a bias`;
  }
  const bytes = await source.read(`${dir}/model.safetensors`);
  if (!bytes) return `${dir} has no model.safetensors (pickle weights are refused)`;
  const file = `${source.describe}/${dir}/model.safetensors`;
  const st = readSafetensors(bytes, file);
  const w = st.tensors.get('linear.weight');
  const b = st.tensors.get('linear.bias');
  if (!w || !b || w.shape[0] !== hidden || w.shape[1] !== hidden || b.shape[0] !== hidden) {
    throw new UserError(
      `${file} needs linear.weight [${hidden}, ${hidden}] and linear.bias [${hidden}].`,
    );
  }
  return {
    shape: [hidden, hidden],
    data: toFloat32(w, 'linear.weight', file),
    bias: toFloat32(b, 'linear.bias', file),
  };
}

/** What the folder's sentence-transformers pipeline computes, in this encoder's terms. */
export async function readSentenceTransformers(
  source: FileSource,
  hidden: number,
): Promise<SentenceTransformersInfo> {
  const info: SentenceTransformersInfo = {
    pooling: null,
    poolerDense: null,
    mlpDense: null,
    maxSeqLength: null,
    warnings: [],
  };
  const sbert = (await readJsonFile(source, 'sentence_bert_config.json')) as Record<
    string,
    unknown
  > | null;
  const max = sbert?.max_seq_length;
  if (typeof max === 'number' && Number.isInteger(max) && max > 0) info.maxSeqLength = max;

  const modulesRaw = await readJsonFile(source, 'modules.json');
  let modules: ModuleEntry[];
  if (Array.isArray(modulesRaw)) {
    modules = modulesRaw
      .filter(
        (m): m is ModuleEntry & { idx?: number } =>
          typeof m?.path === 'string' && typeof m?.type === 'string',
      )
      .sort((a, b) => (a.idx ?? 0) - (b.idx ?? 0));
  } else {
    modules = [{ path: '1_Pooling', type: `${MODULE}.Pooling` }];
  }
  const poolingAt = modules.findIndex((m) => m.type.endsWith('.Pooling'));
  if (poolingAt < 0) return info;
  const poolingPath = modules[poolingAt]!.path;
  const pc = (await readJsonFile(source, `${poolingPath}/config.json`)) as Record<
    string,
    unknown
  > | null;
  if (!pc) return info;
  const modes = Object.entries(pc)
    .filter(([k, v]) => k.startsWith('pooling_mode_') && v === true)
    .map(([k]) => k.slice('pooling_mode_'.length));
  let pooling: Pooling | null = null;
  if (modes.length === 1 && modes[0] === 'cls_token') pooling = 'cls_before_pooler';
  else if (modes.length === 1 && modes[0] === 'mean_tokens') pooling = 'mean';
  else {
    info.warnings.push(
      `${poolingPath}/config.json pools with ${modes.join(' + ') || 'no mode'}, which this encoder cannot compute; choose a pooling.`,
    );
    return info;
  }

  const after = modules.slice(poolingAt + 1);
  for (const m of after) {
    if (m.type.endsWith('.Normalize')) continue; // unit length: cosine similarity is unchanged
    if (!m.type.endsWith('.Dense')) {
      info.warnings.push(
        `The sentence-transformers module ${m.type} (${m.path}) is not supported and is skipped.`,
      );
      continue;
    }
    const dense = await readDense(source, m.path, hidden);
    if (typeof dense === 'string') {
      info.warnings.push(
        `The Dense module ${dense}; it is skipped, so embeddings differ from sentence-transformers'.`,
      );
    } else if (pooling === 'cls_before_pooler' && !info.poolerDense) {
      info.poolerDense = dense;
      pooling = 'cls';
    } else if (!info.mlpDense) {
      info.mlpDense = dense;
    } else {
      info.warnings.push(`A third Dense module (${m.path}) is not supported and is skipped.`);
    }
  }
  info.pooling = pooling;
  return info;
}
