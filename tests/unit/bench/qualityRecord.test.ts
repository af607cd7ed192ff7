/**
 * The quality benchmark's recorded batches (bench/quality/record.ts): what PyTorch trains on must be
 * the token ids of the very batches the engine's Trainer trains on.
 *  - the ids written and read back equal the tokenizer's ids for the drawn texts, and the unpadded
 *    rows of `tokeniseSegments` (the Trainer's own tokenising before the encoder);
 *  - the texts are the views after EDA edits (some differ from the data set's sentences);
 *  - a second Trainer on the same config, really training, draws the same batches (the bench draws
 *    them ahead so PyTorch can run beside the engine).
 * Exact equality throughout: these are integers and strings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  batchKey,
  type DrawnSegments,
  readBatchesFile,
  recordStep,
  writeJson,
} from '../../../bench/quality/record.ts';
import type { ExperimentInput } from '../../../src/engine/config/schema.ts';
import { installNodeAssetLoader } from '../../../src/engine/node/assets.ts';
import { nodeDataIO } from '../../../src/engine/node/fileIO.ts';
import { folderSource } from '../../../src/engine/node/folderSource.ts';
import * as tf from '../../../src/engine/tf.ts';
import { tokeniseSegments } from '../../../src/engine/train/encodeRows.ts';
import { Trainer } from '../../../src/engine/train/trainer.ts';
import { REPO_ROOT } from '../../helpers/paths.ts';

const STEPS = 3;
const CONFIG: ExperimentInput = {
  seed: 5,
  backend: 'cpu',
  encoder: {
    builtin: { layers: 1, hidden: 32, heads: 2, intermediate: 64 },
    pooling: 'mean',
    mlpHead: 'none',
    maxLength: 16,
  },
  data: { train: { source: 'builtin:default', kind: 'sentences', limit: 400 } },
  augment: { dropout: false, eda: {} },
  objective: { kind: 'simcse-unsup', symmetric: true },
  optimizer: { kind: 'adamw', lr: 1e-3 },
  batchSize: 8,
  maxSteps: STEPS,
  evalEvery: 1000,
  checkpointEvery: 1000,
};

async function trainer(onBatch: (segments: DrawnSegments) => void): Promise<Trainer> {
  installNodeAssetLoader();
  await tf.setBackend('cpu');
  return Trainer.create(CONFIG, {
    emit: () => {},
    runId: 'quality-record',
    io: { ...nodeDataIO(REPO_ROOT), openModel: (s: string) => folderSource(resolve(REPO_ROOT, s)) },
    keepBackend: true,
    onBatch: (_step, segments) => onBatch(segments),
  });
}

/** Rows of a padded [rows, L] batch without their padding (mask 0). */
function unpadded(ids: Int32Array, mask: Int32Array, rows: number, length: number): number[][] {
  return Array.from({ length: rows }, (_, r) => {
    const out: number[] = [];
    for (let j = 0; j < length; j++) if (mask[r * length + j]) out.push(ids[r * length + j]!);
    return out;
  });
}

describe('quality bench: recorded batches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quality-record-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the token ids of the drawn (EDA-edited) batches, and a training run draws the same', async () => {
    const drawn: DrawnSegments[] = [];
    const dry = await trainer((s) => drawn.push(s));
    const maxLength = dry.config.encoder.maxLength;
    const tokenizer = dry.bundle.tokenizer;
    const sources: string[][] = [];
    for (let i = 0; i < STEPS; i++) sources.push(dry.nextBatch().examples.map((e) => e.text));
    expect(drawn).toHaveLength(STEPS);

    const file = join(dir, 'batches.json');
    writeJson(file, {
      maxLength,
      padId: tokenizer.padId,
      steps: drawn.map((s) => recordStep(tokenizer, s, maxLength)),
    });
    const back = readBatchesFile(file);
    expect(back.padId).toBe(tokenizer.padId);
    expect(back.steps).toHaveLength(STEPS);
    let edited = 0;
    back.steps.forEach((step, k) => {
      const segs = drawn[k]!;
      expect(step.segments).toHaveLength(2); // two views of unsupervised SimCSE
      const tok = tokeniseSegments(
        dry.bundle,
        segs.map((s, i) => ({ texts: s.texts, view: (i + 1) as 1 | 2 })),
        maxLength,
      );
      const trainerRows = unpadded(tok.inputIds, tok.attentionMask, tok.rows, tok.length);
      step.segments.forEach((rows, s) => {
        const texts = segs[s]!.texts;
        expect(rows).toEqual(texts.map((t) => tokenizer.encode(t, undefined, maxLength).ids));
        expect(rows).toEqual(trainerRows.slice(s * texts.length, (s + 1) * texts.length));
        edited += texts.filter((t, i) => t !== sources[k]![i]).length;
      });
    });
    expect(edited).toBeGreaterThan(0); // EDA edits are in what was recorded
    dry.dispose();

    const seen: string[] = [];
    const live = await trainer((s) => seen.push(batchKey(s)));
    for (let i = 0; i < STEPS; i++) expect(await live.trainStep()).toBe(true);
    expect(seen).toEqual(drawn.map(batchKey));
    live.dispose();
  });
});
