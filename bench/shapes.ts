/**
 * What the benchmark measures: the two encoder shapes, the step (unsupervised SimCSE, batch 64,
 * AdamW) and the experiment config every host runs. Pure data: imported by the Node runner, the
 * browser driver and (through the request it builds) the Worker.
 */
import type { ExperimentInput } from '../src/engine/config/schema.ts';

export interface Shape {
  name: 'tiny' | 'mini';
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
}

/** bert-tiny and bert-mini (Turc et al., "Well-Read Students Learn Better"), vocab 30,522. */
export const SHAPES: Record<Shape['name'], Shape> = {
  tiny: { name: 'tiny', layers: 2, hidden: 128, heads: 2, intermediate: 512 },
  mini: { name: 'mini', layers: 4, hidden: 256, heads: 4, intermediate: 1024 },
};

export const VOCAB_SIZE = 30_522;
export const SEQ_LENGTH = 32;
/** Sentences per step; unsupervised SimCSE sends each twice, so 128 rows go through the encoder. */
export const BATCH_SIZE = 64;
export const TEMPERATURE = 0.05;
export const DROPOUT = 0.1;
export const LR = 3e-5;
/** AdamW with decay on all but biases and LayerNorm weights (the BERT recipe, both sides). */
export const WEIGHT_DECAY = 0.01;
/** Rows per forward pass when embedding STS-B dev (the engine's evaluation batch). */
export const EMBED_BATCH = 64;
/** Seed of the model init (both sides load the same folder) and of the batch order. */
export const SEED = 1234;

export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BenchBackend = (typeof BACKEND_ORDER)[number];

/**
 * The experiment the Trainer runs. `model` and `train` are where the host finds the model folder
 * and the training text (a path in Node, a URL in the browser).
 */
export function benchExperiment(
  backend: BenchBackend,
  sources: { model: string; train: string },
): ExperimentInput {
  return {
    seed: SEED,
    backend,
    encoder: {
      source: sources.model,
      pooling: 'cls',
      mlpHead: 'train-only',
      hiddenDropout: DROPOUT,
      attentionDropout: DROPOUT,
      maxLength: SEQ_LENGTH,
    },
    data: { train: { source: sources.train, kind: 'sentences' }, eval: null },
    augment: { dropout: true, eda: null, embedding: null },
    objective: { kind: 'simcse-unsup', temperature: TEMPERATURE },
    optimizer: { kind: 'adamw', lr: LR, weightDecay: WEIGHT_DECAY, schedule: 'constant' },
    batchSize: BATCH_SIZE,
    maxSteps: 100_000,
    // The bench drives trainStep() itself: no evaluation and no checkpoints inside the timings.
    evalEvery: 1_000_000,
    checkpointEvery: 1_000_000,
  };
}
