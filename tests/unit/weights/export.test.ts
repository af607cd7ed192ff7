/**
 * Exporting model folders. Two independent checks:
 * - round trip: export → import → export is bit-exact (weights and bytes);
 * - Python: tests/fixtures/model/exported/ was written by export_fixture.ts and re-embedded by
 *   make_model.py --check-exported (plain torch, its own safetensors reader, sentence-transformers'
 *   Pooling + Dense pipeline) into exported_python.json. Here the export is re-run and must equal
 *   the committed bytes, and TF.js on the folder must match Python within 1e-4.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BertModel,
  builtinBertConfig,
  MlpHead,
  POOLINGS,
  type Pooling,
  pool,
} from '../../../src/engine/model/index.ts';
import { folderSource } from '../../../src/engine/node/folderSource.ts';
import * as tf from '../../../src/engine/tf.ts';
import { BertTokenizer } from '../../../src/engine/tokenizer/index.ts';
import {
  exportModelFolder,
  type LoadedModelFolder,
  loadModelFolder,
} from '../../../src/engine/weights/modelFolder.ts';
import { readSafetensors } from '../../../src/engine/weights/safetensors.ts';
import { EXPORTED_DIR, exportFixture } from '../../fixtures/model/export_fixture.ts';
import { golden, inputsOf, MODEL_FIXTURES, maxAbsDiff, TINY_BERT } from '../model/golden.ts';
import { memorySource, readFolder } from './folders.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TOL = 1e-4;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function release(f: LoadedModelFolder) {
  f.model.dispose();
  tf.dispose([...f.heads.values()]);
}

function exportOf(f: LoadedModelFolder, pooling: Pooling, mlpHead: MlpHead | null = null) {
  return exportModelFolder({
    model: f.model,
    tokenizer: f.tokenizer,
    pooling,
    mlpHead,
    experimentConfig: { objective: { kind: 'simcse-unsup', temperature: 0.05 }, seed: 1 },
    metrics: { stsb_dev_spearman: 81.25 },
    baseModel: 'org/tiny-bert',
  });
}

/** [B, H] embeddings of the golden "en" batch: [mlp](pool(model)). */
function embed(m: BertModel, pooling: Pooling, mlp?: MlpHead | null): tf.Tensor2D {
  const inputs = inputsOf(golden().batches.en!.inputs);
  const out = m.forward(inputs, { training: false });
  let z = pool(out, inputs.attentionMask, pooling);
  if (mlp) {
    const y = mlp.forward(z);
    z.dispose();
    z = y;
  }
  tf.dispose([out, inputs]);
  return z;
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(a.sub(b))).dataSync()[0]!;

describe('export → import round trip', () => {
  it('is bit-exact: same variables, same model.safetensors bytes, same tokenizer files', async () => {
    const f = await loadModelFolder(folderSource(TINY_BERT));
    const files = await exportOf(f, 'mean');
    const back = await loadModelFolder(memorySource(files));
    for (const [name, v] of f.model.variables()) {
      const w = back.model.variables().get(name)!;
      expect(w.shape).toEqual(v.shape);
      expect(new Uint8Array(w.dataSync().buffer)).toEqual(new Uint8Array(v.dataSync().buffer));
    }
    const again = await exportOf(back, 'mean');
    expect(again.get('model.safetensors')).toEqual(files.get('model.safetensors'));
    expect(text(files.get('vocab.txt')!)).toBe(text(readFileSync(join(TINY_BERT, 'vocab.txt'))));
    expect(back.tokenizer.encode('A man is playing a guitar.').ids).toEqual(golden().text.ids[0]);
    expect(back.pooling).toBe('mean');
    expect(back.warnings).toEqual([]);
    release(f);
    release(back);
  });

  it('writes HF names without bert., [out, in] Linear weights, __metadata__ format pt', async () => {
    const f = await loadModelFolder(folderSource(TINY_BERT));
    const files = await exportOf(f, 'mean');
    const st = readSafetensors(files.get('model.safetensors')!);
    expect(st.metadata).toEqual({ format: 'pt' });
    expect(st.tensors.size).toBe(39);
    expect(st.tensors.get('encoder.layer.0.intermediate.dense.weight')!.shape).toEqual([64, 32]);
    expect(st.tensors.get('encoder.layer.0.output.dense.weight')!.shape).toEqual([32, 64]);
    const original = readSafetensors(
      new Uint8Array(readFileSync(join(TINY_BERT, 'model.safetensors'))),
    );
    for (const [name, e] of st.tensors)
      expect(e.bytes).toEqual(original.tensors.get(`bert.${name}`)!.bytes);
    release(f);
  });

  it('a built-in random model round-trips with identical outputs', async () => {
    const tokenizer = BertTokenizer.fromVocab(readFileSync(join(TINY_BERT, 'vocab.txt'), 'utf8'));
    const config = builtinBertConfig({
      layers: 1,
      hidden: 32,
      heads: 2,
      intermediate: 48,
      maxLength: 40,
      vocabSize: tokenizer.vocabSize,
    });
    const m = BertModel.random(config, 9);
    const files = await exportModelFolder({
      model: m,
      tokenizer,
      pooling: 'avg_top2',
      experimentConfig: {},
      metrics: {},
      baseModel: 'built-in',
    });
    const back = await loadModelFolder(memorySource(files));
    const a = embed(m, 'avg_top2');
    const b = embed(back.model, 'avg_top2');
    expect(maxDiff(a, b)).toBe(0);
    expect(back.config).toMatchObject({
      num_hidden_layers: 1,
      num_attention_heads: 2,
      intermediate_size: 48,
    });
    tf.dispose([a, b]);
    m.dispose();
    release(back);
  });
});

describe('sentence-transformers files for each pooling', () => {
  const cases: [
    Pooling,
    boolean,
    { cls: boolean; denses: number; imported: Pooling; mlpInCheckpoint: boolean },
  ][] = [
    ['cls', false, { cls: true, denses: 1, imported: 'cls', mlpInCheckpoint: false }],
    [
      'cls_before_pooler',
      false,
      { cls: true, denses: 0, imported: 'cls_before_pooler', mlpInCheckpoint: false },
    ],
    ['mean', false, { cls: false, denses: 0, imported: 'mean', mlpInCheckpoint: false }],
    ['avg_first_last', false, { cls: false, denses: 0, imported: 'mean', mlpInCheckpoint: false }],
    ['cls_before_pooler', true, { cls: true, denses: 1, imported: 'cls', mlpInCheckpoint: false }],
    ['mean', true, { cls: false, denses: 1, imported: 'mean', mlpInCheckpoint: true }],
    ['cls', true, { cls: true, denses: 2, imported: 'cls', mlpInCheckpoint: true }],
  ];
  for (const [pooling, withMlp, want] of cases) {
    it(`${pooling}${withMlp ? ' + MLP' : ''}: modules, 1_Pooling, Dense; import reproduces the embedding`, async () => {
      const f = await loadModelFolder(folderSource(TINY_BERT));
      const mlp = withMlp ? MlpHead.random(32, 4, 0.3) : null;
      const files = await exportOf(f, pooling, mlp);
      const modules = JSON.parse(text(files.get('modules.json')!)) as { path: string }[];
      expect(modules.map((m) => m.path)).toEqual([
        '',
        '1_Pooling',
        ...Array.from({ length: want.denses }, (_, i) => `${i + 2}_Dense`),
      ]);
      const pc = JSON.parse(text(files.get('1_Pooling/config.json')!));
      expect(pc).toMatchObject({
        word_embedding_dimension: 32,
        pooling_mode_cls_token: want.cls,
        pooling_mode_mean_tokens: !want.cls,
      });
      expect(readSafetensors(files.get('model.safetensors')!).tensors.has('mlp.dense.weight')).toBe(
        want.mlpInCheckpoint,
      );
      if (want.denses > 0) {
        expect(JSON.parse(text(files.get('2_Dense/config.json')!))).toEqual({
          in_features: 32,
          out_features: 32,
          bias: true,
          activation_function: 'torch.nn.modules.activation.Tanh',
        });
      }
      const back = await loadModelFolder(memorySource(files));
      expect(back.pooling).toBe(want.imported);
      const backMlp = back.heads.size > 0 ? MlpHead.fromWeights(32, back.heads) : null;
      expect(backMlp !== null).toBe(want.mlpInCheckpoint);
      if (!pooling.startsWith('avg')) {
        const a = embed(f.model, pooling, mlp);
        const b = embed(back.model, back.pooling!, backMlp);
        expect(maxDiff(a, b)).toBe(0);
        tf.dispose([a, b]);
      }
      const readme = text(files.get('README.md')!);
      expect(readme).toContain('base_model: org/tiny-bert');
      expect(readme).toContain('| stsb_dev_spearman | 81.2500 |');
      expect(readme).toContain('"temperature": 0.05');
      expect(readme).toContain('SentenceTransformer("path/to/this/folder")');
      expect(readme).toContain('AutoModel.from_pretrained(path)');
      if (pooling === 'avg_first_last') {
        expect(readme).toContain('sentence-transformers has no pooling mode for');
        expect(readme).toContain('out.hidden_states[0] + out.hidden_states[-1]');
      }
      release(f);
      release(back);
      mlp?.dispose();
      backMlp?.dispose();
    });
  }
});

describe('the Python-checked export (tests/fixtures/model/exported)', () => {
  it('exportModelFolder still writes the committed bytes', async () => {
    const now = await exportFixture();
    const committed = readFolder(EXPORTED_DIR);
    expect([...now.keys()].sort()).toEqual([...committed.keys()].sort());
    for (const [path, bytes] of now) expect(text(bytes), path).toBe(text(committed.get(path)!));
    for (const [path, bytes] of now) expect(bytes, path).toEqual(committed.get(path));
  });

  it('TF.js on the exported folder matches PyTorch + the sentence-transformers pipeline within 1e-4', async () => {
    const py = JSON.parse(readFileSync(join(MODEL_FIXTURES, 'exported_python.json'), 'utf8')) as {
      batches: Record<
        string,
        {
          last_hidden_state: number[];
          pooler_output: number[];
          sentence_transformers: number[];
          pooled: Record<string, number[]>;
        }
      >;
    };
    const f = await loadModelFolder(folderSource(EXPORTED_DIR));
    expect(f.pooling).toBe('cls'); // the MLP became the pooler + 2_Dense
    for (const [name, want] of Object.entries(py.batches)) {
      const inputs = inputsOf(golden().batches[name]!.inputs);
      const out = f.model.forward(inputs, { training: false });
      const diffs: Record<string, number> = {
        last_hidden_state: maxAbsDiff(out.lastHiddenState, want.last_hidden_state),
        pooler_output: maxAbsDiff(out.poolerOutput, want.pooler_output),
      };
      const cls = pool(out, inputs.attentionMask, f.pooling!);
      diffs.sentence_transformers = maxAbsDiff(cls, want.sentence_transformers);
      for (const p of POOLINGS) {
        const z = pool(out, inputs.attentionMask, p);
        diffs[p] = maxAbsDiff(z, want.pooled[p]!);
        z.dispose();
      }
      console.log(`exported folder vs python, batch ${name}:`, diffs);
      for (const d of Object.values(diffs)) expect(d).toBeLessThan(TOL);
      tf.dispose([out, cls, inputs]);
    }
    release(f);
  });
});
