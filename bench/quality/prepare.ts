/**
 * Everything one (recipe, seed) run shares between the engine and PyTorch, in
 * bench/tmp/quality/<recipe>-s<seed>/:
 *  - start/        the start weights as a model folder (the engine's exporter; safetensors F32):
 *                  random init of the seed, or the pretrained encoder re-exported; both sides load it
 *  - batches.json  the token ids of every batch the Trainer will draw (a Trainer on the same config
 *                  draws them ahead through `nextBatch()`; the timed run checks it draws the same)
 *  - eval.json     STS-B dev / test pairs as token ids, gold scores, texts
 *  - job.json      the files above and the recipe's numbers for bench/reference/quality_train.py
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExperimentConfig, ExperimentInput } from '../../src/engine/config/schema.ts';
import { parseExperiment } from '../../src/engine/config/validate.ts';
import { type Dataset, loadDataset } from '../../src/engine/data/index.ts';
import { nodeDataIO } from '../../src/engine/node/fileIO.ts';
import { folderSource } from '../../src/engine/node/folderSource.ts';
import { setupEncoder } from '../../src/engine/train/encoderSetup.ts';
import { Trainer } from '../../src/engine/train/trainer.ts';
import { exportModelFolder } from '../../src/engine/weights/modelFolder.ts';
import { REPO_ROOT, TMP_DIR } from '../prepare.ts';
import {
  BETAS,
  dataSource,
  EPS,
  type Recipe,
  type RunShape,
  recipeConfig,
  WEIGHT_DECAY,
} from './recipes.ts';
import {
  type BatchesFile,
  batchKey,
  type DrawnSegments,
  type EvalFile,
  evalSetOf,
  recordStep,
  writeJson,
} from './record.ts';

export const QUALITY_TMP = join(TMP_DIR, 'quality');

export const nodeIO = () => ({
  ...nodeDataIO(REPO_ROOT),
  openModel: (source: string) => folderSource(source),
});

/** What the PyTorch reference trains with (bench/reference/quality_train.py reads `settings`). */
export interface JobFile {
  start: string;
  batches: string;
  eval: string;
  settings: {
    seed: number;
    steps: number;
    lr: number;
    warmupSteps: number;
    schedule: string;
    temperature: number;
    symmetric: boolean;
    hiddenDropout: number;
    attentionDropout: number;
    weightDecay: number;
    betas: [number, number];
    eps: number;
  };
}

export interface PreparedRun {
  recipe: Recipe;
  shape: RunShape;
  dir: string;
  /** The config the engine trains: the recipe's with encoder.source = the start folder. */
  config: ExperimentInput;
  /** batchKey of each recorded step, in order. */
  drawn: string[];
  jobFile: string;
  dev: Dataset;
  test: Dataset;
}

/**
 * Writes the start weights as a model folder: setupEncoder on the recipe's encoder (random init
 * of the seed for `builtin`), exported with the engine's exporter, mean pooling, no MLP.
 */
export async function writeStartFolder(config: ExperimentConfig, dir: string): Promise<void> {
  const bundle = await setupEncoder(config, nodeIO(), null, config.seed);
  try {
    const files = await exportModelFolder({
      model: bundle.model,
      tokenizer: bundle.tokenizer,
      pooling: 'mean',
      mlpHead: null,
      experimentConfig: { qualityBenchStart: config.encoder },
      metrics: {},
      baseModel: bundle.baseModel,
      maxSeqLength: config.encoder.maxLength,
      name: 'quality-bench-start',
    });
    rmSync(dir, { recursive: true, force: true });
    for (const [name, bytes] of files) {
      const p = join(dir, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, bytes);
    }
  } finally {
    bundle.model.dispose();
    bundle.mlp?.dispose();
    bundle.classifier?.dispose();
  }
}

/** The start folder of a recipe's encoder: one per seed for random init, one for a pretrained one. */
async function startFolder(config: ExperimentConfig): Promise<string> {
  const enc = config.encoder;
  const key =
    enc.source === 'builtin'
      ? `random-${enc.builtin.layers}x${enc.builtin.hidden}-s${config.seed}`
      : `from-${enc.source.replace(/[^\w.-]+/g, '_').slice(-80)}`;
  const dir = join(QUALITY_TMP, 'start', key);
  const stamp = JSON.stringify({ source: enc.source, builtin: enc.builtin, seed: config.seed });
  const stampFile = join(dir, 'bench-stamp.json');
  if (!(existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp)) {
    await writeStartFolder(config, dir);
    writeFileSync(stampFile, stamp);
  }
  return dir;
}

export async function prepareRun(recipe: Recipe, shape: RunShape): Promise<PreparedRun> {
  const dir = join(QUALITY_TMP, `${recipe.name}-s${shape.seed}`);
  mkdirSync(dir, { recursive: true });
  const raw = recipeConfig(recipe, shape);
  const start = await startFolder(parseExperiment(raw));
  const config: ExperimentInput = { ...raw, encoder: { ...raw.encoder, source: start } };

  // A Trainer on the very config the run trains draws the batches ahead (same Batcher, seed, EDA).
  const drawnSegments: DrawnSegments[] = [];
  const dry = await Trainer.create(config, {
    emit: () => {},
    runId: `quality-draw-${recipe.name}-${shape.seed}`,
    io: nodeIO(),
    keepBackend: true,
    onBatch: (_step, segments) => drawnSegments.push(segments),
  });
  const maxLength = dry.config.encoder.maxLength;
  const tokenizer = dry.bundle.tokenizer;
  for (let i = 0; i < shape.steps; i++) dry.nextBatch();
  const batches: BatchesFile = {
    maxLength,
    padId: tokenizer.padId,
    steps: drawnSegments.map((s) => recordStep(tokenizer, s, maxLength)),
  };
  const test = await loadDataset(
    {
      source: dataSource('stsb-test'),
      kind: 'sts',
      ...(shape.evalPairs ? { limit: shape.evalPairs } : {}),
    },
    nodeIO(),
  );
  if (!dry.evalSet) throw new Error('the recipe has no eval set');
  const evalFile: EvalFile = {
    padId: tokenizer.padId,
    maxLength,
    sets: {
      dev: evalSetOf(tokenizer, dry.evalSet, maxLength),
      test: evalSetOf(tokenizer, test, maxLength),
    },
  };
  const c = dry.config;
  const dev = dry.evalSet;
  dry.dispose();

  const files = {
    start,
    batches: join(dir, 'batches.json'),
    eval: join(dir, 'eval.json'),
  };
  writeJson(files.batches, batches);
  writeJson(files.eval, evalFile);
  const job: JobFile = {
    ...files,
    settings: {
      seed: shape.seed,
      steps: shape.steps,
      lr: c.optimizer.lr ?? 0,
      warmupSteps: c.optimizer.warmupSteps,
      schedule: c.optimizer.schedule,
      temperature: c.objective.temperature,
      symmetric: c.objective.symmetric,
      hiddenDropout: c.augment.dropout ? c.encoder.hiddenDropout : 0,
      attentionDropout: c.augment.dropout ? c.encoder.attentionDropout : 0,
      weightDecay: WEIGHT_DECAY,
      betas: BETAS,
      eps: EPS,
    },
  };
  const jobFile = join(dir, 'job.json');
  writeFileSync(jobFile, `${JSON.stringify(job, null, 1)}\n`);
  return { recipe, shape, dir, config, drawn: drawnSegments.map(batchKey), jobFile, dev, test };
}
