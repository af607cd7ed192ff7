/**
 * The committed built-in encoder `builtin:bert-tiny-en` embeds as its safetensors say: the same
 * sentences through the engine (opened by its source id, as `cplay embed --model
 * builtin:bert-tiny-en` and `encoder.source` do) and through an independent plain-torch BERT
 * (tests/fixtures/model/make_bert_tiny_en.py, golden bert_tiny_en.json).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedSentences, openModel } from '../../../cli/commands/common.ts';
import * as tf from '../../../src/engine/tf.ts';
import { FIXTURES, REPO_ROOT } from '../../helpers/paths.ts';

interface Golden {
  safetensorsSha256: string;
  maxLength: number;
  sentences: string[];
  ids: number[][];
  embeddings: number[][];
  pairCosines: number[];
}

const golden = JSON.parse(
  readFileSync(join(FIXTURES, 'model', 'bert_tiny_en.json'), 'utf8'),
) as Golden;
const FOLDER = join(REPO_ROOT, 'public', 'builtin', 'models', 'bert-tiny-en');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('builtin:bert-tiny-en', () => {
  it('is the folder the goldens were made from (sha256 of model.safetensors)', () => {
    const sha = createHash('sha256')
      .update(readFileSync(join(FOLDER, 'model.safetensors')))
      .digest('hex');
    expect(sha).toBe(golden.safetensorsSha256);
  });

  it('tokenises and mean-pools STS-B dev sentences as the PyTorch reference does', async () => {
    const folder = await openModel('builtin:bert-tiny-en');
    try {
      expect(folder.config.hidden_size).toBe(128);
      expect(folder.config.num_hidden_layers).toBe(2);
      const ids = golden.sentences.map(
        (s) => folder.tokenizer.encode(s, undefined, golden.maxLength).ids,
      );
      expect(ids).toEqual(golden.ids);
      const { data, dim } = await embedSentences(folder.model, folder.tokenizer, golden.sentences, {
        pooling: 'mean',
        maxLength: golden.maxLength,
        batchSize: 8,
      });
      // Mean-pooled embeddings: float32 in both, different summation order → within 1e-4.
      let worst = 0;
      golden.embeddings.forEach((row, i) => {
        row.forEach((v, k) => {
          worst = Math.max(worst, Math.abs(v - data[i * dim + k]!));
        });
      });
      expect(worst).toBeLessThan(1e-4);
      // And the pair cosines an STS evaluation ranks (within 1e-5).
      const n = golden.pairCosines.length;
      golden.pairCosines.forEach((c, i) => {
        let ab = 0;
        let aa = 0;
        let bb = 0;
        for (let k = 0; k < dim; k++) {
          const a = data[i * dim + k]!;
          const b = data[(n + i) * dim + k]!;
          ab += a * b;
          aa += a * a;
          bb += b * b;
        }
        expect(Math.abs(ab / Math.sqrt(aa * bb) - c)).toBeLessThan(1e-5);
      });
    } finally {
      folder.model.dispose();
      tf.dispose([...folder.heads.values()]);
    }
  });
});
