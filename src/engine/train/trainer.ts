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
import { isUserError } from '../errors.ts';
import * as tf from '../tf.ts';
import { exportModelFolder } from '../weights/modelFolder.ts';
import { BatchDraws, type DrawnBatch } from './batchDraws.ts';
import type { Checkpoint, TensorRecord } from './checkpoint.ts';
import { representation } from './encodeRows.ts';
import type { EncoderBundle } from './encoderSetup.ts';
import { evaluate } from './evaluate.ts';
import type { EvalEvent, StepEvent } from './events.ts';
import { describeError, explainRuntimeFailure } from './failures.ts';
import type { GradResult } from './gradCache.ts';
import type { Optimizer } from './optim/optimizer.ts';
import { learningRateAt } from './optim/schedule.ts';
import { ReplicaHandover } from './parallel/handover.ts';
import type { ReplicaPool } from './parallel/pool.ts';
import type { PoolTimings } from './parallel/protocol.ts';
import type { QueueState } from './queueState.ts';
import { assembleRun, type RunParts, type TrainerHost } from './runParts.ts';
import { checkpointTensors, exportMetrics, readyEvent } from './runSetup.ts';
import { applyUpdate, batchGradients, planChunks, type StepModel, tokeniseChunks } from './step.ts';
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
  private readonly vars: Map<string, tf.Variable>;
  private readonly encoderVars: tf.Variable[];
  private readonly headVars: tf.Variable[];
  private readonly stepModel: StepModel;
  private readonly replicas = new ReplicaHandover();

  readonly config: ExperimentConfig;
  readonly backend: BackendChoice;
  /** The encoder and heads; read through `bundle` (their weights current), but by the step. */
  private readonly encoder: EncoderBundle;
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
    this.encoder = p.bundle;
    this.train = { ...p.train, examples: p.examples };
    this.evalSet = p.evalSet;
    this.heldOut = p.heldOut;
    this.draws = new BatchDraws(p.rng, p.batcher, p.task, p.textViews);
    this.optimizer = p.optimizer;
    this.task = p.task;
    this.queue = p.queue;
    this.totalSteps = p.totalSteps;
    this.replicaCount = p.workers;
    const { bundle, task, config } = p;
    this.finished = new Promise((r) => {
      this.resolveFinished = r;
    });
    this.vars = new Map();
    for (const [k, v] of bundle.model.variables()) this.vars.set(k, v);
    this.encoderVars = [...this.vars.values()];
    const heads: [string, tf.Variable][] = [
      ...(bundle.mlp ? [...bundle.mlp.variables()] : []),
      ...(bundle.classifier ? [...bundle.classifier.variables()] : []),
    ];
    // SimCSE's MLP sits on the representation path (inside the encoder for GradCache);
    // the classifier is a head on top of it.
    for (const [k, v] of heads) this.vars.set(k, v);
    const mlpVars = bundle.mlp && task.contrastive ? [...bundle.mlp.variables().values()] : [];
    this.encoderVars.push(...mlpVars);
    this.headVars = bundle.classifier ? [...bundle.classifier.variables().values()] : [];
    this.stepModel = {
      config,
      task,
      bundle,
      encoderVars: this.encoderVars,
      headVars: this.headVars,
    };
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
    let parameters = 0;
    for (const v of trainer.vars.values()) parameters += v.size;
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
   * The encoder, its tokenizer and heads, holding the run's current weights: in a data-parallel
   * run the replicas' last update is taken back first (parallel/pool.ts `takeBack`). Throws, with
   * the reason, where replicas that failed mid-update left the weights in memory incomplete.
   */
  get bundle(): EncoderBundle {
    this.replicas.takeBack();
    return this.encoder;
  }

  /**
   * `bundle` once no data-parallel step is in flight: for readers that may come in the middle of
   * one (the Worker's export and embedding requests arrive while a run trains).
   */
  async currentBundle(): Promise<EncoderBundle> {
    await this.replicas.settled();
    return this.bundle;
  }

  /** Every trainable variable by HF name, holding the current weights (as `bundle`). */
  private currentVars(): Map<string, tf.Variable> {
    this.replicas.takeBack();
    return this.vars;
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
      const plain = isUserError(e)
        ? null
        : explainRuntimeFailure(e, this.step, this.lastCheckpointStep);
      this.host.emit({
        type: 'error',
        kind: isUserError(e) ? 'user' : 'internal',
        message: plain?.message ?? describeError(e),
        ...(plain ? { field: plain.field } : {}),
        step: this.step,
      });
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
    return batchGradients(this.stepModel, { batch, stepSeed, plan, toks }, passes, {
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
      const plan = planChunks(cfg, batch.size, pool.size);
      // Each replica tokenises its own chunks (in parallel, not here), and the next step's while
      // it waits at this step's barriers.
      const later = this.step + 1 < this.totalSteps ? this.draws.peek().batch : null;
      const next = later ? { batch: later, plan: planChunks(cfg, later.size, pool.size) } : null;
      const input = { batch, stepSeed, plan, ...(next ? { next } : {}) };
      // Adam / AdamW: the replicas apply the update too (ZeRO-1, parallel/shardedAdam.ts).
      r = pool.optimizer
        ? await pool.step(input, this.vars, lr, cfg.optimizer.clipNorm)
        : await applyUpdate(
            await pool.gradients(input, this.vars),
            this.vars,
            this.optimizer,
            cfg.optimizer.clipNorm,
            lr,
          );
    } else {
      const passes: EmbeddingViewPass[] = [];
      const raw = this.computeGradients(batch, stepSeed, passes);
      for (const p of passes) p.dispose();
      r = await applyUpdate(raw, this.vars, this.optimizer, cfg.optimizer.clipNorm, lr);
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
      const what = !Number.isFinite(r.loss)
        ? `the loss is ${r.loss}`
        : `the gradient norm is ${r.gradNorm}`;
      this.host.emit({
        type: 'error',
        kind: 'divergence',
        step: this.step + 1,
        message: `Training diverged at step ${this.step + 1}: ${what}. The update was not applied; the last good checkpoint (step ${this.lastCheckpointStep}) is kept. Try a lower learning rate, clipping, or a higher temperature.`,
      });
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
    await this.replicas.settled();
    const weights: Record<string, TensorRecord> = {};
    for (const [name, v] of this.currentVars())
      weights[name] = { shape: [...v.shape], data: (await v.data()) as Float32Array };
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
    for (const [v, rec] of checkpointTensors(this.currentVars(), ckpt.weights)) {
      const t = tf.tensor(rec.data, rec.shape);
      v.assign(t);
      t.dispose();
    }
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
    if (this.replicaCount <= 1) return null;
    const spawn = this.host.replicas?.spawn;
    if (!spawn) return null;
    const wasmPaths = this.host.backendOptions?.wasmPaths;
    const { pool, optimizer } = await this.replicas.ensure(
      {
        spawn,
        size: this.replicaCount,
        config: this.config,
        bundle: this.encoder,
        vars: this.vars,
        backend: this.backend.name === 'wasm' ? 'wasm' : 'cpu',
        ...(wasmPaths ? { wasmPaths } : {}),
      },
      this.optimizer,
    );
    this.optimizer = optimizer;
    return pool;
  }

  /** Where the last data-parallel step's time went (null with one worker). */
  get parallelTimings(): PoolTimings | null {
    return this.replicas.timings;
  }

  /**
   * Stops the replicas; the variables take their last update and the moments they held go back
   * to the plain optimiser.
   */
  private async stopReplicas(): Promise<void> {
    this.optimizer = await this.replicas.stop(this.optimizer);
    const lost = this.replicas.lostWeights;
    if (lost) this.host.emit({ type: 'log', level: 'warn', message: `${lost.message}.` });
  }

  dispose(): void {
    this.replicas.dispose();
    this.optimizer.dispose();
    this.queue?.dispose();
    this.encoder.model.dispose();
    this.encoder.mlp?.dispose();
    this.encoder.classifier?.dispose();
  }
}
