/**
 * Loading model folders: tests/fixtures/model/tiny-bert (written by make_model.py as a
 * BertForMaskedLM checkpoint would be), edited copies of it held in memory, and the same files
 * served over HTTP by a local server (the Hub's URL layout) to check the fetch sources.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../../src/engine/errors.ts';
import { pool } from '../../../src/engine/model/index.ts';
import { folderSource } from '../../../src/engine/node/folderSource.ts';
import * as tf from '../../../src/engine/tf.ts';
import {
  type ByteCache,
  type DownloadProgress,
  hubSource,
  type LoadedModelFolder,
  loadModelFolder,
  pickedFilesSource,
  urlSource,
} from '../../../src/engine/weights/modelFolder.ts';
import { golden, inputsOf, MODEL_FIXTURES, maxAbsDiff, TINY_BERT } from '../model/golden.ts';
import { memorySource, tinyBertFiles, withConfig, withTensors } from './folders.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function userError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (!isUserError(e)) throw e;
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}

function release(f: LoadedModelFolder) {
  f.model.dispose();
  tf.dispose([...f.heads.values()]);
}

/** Mean-pooled "en" batch vs the torch golden. */
function checkAgainstGolden(f: LoadedModelFolder): number {
  const b = golden().batches.en!;
  const inputs = inputsOf(b.inputs);
  const out = f.model.forward(inputs, { training: false });
  const pooled = pool(out, inputs.attentionMask, 'mean');
  const d = maxAbsDiff(pooled, b.outputs.pooled.mean!);
  tf.dispose([out, pooled, inputs]);
  return d;
}

describe('loadModelFolder(tiny-bert)', () => {
  it('reads config, weights (bert. prefix, cls.* and position_ids ignored), tokenizer and 1_Pooling', async () => {
    const f = await loadModelFolder(folderSource(TINY_BERT));
    expect(f.config.hidden_size).toBe(32);
    expect(f.config.vocab_size).toBe(292);
    expect(f.tokenizer.vocabSize).toBe(292);
    expect(f.vocabTxt?.split('\n')[0]).toBe('[PAD]');
    expect(f.tokenizerConfig).toMatchObject({ do_lower_case: true });
    expect(f.pooling).toBe('mean');
    expect(f.warnings).toEqual([]);
    expect(f.heads.size).toBe(0);
    expect(checkAgainstGolden(f)).toBeLessThan(1e-4);
    release(f);
  });

  it("the folder's tokenizer gives the ids of make_model.py's BasicTokenizer + WordPiece", async () => {
    const f = await loadModelFolder(folderSource(TINY_BERT));
    const { sentences, ids } = golden().text;
    sentences.forEach((s, i) => {
      expect(f.tokenizer.encode(s).ids).toEqual(ids[i]);
    });
    release(f);
  });

  it('refuses a pickle-only folder and says how to convert it', async () => {
    const msg = await userError(loadModelFolder(folderSource(join(MODEL_FIXTURES, 'pickle-only'))));
    expect(msg).toMatch(
      /pickle-only has only pytorch_model\.bin, a pickle checkpoint, which is refused for safety/,
    );
    expect(msg).toMatch(/save_file\(/);
  });

  it('names what is missing: folder, config.json, tokenizer, weights', async () => {
    expect(() => folderSource('/nonexistent/model')).toThrow(
      /^Model folder \/nonexistent\/model does not exist\.$/,
    );
    const files = tinyBertFiles();
    const drop = (...names: string[]) => new Map([...files].filter(([k]) => !names.includes(k)));
    expect(await userError(loadModelFolder(memorySource(drop('config.json'))))).toMatch(
      /my-model has no config\.json/,
    );
    expect(await userError(loadModelFolder(memorySource(drop('vocab.txt'))))).toMatch(
      /neither vocab\.txt nor tokenizer\.json/,
    );
    expect(await userError(loadModelFolder(memorySource(drop('model.safetensors'))))).toMatch(
      /my-model has no model\.safetensors/,
    );
  });

  it('bad config.json fields are UserErrors naming the field', async () => {
    const files = tinyBertFiles();
    expect(
      await userError(loadModelFolder(memorySource(withConfig(files, { hidden_act: 'gelu_2' })))),
    ).toMatch(/my-model\/config\.json: field "hidden_act" is "gelu_2"/);
    expect(
      await userError(loadModelFolder(memorySource(withConfig(files, { num_attention_heads: 5 })))),
    ).toMatch(/field "hidden_size" \(32\) must be a multiple of "num_attention_heads" \(5\)/);
    expect(
      await userError(loadModelFolder(memorySource(withConfig(files, { model_type: 'roberta' })))),
    ).toMatch(/"model_type" is "roberta"/);
    const notJson = new Map(files).set(
      'config.json',
      new TextEncoder().encode('{"hidden_size": 32,'),
    );
    expect(await userError(loadModelFolder(memorySource(notJson)))).toMatch(
      /config\.json is not valid JSON/,
    );
  });

  it('checks every shape against config.json', async () => {
    const msg = await userError(
      loadModelFolder(memorySource(withConfig(tinyBertFiles(), { intermediate_size: 128 }))),
    );
    expect(msg).toBe(
      'my-model/model.safetensors: bert.encoder.layer.0.intermediate.dense.weight has shape [64, 32] but my-model/config.json (intermediate_size=128, hidden_size=32) needs [128, 32].',
    );
    const big = await userError(
      loadModelFolder(memorySource(withConfig(tinyBertFiles(), { vocab_size: 300 }))),
    );
    expect(big).toMatch(
      /bert\.embeddings\.word_embeddings\.weight has shape \[292, 32\] but .*\(vocab_size=300, hidden_size=32\) needs \[300, 32\]/,
    );
  });

  it('reports missing encoder weights; a missing pooler is initialised with a warning', async () => {
    const noKey = withTensors(tinyBertFiles(), (n, t) =>
      n.includes('layer.1.attention.self.key') ? null : [[n, t]],
    );
    expect(await userError(loadModelFolder(memorySource(noKey)))).toMatch(
      /lacks 2 BERT weights that .*: encoder\.layer\.1\.attention\.self\.key\.weight, encoder\.layer\.1\.attention\.self\.key\.bias/,
    );
    const noPooler = withTensors(tinyBertFiles(), (n, t) =>
      n.includes('pooler') ? null : [[n, t]],
    );
    const f = await loadModelFolder(memorySource(noPooler));
    expect(f.warnings[0]).toMatch(
      /has no pooler\.dense\.weight \/ pooler\.dense\.bias; the pooler was initialised randomly/,
    );
    expect(checkAgainstGolden(f)).toBeLessThan(1e-4); // mean pooling does not use the pooler
    release(f);
  });

  it('accepts names without bert. and legacy LayerNorm gamma/beta; refuses the same weight twice', async () => {
    const renamed = withTensors(tinyBertFiles(), (n, t) => [
      [
        n
          .replace(/^bert\./, '')
          .replace(/LayerNorm\.weight$/, 'LayerNorm.gamma')
          .replace(/LayerNorm\.bias$/, 'LayerNorm.beta'),
        t,
      ],
    ]);
    const f = await loadModelFolder(memorySource(renamed));
    expect(checkAgainstGolden(f)).toBeLessThan(1e-4);
    release(f);
    const twice = withTensors(tinyBertFiles(), (n, t) =>
      n === 'bert.pooler.dense.bias'
        ? [
            [n, t],
            ['pooler.dense.bias', t],
          ]
        : [[n, t]],
    );
    expect(await userError(loadModelFolder(memorySource(twice)))).toMatch(
      /"pooler\.dense\.bias" and "bert\.pooler\.dense\.bias" .*are the same weight/,
    );
  });

  it('keeps mlp.* / classifier.* tensors as heads and reports unknown ones', async () => {
    const extra = withTensors(tinyBertFiles(), (n, t) =>
      n === 'bert.pooler.dense.weight'
        ? [
            [n, t],
            ['mlp.dense.weight', t],
            ['classifier.weight', { shape: [3, 32], data: new Float32Array(96).fill(1) }],
            ['something.else', t],
          ]
        : [[n, t]],
    );
    const f = await loadModelFolder(memorySource(extra));
    expect([...f.heads.keys()].sort()).toEqual(['classifier.weight', 'mlp.dense.weight']);
    expect(f.heads.get('classifier.weight')!.shape).toEqual([32, 3]); // transposed to [in, out]
    expect(f.warnings.join(' ')).toMatch(/Ignored 1 unknown tensor\(s\): something\.else/);
    release(f);
  });

  it('a tokenizer larger than vocab_size is refused', async () => {
    const files = tinyBertFiles();
    const vocab = `${new TextDecoder().decode(files.get('vocab.txt')!)}extra1\nextra2\n`;
    const more = new Map(files).set('vocab.txt', new TextEncoder().encode(vocab));
    expect(await userError(loadModelFolder(memorySource(more)))).toMatch(
      /tokenizer has 294 tokens but config\.json's vocab_size is 292/,
    );
  });
});

describe('pickedFilesSource', () => {
  it('strips the picked folder name from relative paths; single picked files match by name', async () => {
    const files = tinyBertFiles();
    const folder = await loadModelFolder(memorySource(files)); // paths "my-model/…"
    expect(folder.pooling).toBe('mean'); // found 1_Pooling/config.json under the stripped root
    release(folder);
    const flat = pickedFilesSource(
      ['config.json', 'model.safetensors', 'vocab.txt'].map((name) => ({
        name,
        arrayBuffer: async () => files.get(name)!.slice().buffer,
      })),
    );
    expect(await flat.has?.('vocab.txt')).toBe(true);
    const f = await loadModelFolder(flat);
    expect(f.pooling).toBeNull(); // no 1_Pooling picked
    expect(checkAgainstGolden(f)).toBeLessThan(1e-4);
    release(f);
  });
});

describe('fetch sources over HTTP (a local server laid out like the Hub)', () => {
  let server: Server;
  let base = '';
  const requests: string[] = [];
  const files = tinyBertFiles();

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const url = req.url ?? ''; // not decoded: the revision's %2F must stay one path segment
      if (url.includes('gated/')) {
        res.writeHead(403).end();
        return;
      }
      const m = /^\/(?:org\/tiny|plain)\/(?:resolve\/[^/]+\/)?(.+)$/.exec(url);
      const bytes = m ? files.get(m[1]!) : undefined;
      if (!bytes) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-length': bytes.length });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const half = Math.floor(bytes.length / 2);
      res.write(bytes.subarray(0, half));
      setTimeout(() => res.end(bytes.subarray(half)), 5);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('hubSource reads {base}/{id}/resolve/{rev}/{file}, reports progress and fills the cache', async () => {
    const store = new Map<string, Uint8Array>();
    const cache: ByteCache = {
      get: async (k) => store.get(k),
      put: async (k, v) => {
        store.set(k, v);
      },
    };
    const progress: DownloadProgress[] = [];
    const source = hubSource('org/tiny', 'refs/pr/1', {
      base,
      cache,
      onProgress: (p) => progress.push(p),
    });
    expect(source.describe).toBe('the Hub model org/tiny@refs/pr/1');
    const f = await loadModelFolder(source);
    expect(checkAgainstGolden(f)).toBeLessThan(1e-4);
    release(f);
    expect(requests).toContain('GET /org/tiny/resolve/refs%2Fpr%2F1/model.safetensors');
    expect(requests).toContain('GET /org/tiny/resolve/refs%2Fpr%2F1/1_Pooling/config.json');
    const st = progress.filter((p) => p.file === 'model.safetensors');
    const size = files.get('model.safetensors')!.length;
    expect(st.at(-1)).toEqual({
      phase: 'download',
      file: 'model.safetensors',
      loaded: size,
      total: size,
    });
    expect(st.some((p) => p.loaded > 0 && p.loaded < size)).toBe(true); // streamed in chunks
    expect(store.get(`${base}/org/tiny/resolve/refs%2Fpr%2F1/model.safetensors`)).toEqual(
      files.get('model.safetensors'),
    );

    // Second load: everything present comes from the cache.
    const before = requests.filter((r) => r.includes('model.safetensors')).length;
    const again = await loadModelFolder(hubSource('org/tiny', 'refs/pr/1', { base, cache }));
    release(again);
    expect(requests.filter((r) => r.includes('model.safetensors')).length).toBe(before);
  });

  it('urlSource reads {base}/{file}; 404 is a missing file, 403 a UserError, a bad id a UserError', async () => {
    const f = await loadModelFolder(urlSource(`${base}/plain/`));
    expect(f.pooling).toBe('mean');
    release(f);
    expect(await urlSource(`${base}/plain`).read('nope.json')).toBeNull();
    expect(await userError(loadModelFolder(urlSource(`${base}/gated`)))).toMatch(
      /answered 403: the model is private or gated/,
    );
    expect(() => hubSource('../etc', 'main', { base })).toThrow(/is not a Hugging Face model id/);
    expect(await userError(urlSource('http://127.0.0.1:1/x').read('config.json'))).toMatch(
      /Could not download http:\/\/127\.0\.0\.1:1\/x\/config\.json/,
    );
  });
});
