/**
 * `encoder.source: "builtin:bert-tiny-en"`: a Hugging Face BERT folder committed under
 * public/builtin/models/, read through the asset loader (the browser worker fetches the same
 * `builtin/…` paths from the app's base). The real folder is the lead's pretrained model; here a
 * stand-in is exported by our own exporter from a tiny random model (hidden 32, 1 layer) into a
 * temporary `builtin/` folder, and the Node asset loader is pointed at it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModel } from '../../../cli/commands/common.ts';
import { assetPath, loadAssetBytes } from '../../../src/engine/assets.ts';
import { parseExperiment } from '../../../src/engine/config/validate.ts';
import { BertModel, builtinBertConfig } from '../../../src/engine/model/index.ts';
import {
  BUILTIN_DIR,
  GENERATED_DIR,
  installNodeAssetLoader,
} from '../../../src/engine/node/assets.ts';
import * as tf from '../../../src/engine/tf.ts';
import { BertTokenizer } from '../../../src/engine/tokenizer/index.ts';
import { setupEncoder } from '../../../src/engine/train/encoderSetup.ts';
import { exportModelFolder } from '../../../src/engine/weights/modelFolder.ts';

const SENTENCES = ['A man is playing a guitar.', 'The cat sat on the mat, quietly.'];

let standIn = ''; // plays public/builtin/: holds models/bert-tiny-en/
let empty = ''; // a builtin/ folder without the model
let original: BertModel;
let originalTokenizer: BertTokenizer;

function configFor(source: string) {
  return parseExperiment({
    encoder: {
      source,
      builtin: { layers: 1, hidden: 32, heads: 2, intermediate: 64 },
      pooling: 'mean',
      mlpHead: 'none',
      maxLength: 32,
    },
  });
}

/** Last hidden states [B, L, H] of `model` on the sentences, eval mode (no dropout). */
function encode(model: BertModel, tokenizer: BertTokenizer): { ids: number[][]; h: tf.Tensor } {
  const rows = SENTENCES.map((s) => tokenizer.encode(s, undefined, 32));
  const L = Math.max(...rows.map((r) => r.ids.length));
  const pad = (xs: readonly number[], v: number) => [...xs, ...Array(L - xs.length).fill(v)];
  const h = tf.tidy(() => {
    const out = model.forward(
      {
        inputIds: tf.tensor2d(
          rows.map((r) => pad(r.ids, tokenizer.padId)),
          undefined,
          'int32',
        ),
        attentionMask: tf.tensor2d(
          rows.map((r) => pad(Array(r.ids.length).fill(1), 0)),
          undefined,
          'int32',
        ),
        tokenTypeIds: tf.tensor2d(
          rows.map((r) => pad(r.typeIds, 0)),
          undefined,
          'int32',
        ),
      },
      { training: false },
    );
    return out.lastHiddenState; // [B, L, H]
  });
  return { ids: rows.map((r) => [...r.ids]), h };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  installNodeAssetLoader(); // the generated vocabulary for the stand-in's tokenizer
  originalTokenizer = await BertTokenizer.builtin();
  original = BertModel.random(
    builtinBertConfig({
      layers: 1,
      hidden: 32,
      heads: 2,
      intermediate: 64,
      maxLength: 64,
      vocabSize: originalTokenizer.vocabSize,
    }),
    11,
  );
  const files = await exportModelFolder({
    model: original,
    tokenizer: originalTokenizer,
    pooling: 'mean',
    experimentConfig: { note: 'stand-in for the pretrained builtin:bert-tiny-en' },
    metrics: {},
    baseModel: 'built-in (random init, stand-in)',
    name: 'bert-tiny-en (stand-in)',
  });
  standIn = mkdtempSync(join(tmpdir(), 'cplay-builtin-'));
  empty = mkdtempSync(join(tmpdir(), 'cplay-builtin-empty-'));
  for (const [path, bytes] of files) {
    const file = join(standIn, 'models', 'bert-tiny-en', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
});

afterAll(() => {
  original?.dispose();
  for (const d of [standIn, empty]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('builtin/ assets', () => {
  it('live beside generated ones under the app base, and may not leave public/builtin', async () => {
    expect(assetPath('builtin-vocab.txt')).toBe('generated/builtin-vocab.txt');
    expect(assetPath('builtin/models/bert-tiny-en/config.json')).toBe(
      'builtin/models/bert-tiny-en/config.json',
    );
    expect(() => assetPath('builtin/../generated/builtin-vocab.txt')).toThrow(
      'not a valid built-in asset path',
    );
    installNodeAssetLoader(GENERATED_DIR, standIn);
    const safetensors = await loadAssetBytes('builtin/models/bert-tiny-en/model.safetensors');
    // A safetensors file starts with its header length, a little-endian u64, then '{'.
    expect(safetensors).not.toBeNull();
    expect(safetensors![8]).toBe('{'.charCodeAt(0));
    expect(await loadAssetBytes('builtin/models/bert-tiny-en/no-such-file.bin')).toBeNull();
  });
});

describe('encoder.source builtin:bert-tiny-en', () => {
  it('loads the folder through the asset loader: same tokens, same hidden states', async () => {
    installNodeAssetLoader(GENERATED_DIR, standIn);
    const bundle = await setupEncoder(configFor('builtin:bert-tiny-en'), {}, null, 1);
    try {
      expect(bundle.baseModel).toBe('builtin:bert-tiny-en');
      expect(bundle.model.config.hidden_size).toBe(32);
      expect(bundle.model.config.num_hidden_layers).toBe(1);
      const a = encode(original, originalTokenizer);
      const b = encode(bundle.model, bundle.tokenizer);
      expect(b.ids).toEqual(a.ids);
      // The exporter's round trip is bit-exact (see weights/export.test.ts): same float32
      // weights, same ops, so the hidden states agree to rounding noise at most (1e-6).
      const diff = tf.tidy(() => tf.max(tf.abs(a.h.sub(b.h))).dataSync()[0]!);
      expect(diff).toBeLessThan(1e-6);
      tf.dispose([a.h, b.h]);
    } finally {
      bundle.model.dispose();
    }
  });

  it('an unknown built-in encoder names the ones that exist', async () => {
    installNodeAssetLoader(GENERATED_DIR, standIn);
    await expect(setupEncoder(configFor('builtin:bert-huge-xx'), {}, null, 1)).rejects.toThrow(
      'encoder.source: there is no built-in encoder "bert-huge-xx"; the built-in encoders are "builtin", "builtin:bert-tiny-en"',
    );
    await expect(openModel('builtin:nope')).rejects.toThrow(
      '--model: there is no built-in encoder "nope"',
    );
  });

  it('a build without the folder says where it belongs and how to get it', async () => {
    installNodeAssetLoader(GENERATED_DIR, empty);
    await expect(setupEncoder(configFor('builtin:bert-tiny-en'), {}, null, 1)).rejects.toThrow(
      'encoder.source: the built-in encoder builtin:bert-tiny-en is missing from this build (public/builtin/models/bert-tiny-en/config.json not found); it is committed to the repository, so restore it with `git checkout -- public/builtin/models/bert-tiny-en`',
    );
  });

  it('encoder.source "builtin" is still the random-init encoder of encoder.builtin', async () => {
    installNodeAssetLoader(GENERATED_DIR, empty);
    const bundle = await setupEncoder(configFor('builtin'), {}, null, 1);
    try {
      expect(bundle.baseModel).toBe('built-in (random init, 1 layers, hidden 32)');
      expect(bundle.model.config.hidden_size).toBe(32);
      expect(bundle.tokenizer.vocabSize).toBe(originalTokenizer.vocabSize);
    } finally {
      bundle.model.dispose();
    }
  });

  // The lead's pretrained folder: once it is committed, `cplay embed/eval --model
  // builtin:bert-tiny-en` must open it from public/builtin/ (skipped while it is absent).
  const real = join(BUILTIN_DIR, 'models', 'bert-tiny-en', 'config.json');
  it.skipIf(!existsSync(real))('the committed folder opens with --model', async () => {
    const folder = await openModel('builtin:bert-tiny-en');
    try {
      expect(folder.tokenizer.vocabSize).toBeLessThanOrEqual(folder.config.vocab_size);
      expect(folder.warnings.filter((w) => w.startsWith('Ignored'))).toEqual([]);
    } finally {
      folder.model.dispose();
      tf.dispose([...folder.heads.values()]);
    }
  });
});
