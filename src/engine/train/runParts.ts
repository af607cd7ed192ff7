/**
 * What a run is made of, built from its config before the loop starts (trainer.ts): the backend,
 * the data, the encoder, the task and its batcher, the optimiser, the text views, the queue, the
 * step count and how many workers compute each step. And the host a run talks to.
 */
import { type BackendChoice, type BackendOptions, chooseBackend } from '../backend.ts';
import { runShapeOf } from '../backendProbe.ts';
import type { ExperimentConfig } from '../config/schema.ts';
import { parseExperiment } from '../config/validate.ts';
import { Batcher, type DataIO, type Dataset, type Example } from '../data/index.ts';
import type { Probe } from '../model/index.ts';
import { Rng } from '../rng.ts';
import * as tf from '../tf.ts';
import type { CheckpointStore } from './checkpoint.ts';
import { type EncoderBundle, type ModelIO, setupEncoder } from './encoderSetup.ts';
import type { TrainEvent } from './events.ts';
import { createOptimizer, type Optimizer } from './optim/optimizer.ts';
import { resolveWorkers } from './parallel/plan.ts';
import type { ReplicaHost } from './parallel/protocol.ts';
import { QueueState } from './queueState.ts';
import { loadRunData, withField } from './runData.ts';
import { probeLog, throttledProgress } from './runSetup.ts';
import { makeTask, type Task } from './tasks.ts';
import { TextViews } from './textViews.ts';

export interface TrainerHost {
  emit(event: TrainEvent): void;
  runId: string;
  /** Continue from the run's last checkpoint, when there is one. */
  resume?: boolean;
  backendOptions?: BackendOptions;
  io: DataIO & ModelIO;
  checkpoints?: CheckpointStore;
  /** Keep the backend already set (tests); otherwise config.backend is chosen. */
  keepBackend?: boolean;
  /** Observes what each training step feeds the encoder and the loss (tests; model/probe.ts). */
  probe?: Probe;
  /**
   * Sees every training batch as drawn, after the text views (EDA edits), before tokenising;
   * `step` is the number of updates already applied (bench/quality records the batches).
   */
  onBatch?: (step: number, segments: { texts: string[]; pairs?: string[] }[]) => void;
  /**
   * Where data-parallel replicas come from (Web Workers, worker_threads); absent: one worker.
   * `config.workers` says how many (null: one per core); the probe does not reach replicas.
   */
  replicas?: ReplicaHost;
}

export interface RunParts {
  config: ExperimentConfig;
  /** The host, with loading progress as throttled events where it had no listener of its own. */
  host: TrainerHost;
  backend: BackendChoice;
  bundle: EncoderBundle;
  /** The training set as loaded, and the examples the batcher draws from. */
  train: Dataset;
  examples: Example[];
  evalSet: Dataset | null;
  heldOut: string[];
  batcher: Batcher;
  optimizer: Optimizer;
  task: Task;
  textViews: TextViews;
  queue: QueueState | null;
  rng: Rng;
  totalSteps: number;
  /** Replicas computing each step (1: the trainer's thread alone). */
  workers: number;
}

/** Validates the config, picks the backend, loads the data and the encoder, builds the rest. */
export async function assembleRun(raw: unknown, given: TrainerHost): Promise<RunParts> {
  const config = parseExperiment(raw);
  const host: TrainerHost = given.io.onProgress
    ? given
    : { ...given, io: { ...given.io, onProgress: throttledProgress(given.emit) } };
  const backend = host.keepBackend
    ? { name: tf.getBackend() as BackendChoice['name'], reasons: [] }
    : await chooseBackend(config.backend, {
        ...host.backendOptions,
        // auto measures this run's own step on each backend that starts (backendProbe.ts).
        ...(config.backend === 'auto' ? { probeShape: () => runShapeOf(config, host.io) } : {}),
      });
  const probed = probeLog(backend);
  if (probed) host.emit(probed);

  const { train, evalSet, examples, heldOut, numLabels } = await loadRunData(config, host.io);
  const rng = new Rng(config.seed);
  const bundle = await withField('encoder.source', () =>
    setupEncoder(
      config,
      { ...host.io, onWarning: (message) => host.emit({ type: 'log', level: 'warn', message }) },
      numLabels,
      config.seed,
    ),
  );
  const task = makeTask(config);
  const batcher = new Batcher(examples, {
    batchSize: config.batchSize,
    seed: config.seed,
    shuffle: config.shuffle,
    dropDuplicatesInBatch: config.objective.kind === 'simcse-unsup',
    dropLast: true,
  });
  const perEpoch = Math.floor(examples.length / config.batchSize);
  const totalSteps = config.epochs
    ? Math.min(config.epochs * perEpoch, config.maxSteps ?? Number.POSITIVE_INFINITY)
    : (config.maxSteps as number);
  const optimizer = createOptimizer({
    kind: config.optimizer.kind,
    weightDecay: config.optimizer.weightDecay,
    ...(config.optimizer.kind === 'adafactor'
      ? { adafactor: { relativeStep: config.optimizer.lr === null } }
      : {}),
  });
  const textViews = await TextViews.create(config, host.io);
  const queue =
    config.objective.queue && config.objective.kind === 'simcse-unsup'
      ? QueueState.create(config.objective.queue, bundle, config)
      : null;
  const parallel = resolveWorkers(config, host.replicas, backend.name);
  for (const n of parallel.notes) host.emit({ type: 'log', ...n });
  return {
    config,
    host,
    backend,
    bundle,
    train,
    examples,
    evalSet,
    heldOut,
    batcher,
    optimizer,
    task,
    textViews,
    queue,
    rng,
    totalSteps,
    workers: parallel.workers,
  };
}
