/**
 * A checkpoint is everything needed to continue a run exactly: weights, optimiser state, step,
 * RNG and batcher state, and the metrics so far. Plain typed arrays and JSON only, so it can be
 * stored in IndexedDB (structured clone) or written to a folder by the CLI.
 */

import type { EvalEvent, StepEvent } from './events.ts';
import type { OptimizerState } from './optim/optimizer.ts';

export interface TensorRecord {
  shape: number[];
  data: Float32Array;
}

export interface Checkpoint {
  version: 1;
  runId: string;
  step: number;
  /** The resolved experiment config the run uses. */
  config: unknown;
  weights: Record<string, TensorRecord>;
  optimizer: OptimizerState;
  /** State of the run's Rng (views, dropout seeds). */
  rng: number;
  batcher: unknown;
  /** Negative queue (ESimCSE/MoCo) contents, when the objective keeps one. */
  queue?: TensorRecord | null;
  metrics: { steps: StepEvent[]; evals: EvalEvent[] };
  savedAt: string;
}

export interface CheckpointStore {
  save(runId: string, ckpt: Checkpoint): Promise<void>;
  load(runId: string): Promise<Checkpoint | null>;
  remove(runId: string): Promise<void>;
}
