/**
 * Hugging Face parameter names ↔ BertModel variables.
 *
 * Checkpoints name BERT's weights as `BertModel` does (`embeddings.word_embeddings.weight`, …),
 * either bare (BertModel, sentence-transformers) or under `bert.` (BertForMaskedLM,
 * BertForPreTraining, BertForSequenceClassification, SimCSE's BertForCL). PyTorch Linear weights
 * are [out, in]; BertModel keeps them [in, out], so they are transposed here, on purpose, both ways.
 */
import { UserError } from '../errors.ts';
import type { BertModel } from '../model/bert.ts';
import type { BertConfig } from '../model/config.ts';
import * as tf from '../tf.ts';
import {
  type F32Tensor,
  type SafeTensorEntry,
  type SafeTensorsFile,
  toFloat32,
} from './safetensors.ts';

export interface WeightSpec {
  /** HF name without the `bert.` prefix. */
  name: string;
  /** Shape in the checkpoint (PyTorch layout). */
  shape: number[];
  /** The config.json fields the shape comes from, for messages: "hidden_size=32". */
  fields: string;
}

/** True for PyTorch `nn.Linear` weights (stored [out, in] in checkpoints, [in, out] in BertModel). */
export function isLinearWeight(name: string): boolean {
  return name.endsWith('.weight') && !name.startsWith('embeddings.') && !name.includes('LayerNorm');
}

/** Every BertModel weight with its checkpoint shape, in BertModel's order. */
export function bertWeightSpecs(c: BertConfig): WeightSpec[] {
  const H = c.hidden_size;
  const I = c.intermediate_size;
  const h = `hidden_size=${H}`;
  const hi = `intermediate_size=${I}, hidden_size=${H}`;
  const specs: WeightSpec[] = [
    {
      name: 'embeddings.word_embeddings.weight',
      shape: [c.vocab_size, H],
      fields: `vocab_size=${c.vocab_size}, ${h}`,
    },
    {
      name: 'embeddings.position_embeddings.weight',
      shape: [c.max_position_embeddings, H],
      fields: `max_position_embeddings=${c.max_position_embeddings}, ${h}`,
    },
    {
      name: 'embeddings.token_type_embeddings.weight',
      shape: [c.type_vocab_size, H],
      fields: `type_vocab_size=${c.type_vocab_size}, ${h}`,
    },
    { name: 'embeddings.LayerNorm.weight', shape: [H], fields: h },
    { name: 'embeddings.LayerNorm.bias', shape: [H], fields: h },
  ];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `encoder.layer.${i}`;
    for (const lin of [
      'attention.self.query',
      'attention.self.key',
      'attention.self.value',
      'attention.output.dense',
    ]) {
      specs.push({ name: `${p}.${lin}.weight`, shape: [H, H], fields: h });
      specs.push({ name: `${p}.${lin}.bias`, shape: [H], fields: h });
    }
    specs.push(
      { name: `${p}.attention.output.LayerNorm.weight`, shape: [H], fields: h },
      { name: `${p}.attention.output.LayerNorm.bias`, shape: [H], fields: h },
      { name: `${p}.intermediate.dense.weight`, shape: [I, H], fields: hi },
      { name: `${p}.intermediate.dense.bias`, shape: [I], fields: `intermediate_size=${I}` },
      { name: `${p}.output.dense.weight`, shape: [H, I], fields: hi },
      { name: `${p}.output.dense.bias`, shape: [H], fields: h },
      { name: `${p}.output.LayerNorm.weight`, shape: [H], fields: h },
      { name: `${p}.output.LayerNorm.bias`, shape: [H], fields: h },
    );
  }
  specs.push(
    { name: 'pooler.dense.weight', shape: [H, H], fields: h },
    { name: 'pooler.dense.bias', shape: [H], fields: h },
  );
  return specs;
}

/** Checkpoint entries that are not weights of the encoder and are skipped without a word. */
function isIgnored(name: string): boolean {
  return (
    name.startsWith('cls.') || // BertForPreTraining / BertForMaskedLM heads
    name.startsWith('lm_head.') || // SimCSE's optional MLM head
    name.endsWith('.position_ids') // the position-id buffer some versions save
  );
}

/** Head weights kept aside for the caller (SimCSE's MLP, a sequence-classification head). */
function isHead(name: string): boolean {
  return name.startsWith('mlp.') || name.startsWith('classifier.');
}

/** `bert.x` → `x`; legacy `LayerNorm.gamma/beta` → `LayerNorm.weight/bias` (as transformers renames them). */
export function normaliseName(name: string): string {
  const bare = name.startsWith('bert.') ? name.slice(5) : name;
  return bare
    .replace(/LayerNorm\.gamma$/, 'LayerNorm.weight')
    .replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
}

export interface ImportedWeights {
  /** Encoder tensors keyed like BertModel.variables() ([in, out] Linear weights). The caller disposes them. */
  tensors: Map<string, tf.Tensor>;
  /** `mlp.*` / `classifier.*` tensors in the same layout, for heads. The caller disposes them. */
  heads: Map<string, tf.Tensor>;
  /** Encoder weights the checkpoint lacks (only the pooler may be missing; it is then initialised). */
  missing: string[];
  /** Entries that are neither encoder, head nor known extras (reported, not loaded). */
  unexpected: string[];
}

/**
 * Map a checkpoint's tensors onto BertModel's, checking every shape against config.json.
 * A wrong shape, a name present twice (with and without `bert.`), or a missing encoder weight is a
 * UserError; a missing pooler (sentence-transformers exports may lack one) is initialised as
 * transformers does (normal(0, initializer_range), zero bias) and listed in `missing`.
 */
export function importBertWeights(
  files: SafeTensorsFile[],
  config: BertConfig,
  configFile = 'config.json',
  seed = 0,
): ImportedWeights {
  const found = new Map<string, { file: string; original: string; entry: SafeTensorEntry }>();
  const unexpected: string[] = [];
  for (const st of files) {
    for (const [original, entry] of st.tensors) {
      if (isIgnored(original)) continue;
      const name = normaliseName(original);
      const prior = found.get(name);
      if (prior) {
        throw new UserError(
          `${st.file}: tensor "${original}" and "${prior.original}"${prior.file !== st.file ? ` in ${prior.file}` : ''} are the same weight; keep one.`,
        );
      }
      found.set(name, { file: st.file, original, entry });
    }
  }

  const specs = bertWeightSpecs(config);
  const known = new Set(specs.map((s) => s.name));
  const tensors = new Map<string, tf.Tensor>();
  const heads = new Map<string, tf.Tensor>();
  const missing: string[] = [];
  const dispose = () => tf.dispose([...tensors.values(), ...heads.values()]);
  try {
    for (const spec of specs) {
      const hit = found.get(spec.name);
      if (!hit) {
        missing.push(spec.name);
        continue;
      }
      if (!tf.util.arraysEqual(hit.entry.shape, spec.shape)) {
        throw new UserError(
          `${hit.file}: ${hit.original} has shape [${hit.entry.shape.join(', ')}] but ${configFile} (${spec.fields}) needs [${spec.shape.join(', ')}].`,
        );
      }
      tensors.set(
        spec.name,
        toInternal(spec.name, toFloat32(hit.entry, hit.original, hit.file), spec.shape),
      );
    }
    for (const [name, hit] of found) {
      if (known.has(name)) continue;
      if (isHead(name)) {
        heads.set(
          name,
          toInternal(name, toFloat32(hit.entry, hit.original, hit.file), hit.entry.shape),
        );
      } else {
        unexpected.push(hit.original);
      }
    }
    const required = missing.filter((n) => !n.startsWith('pooler.'));
    if (required.length > 0) {
      const where = files.map((f) => f.file).join(', ');
      throw new UserError(
        `${where} lacks ${required.length} BERT weight${required.length > 1 ? 's' : ''} that ${configFile} needs: ${required.slice(0, 5).join(', ')}${required.length > 5 ? ', …' : ''}.`,
      );
    }
  } catch (e) {
    dispose();
    throw e;
  }
  const H = config.hidden_size;
  if (missing.includes('pooler.dense.weight')) {
    tensors.set(
      'pooler.dense.weight',
      tf.randomNormal([H, H], 0, config.initializer_range, 'float32', seed),
    );
  }
  if (missing.includes('pooler.dense.bias')) tensors.set('pooler.dense.bias', tf.zeros([H]));
  return { tensors, heads, missing, unexpected };
}

/** A checkpoint array as a BertModel tensor: Linear weights [out, in] → [in, out]. */
function toInternal(name: string, data: Float32Array, shape: number[]): tf.Tensor {
  if (!isLinearWeight(name)) return tf.tensor(data, shape, 'float32');
  return tf.tidy(() => tf.tensor2d(data, [shape[0]!, shape[1]!], 'float32').transpose());
}

/**
 * Variables (BertModel, MlpHead, ClassifierHead) as checkpoint tensors: HF names, Linear weights
 * transposed back to PyTorch's [out, in]. Reads the values with `data()` (works on every backend).
 */
export async function exportVariables(
  variables: Map<string, tf.Variable>,
  rename?: (name: string) => string,
): Promise<Map<string, F32Tensor>> {
  const out = new Map<string, F32Tensor>();
  for (const [name, v] of variables) {
    const t = isLinearWeight(name) ? tf.tidy(() => v.transpose()) : v;
    const data = (await t.data()) as Float32Array;
    const shape = [...t.shape];
    if (t !== v) t.dispose();
    out.set(rename ? rename(name) : name, { shape, data: new Float32Array(data) });
  }
  return out;
}

/** BertModel's weights as checkpoint tensors (names without `bert.`, as BertModel.save_pretrained writes). */
export function exportBertWeights(model: BertModel): Promise<Map<string, F32Tensor>> {
  return exportVariables(model.variables());
}
