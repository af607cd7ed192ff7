/**
 * The training loop, the same in the browser Worker and in Node: the schedule, evaluation,
 * checkpoints and events; pause / resume / single step / stop between steps. Each step draws a
 * batch and its text views here, and step.ts turns it into gradients (one tape, or GradCache
 * chunks) and the optimiser update; with K workers, K replicas compute the gradients
 * (parallel/) and the loop does not otherwise change.
 */

import type { EmbeddingViewPass } from '../augment/consert.ts';
import type { BackendChoice } from '../backend.ts';
import type { ExperimentConfig } from '../config/schema.ts';
import type { Dataset } from '../data/index.ts';
import * as tf from '../tf.ts';
import { exportModelFolder } from '../weights/modelFolder.ts';
import { BatchDraws, type DrawnBatch } from './batchDraws.ts';
import type { Checkpoint } from './checkpoint.ts';
import { representation } from './encodeRows.ts';
import type { EncoderBundle } from './encoderSetup.ts';
import { evaluate } from './evaluate.ts';
import type { EvalEvent, StepEvent } from './events.ts';
import { describeError, divergenceEvent, failureEvent } from './failures.ts';
import type { GradResult } from './gradCache.ts';
import type { Optimizer } from './optim/optimizer.ts';
import { learningRateAt } from './optim/schedule.ts';
import type { ReplicaPool } from './parallel/pool.ts';
import type { PoolTimings } from './parallel/protocol.ts';
import type { QueueState } from './queueState.ts';
import { RunModel } from './runModel.ts';
import { assembleRun, type RunParts, type TrainerHost } from './runParts.ts';
import { exportMetrics, readyEvent } from './runSetup.ts';
import { applyUpdate, batchGradients, planChunks, tokeniseChunks } from './step.ts';
import type { Task, TaskBatch } from './tasks.ts';
import { yieldToEventLoop } from './yield.ts';

export { explainRuntimeFailure } from './failures.ts';
export type { TrainerHost } from './runParts.ts';

type RunState = 'running' | 'paused' | 'stopped' | 'finished' | 'failed';

export class Trainer {
  step = 0;
  /** Resolves when run() has returned. */
  finished: Promise<void>;
  readonly stepEvents: Omit<StepEvent, 'type'>[] = [];
  readonly evalEvents: Omit<EvalEvent, 'type'>[] = [];

  private state: RunState = 'running';
  private wake: (() => void) | null = null;
  private singleStep = false;
  private resolveFinished!: () => void;
  private readonly t0 = Date.now();
  /** The encoder and heads, and where their current weights are (runModel.ts). */
  private readonly model: RunModel;

  readonly config: ExperimentConfig;
  readonly backend: BackendChoice;
  readonly train: Dataset;
  readonly evalSet: Dataset | null;
  readonly heldOut: string[];
  readonly totalSteps: number;
  private readonly host: TrainerHost;
  private readonly draws: BatchDraws;
  /** While the replicas shard Adam, theirs (parallel/handover.ts). */
  private optimizer: Optimizer;
  private readonly task: Task;
  private readonly queue: QueueState | null;
  /** Replicas computing each step (1: this thread alone). */
  private replicaCount: number;

  private constructor(p: RunParts) {
    this.config = p.config;
    this.host = p.host;
    this.backend = p.backend;
    this.train = { ...p.train, examples: p.examples };
    this.evalSet = p.evalSet;
    this.heldOut = p.heldOut;
    this.draws = new BatchDraws(p.rng, p.batcher, p.task, p.textViews);
    this.optimizer = p.optimizer;
    this.task = p.task;
    this.queue = p.queue;
    this.totalSteps = p.totalSteps;
    this.replicaCount = p.workers;
    this.model = new RunModel(p.bundle, p.task, p.config);
    this.finished = new Promise((r) => {
      this.resolveFinished = r;
    });
  }

  /** Validates the config, picks the backend, loads data and the encoder, restores a checkpoint. */
  static async create(raw: unknown, given: TrainerHost): Promise<Trainer> {
    const t0 = Date.now();
    given.emit({ type: 'state', state: 'loading', step: 0 });
    const parts = await assembleRun(raw, given);
    const { config, host, backend, train, examples, evalSet, heldOut, totalSteps } = parts;
    const trainer = new Trainer(parts);
    if (host.resume && host.checkpoints) {
      const ckpt = await host.checkpoints.load(host.runId);
      if (ckpt) await trainer.restore(ckpt);
    }
    try {
      await trainer.replicaPool();
    } catch (e) {
      // Workers that exist but do not start (a blocked script, a backend that fails in them).
      host.emit({
        type: 'log',
        level: 'warn',
        message: `The ${trainer.workers} replicas did not start (${describeError(e)}). Training on one worker.`,
      });
      trainer.replicaCount = 1;
    }
    const { parameters } = trainer.model;
    host.emit(
      readyEvent({
        config,
        backend,
        train,
        trainExamples: examples.length,
        evalExamples: evalSet?.examples.length ?? heldOut.length,
        heldOut: heldOut.length,
        parameters,
        totalSteps,
        startStep: trainer.step,
        setupMs: Date.now() - t0,
      }),
    );
    return trainer;
  }

  /**
   * The encoder, its tokenizer and heads, holding the run's current weights (runModel.ts: in a
   * data-parallel run the replicas' last update taken back first). Throws, with the reason,
   * where replicas that failed mid-update left the weights in memory incomplete.
   */
  get bundle(): EncoderBundle {
    return this.model.bundle;
  }

  /**
   * `bundle` once no data-parallel step is in flight: for readers that may come in the middle of
   * one (the Worker's export and embedding requests arrive while a run trains).
   */
  currentBundle(): Promise<EncoderBundle> {
    return this.model.currentBundle();
  }

  // ---- control (between steps) ----

  pause(): void {
    if (this.state === 'running') {
      this.state = 'paused';
    }
  }

  resume(): void {
    if (this.state === 'paused') {
      this.state = 'running';
      this.wake?.();
    }
  }

  /** While paused: run exactly one step, then stay paused. */
  stepOnce(): void {
    if (this.state === 'paused') {
      this.singleStep = true;
      this.wake?.();
    }
  }

  stop(): void {
    if (this.state === 'running' || this.state === 'paused') {
      this.state = 'stopped';
      this.wake?.();
    }
  }

  private emitState(): void {
    const state = this.state;
    this.host.emit({ type: 'state', state, step: this.step });
  }

  /** Runs until the step budget, a stop, or a failure. Never throws: failures become events. */
  async run(): Promise<void> {
    this.emitState();
    let announcedPause = false;
    try {
      // The untrained start is the first point of every curve (and its baselines): evaluate
      // before step 1, unless this run resumed past step 0.
      if (this.step === 0 && !this.evalEvents.some((e) => e.step === 0))
        await this.runEval({ baselines: true });
      while (this.step < this.totalSteps) {
        if (this.state === 'stopped') break;
        if (this.state === 'paused' && !this.singleStep) {
          if (!announcedPause) {
            announcedPause = true;
            this.emitState();
            await this.saveCheckpoint();
          }
          await new Promise<void>((r) => {
            this.wake = r;
          });
          this.wake = null;
          if ((this.state as RunState) === 'running') {
            announcedPause = false;
            this.emitState();
          }
          continue;
        }
        const single = this.singleStep;
        this.singleStep = false;
        const ok = await this.trainStep();
        if (!ok) {
          this.state = 'failed';
          break;
        }
        if (this.step % this.config.evalEvery === 0 || this.step === this.totalSteps)
          await this.runEval();
        if (this.step % this.config.checkpointEvery === 0) await this.saveCheckpoint();
        if (single) this.host.emit({ type: 'state', state: 'paused', step: this.step });
        await yieldToEventLoop();
      }
      if (this.state === 'running' || this.state === 'paused') this.state = 'finished';
      if (this.state !== 'failed') await this.saveCheckpoint();
    } catch (e) {
      this.state = 'failed';
      this.host.emit(failureEvent(e, this.step, this.lastCheckpointStep));
    }
    await this.stopReplicas();
    this.emitState();
    this.host.emit({
      type: 'done',
      step: this.step,
      reason:
        this.state === 'failed' ? 'failed' : this.state === 'stopped' ? 'stopped' : 'finished',
    });
    this.resolveFinished();
  }

  // ---- one step (the step itself is step.ts; here the loop's side of it) ----

  /**
   * Gradients for one batch (one tape, or GradCache chunks), without applying them. Gradients are
   * keyed by tf.Variable name. `fullBatchReference` runs the same chunks (same dropout masks) under
   * one tape instead of GradCache: the exact full-batch gradient GradCache must reproduce.
   */
  computeGradients(
    batch: TaskBatch,
    stepSeed: number,
    passes: EmbeddingViewPass[],
    fullBatchReference = false,
  ): GradResult {
    const plan = planChunks(this.config, batch.size);
    const toks = tokeniseChunks(this.bundle, this.config, batch, plan);
    const probe = this.host.probe;
    return batchGradients(this.model.stepModel, { batch, stepSeed, plan, toks }, passes, {
      queue: this.queue?.tensor() ?? null,
      ...(this.queue ? { onSegments: (segs: tf.Tensor2D[]) => this.queue!.capture(segs) } : {}),
      ...(probe ? { probe } : {}),
      fullBatchReference,
    });
  }

  /** This step's batch and its views (batchDraws.ts: advances the RNG and the batcher). */
  nextBatch(): DrawnBatch {
    const drawn = this.draws.next();
    this.host.onBatch?.(this.step, drawn.batch.segments);
    return drawn;
  }

  /** One optimisation step; false when it diverged (NaN/Inf) and the run must stop. */
  async trainStep(): Promise<boolean> {
    const t0 = performance.now();
    const cfg = this.config;
    const { batch, stepSeed, examples, epoch } = this.nextBatch();
    const pool = await this.replicaPool();
    const lr = learningRateAt(this.step, {
      lr: cfg.optimizer.lr ?? 0,
      warmupSteps: cfg.optimizer.warmupSteps,
      schedule: cfg.optimizer.schedule,
      totalSteps: this.totalSteps,
    });
    let r: { loss: number; gradNorm: number; applied: boolean };
    if (pool) {
      // The replicas tokenise this step's batch, and the next one's while they wait.
      const next = this.step + 1 < this.totalSteps ? this.draws.peek().batch : null;
      r = await this.model.replicaStep(pool, { batch, stepSeed, next }, lr, this.optimizer);
    } else {
      const passes: EmbeddingViewPass[] = [];
      const raw = this.computeGradients(batch, stepSeed, passes);
      for (const p of passes) p.dispose();
      r = await applyUpdate(raw, this.model.vars, this.optimizer, cfg.optimizer.clipNorm, lr);
    }
    if (r.applied) {
      this.queue?.afterStep(this.bundle, examples);
      this.step++;
      const mem = tf.memory();
      const stepMs = performance.now() - t0;
      const ev: StepEvent = {
        type: 'step',
        step: this.step,
        epoch,
        loss: r.loss,
        lr,
        gradNorm: r.gradNorm,
        sentencesPerSec: (batch.size * 1000) / stepMs,
        stepMs,
        elapsedMs: Date.now() - this.t0,
        tensors: mem.numTensors,
        bytes: mem.numBytes,
      };
      const { type: _t, ...point } = ev;
      this.stepEvents.push(point);
      this.host.emit(ev);
    } else {
      this.host.emit(divergenceEvent(this.step + 1, r, this.lastCheckpointStep));
    }
    this.queue?.releaseCapture();
    return r.applied;
  }

  private lastCheckpointStep = 0;

  /** Evaluates now; `baselines` adds the lexical baselines on an STS set (the step-0 eval). */
  async runEval(opts: { baselines?: boolean } = {}): Promise<void> {
    const ev = await evaluate({
      bundle: this.bundle,
      config: this.config,
      evalSet: this.evalSet,
      heldOut: this.heldOut,
      step: this.step,
      contrastive: this.task.contrastive,
      ...(opts.baselines ? { baselines: true } : {}),
    });
    const { type: _t, step: _s, ...measured } = ev;
    if (Object.keys(measured).length === 0) return; // nothing to evaluate on (tiny data, no eval set)
    const { type: _t2, ...point } = ev;
    this.evalEvents.push(point);
    this.host.emit(ev);
  }

  // ---- checkpoints ----

  async checkpoint(): Promise<Checkpoint> {
    const weights = await this.model.weightRecords();
    return {
      version: 1,
      runId: this.host.runId,
      step: this.step,
      config: this.config,
      weights,
      optimizer: await this.optimizer.getState(),
      ...this.draws.state(),
      queue: this.queue ? await this.queue.record() : null,
      metrics: {
        steps: this.stepEvents.map((s) => ({ type: 'step', ...s })),
        evals: this.evalEvents.map((e) => ({ type: 'eval', ...e })),
      },
      savedAt: new Date().toISOString(),
    };
  }

  async saveCheckpoint(): Promise<void> {
    if (!this.host.checkpoints || this.step === this.lastCheckpointStep) return;
    try {
      await this.host.checkpoints.save(this.host.runId, await this.checkpoint());
      this.lastCheckpointStep = this.step;
      this.host.emit({ type: 'checkpoint', step: this.step });
    } catch (e) {
      this.host.emit({
        type: 'log',
        level: 'warn',
        message: `Checkpoint at step ${this.step} was not saved: ${describeError(e)}`,
      });
    }
  }

  async restore(ckpt: Checkpoint): Promise<void> {
    await this.model.restoreWeights(ckpt.weights);
    this.optimizer.setState(ckpt.optimizer);
    this.draws.restore(ckpt.rng, ckpt.batcher);
    this.queue?.restore(ckpt.queue ?? null, this.bundle);
    this.step = ckpt.step;
    this.lastCheckpointStep = ckpt.step;
    this.stepEvents.push(...ckpt.metrics.steps.map(({ type: _t, ...s }) => s));
    this.evalEvents.push(...ckpt.metrics.evals.map(({ type: _t, ...e }) => e));
    this.host.emit({
      type: 'log',
      level: 'info',
      message: `Resumed from the checkpoint at step ${ckpt.step}.`,
    });
  }

  // ---- export ----

  async exportModel(): Promise<Map<string, Uint8Array>> {
    const metrics = exportMetrics(this.step, this.stepEvents, this.evalEvents);
    const rep = representation(this.config, 'eval', this.task.contrastive);
    const bundle = await this.currentBundle();
    return exportModelFolder({
      model: bundle.model,
      tokenizer: bundle.tokenizer,
      pooling: rep.pooling,
      mlpHead: rep.useMlp ? bundle.mlp : null,
      experimentConfig: this.config,
      metrics,
      baseModel: bundle.baseModel,
      maxSeqLength: this.config.encoder.maxLength,
    });
  }

  // ---- replicas ----

  /** Replicas computing each step (1: this thread alone). */
  get workers(): number {
    return this.replicaCount;
  }

  /** The run's replicas, started on first use (null with one worker). */
  private async replicaPool(): Promise<ReplicaPool | null> {
    const got = await this.model.replicaPool(
      this.replicaCount,
      this.host,
      this.backend,
      this.optimizer,
    );
    if (!got) return null;
    this.optimizer = got.optimizer;
    return got.pool;
  }

  /** Where the last data-parallel step's time went (null with one worker). */
  get parallelTimings(): PoolTimings | null {
    return this.model.parallelTimings;
  }

  /**
   * Stops the replicas; the variables take their last update and the moments they held go back
   * to the plain optimiser.
   */
  private async stopReplicas(): Promise<void> {
    const { optimizer, lost } = await this.model.stopReplicas(this.optimizer);
    this.optimizer = optimizer;
    if (lost) this.host.emit({ type: 'log', level: 'warn', message: `${lost.message}.` });
  }

  dispose(): void {
    this.optimizer.dispose();
    this.queue?.dispose();
    this.model.dispose();
  }
}
