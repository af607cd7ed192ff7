/**
 * Inputs every host of the benchmark shares (Node only):
 *  - a model folder per shape in bench/tmp/models/<shape>/: a random BERT (BERT's init, seed
 *    SEED) with the real bert-base-uncased vocabulary (30,522 tokens), written by the engine's own
 *    exporter, so TF.js (Node and browser) and PyTorch start from the very same weights;
 *  - the STS-B dev sentences (3,000) that are embedded;
 *  - bench/tmp/batches.json: the token ids of the training batches the Trainer draws (same data,
 *    same Batcher, same seed) and of the embedding batches, so PyTorch runs the same shapes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Batcher, loadDataset } from '../src/engine/data/index.ts';
import { BertModel, builtinBertConfig, MlpHead } from '../src/engine/model/index.ts';
import { folderSource } from '../src/engine/node/folderSource.ts';
import * as tf from '../src/engine/tf.ts';
import { BertTokenizer } from '../src/engine/tokenizer/index.ts';
import { tokeniseSegments } from '../src/engine/train/encodeRows.ts';
import { Trainer } from '../src/engine/train/trainer.ts';
import { exportModelFolder } from '../src/engine/weights/modelFolder.ts';
import {
  BATCH_SIZE,
  benchExperiment,
  EMBED_BATCH,
  SEED,
  SEQ_LENGTH,
  type Shape,
  VOCAB_SIZE,
} from './shapes.ts';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(BENCH_DIR, '..');
export const TMP_DIR = join(BENCH_DIR, 'tmp');
export const SHARED_DATA = join(REPO_ROOT, '..', 'shared', 'data');
export const VOCAB_FILE = join(SHARED_DATA, 'bert-vocab', 'bert-base-uncased-vocab.txt');
export const TRAIN_FILE = join(SHARED_DATA, 'wiki1m-subset', 'wiki1m_head.txt');
export const STSB_DEV = join(SHARED_DATA, 'stsb', 'dev.tsv');
export const BATCHES_FILE = join(TMP_DIR, 'batches.json');

export function modelDir(shape: Shape): string {
  return join(TMP_DIR, 'models', shape.name);
}

/** Writes the shape's model folder unless an identical one is there. Returns its path. */
export async function ensureModelFolder(shape: Shape): Promise<string> {
  const dir = modelDir(shape);
  const stamp = JSON.stringify({ ...shape, vocab: VOCAB_SIZE, seed: SEED, format: 1 });
  const stampFile = join(dir, 'bench-stamp.json');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return dir;
  for (const f of [VOCAB_FILE, TRAIN_FILE, STSB_DEV]) {
    if (!existsSync(f))
      throw new Error(
        `${f} is missing; the benchmark reads the shared data (see ../shared/data/SOURCES.md).`,
      );
  }
  await tf.setBackend('cpu');
  const tokenizer = BertTokenizer.fromVocab(readFileSync(VOCAB_FILE, 'utf8'), {
    do_lower_case: true,
    model_max_length: 512,
  });
  if (tokenizer.vocabSize !== VOCAB_SIZE)
    throw new Error(`vocab has ${tokenizer.vocabSize} tokens, expected ${VOCAB_SIZE}`);
  const config = builtinBertConfig({
    layers: shape.layers,
    hidden: shape.hidden,
    heads: shape.heads,
    intermediate: shape.intermediate,
    maxLength: 512,
    vocabSize: VOCAB_SIZE,
  });
  const model = BertModel.random(config, SEED);
  const mlp = MlpHead.random(shape.hidden, SEED + 1);
  const files = await exportModelFolder({
    model,
    tokenizer,
    pooling: 'cls',
    mlpHead: mlp,
    experimentConfig: { bench: shape },
    metrics: {},
    baseModel: `random init (seed ${SEED}) for the benchmark`,
    name: `bench-${shape.name}`,
  });
  model.dispose();
  mlp.dispose();
  for (const [name, bytes] of files) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, bytes);
  }
  writeFileSync(stampFile, stamp);
  return dir;
}

/** STS-B dev's sentences, first sentence of each pair then the second (3,000), as the engine reads them. */
export async function stsbSentences(): Promise<string[]> {
  const ds = await loadDataset(
    { source: STSB_DEV, kind: 'sts' },
    { openFile: async (p: string) => new Uint8Array(readFileSync(p)) },
  );
  return [...ds.examples.map((e) => e.text), ...ds.examples.map((e) => e.text2 ?? '')];
}

export interface TokenBatch {
  length: number;
  /** [rows × length] row-major. */
  inputIds: number[];
  attentionMask: number[];
}

export interface BatchesFile {
  seqLength: number;
  /** Training batches of BATCH_SIZE sentences (PyTorch feeds each twice, as SimCSE does). */
  train: TokenBatch[];
  /** The embedding batches of STS-B dev, EMBED_BATCH sentences each. */
  embed: TokenBatch[];
}

/**
 * Token ids of the first `count` training batches the Trainer draws (its Batcher, data and seed)
 * and of the embedding batches. The tokenizer is the model folder's (the same for all shapes).
 */
export async function writeBatches(
  shape: Shape,
  count: number,
  embedTexts: string[],
): Promise<BatchesFile> {
  const dir = await ensureModelFolder(shape);
  const config = benchExperiment('cpu', { model: dir, train: TRAIN_FILE });
  await tf.setBackend('cpu');
  const io = {
    openFile: async (p: string) => new Uint8Array(readFileSync(p)),
    openModel: (p: string) => folderSource(p),
  };
  // The Trainer itself, so its hold-out and cleaning apply; a fresh Batcher with its options
  // then draws the same batches the timed run trains on.
  const trainer = await Trainer.create(config, {
    runId: 'bench-batches',
    io,
    keepBackend: true,
    emit: () => {},
  });
  const { bundle } = trainer;
  const batcher = new Batcher(trainer.train.examples, {
    batchSize: BATCH_SIZE,
    seed: SEED,
    shuffle: true,
    dropDuplicatesInBatch: true,
    dropLast: true,
  });
  const toBatch = (texts: string[]): TokenBatch => {
    const tok = tokeniseSegments(bundle, [{ texts, view: 0 }], SEQ_LENGTH);
    return {
      length: tok.length,
      inputIds: [...tok.inputIds],
      attentionMask: [...tok.attentionMask],
    };
  };
  const trainBatches: TokenBatch[] = [];
  for (let i = 0; i < count; i++)
    trainBatches.push(toBatch(batcher.next().examples.map((e) => e.text)));
  const embed: TokenBatch[] = [];
  for (let i = 0; i < embedTexts.length; i += EMBED_BATCH)
    embed.push(toBatch(embedTexts.slice(i, i + EMBED_BATCH)));
  trainer.dispose();
  const out: BatchesFile = { seqLength: SEQ_LENGTH, train: trainBatches, embed };
  mkdirSync(TMP_DIR, { recursive: true });
  writeFileSync(BATCHES_FILE, JSON.stringify(out));
  return out;
}
