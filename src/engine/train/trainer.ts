/**
 * The training loop, the same in the browser Worker and in Node: batches → views → objective →
 * gradients (one tape, or GradCache chunks) → clipping → optimiser → schedule; evaluation,
 * checkpoints and events; pause / resume / single step / stop between steps.
 */

import type { EmbeddingViewPass } from '../augment/consert.ts';
import { type BackendChoice, type BackendOptions, chooseBackend } from '../backend.ts';
import type { ExperimentConfig } from '../config/schema.ts';
import { parseExperiment } from '../config/validate.ts';
import { Batcher, type DataIO, type Dataset, type Example, loadDataset } from '../data/index.ts';
import { isUserError, UserError } from '../errors.ts';
import { mixSeed, Rng } from '../rng.ts';
import * as tf from '../tf.ts';
import { exportModelFolder } from '../weights/modelFolder.ts';
import type { Checkpoint, CheckpointStore, TensorRecord } from './checkpoint.ts';
import {
  embeddingViewsOf,
  encodeTokenised,
  representation,
  tokeniseSegments,
} from './encodeRows.ts';
import { type EncoderBundle, type ModelIO, setupEncoder } from './encoderSetup.ts';
import { evaluate } from './evaluate.ts';
import type { EvalEvent, StepEvent, TrainEvent } from './events.ts';
import { fullBatchStep, type GradResult, gradCacheStep } from './gradCache.ts';
import { clipByGlobalNorm, globalNorm } from './optim/clip.ts';
import { createOptimizer, type Optimizer } from './optim/optimizer.ts';
import { learningRateAt } from './optim/schedule.ts';
import { QueueState } from './queueState.ts';
import { makeTask, type Task, type TaskBatch } from './tasks.ts';
import { TextViews } from './textViews.ts';
import { yieldToEventLoop } from './yield.ts';

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
}

type RunState = 'running' | 'paused' | 'stopped' | 'finished' | 'failed';

const HELD_OUT_MAX = 256;

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

  private constructor(
    readonly config: ExperimentConfig,
    private readonly host: TrainerHost,
    readonly backend: BackendChoice,
    readonly bundle: EncoderBundle,
    readonly train: Dataset,
    readonly evalSet: Dataset | null,
    readonly heldOut: string[],
    private readonly batcher: Batcher,
    private readonly optimizer: Optimizer,
    private readonly task: Task,
    private readonly textViews: TextViews,
    private readonly queue: QueueState | null,
    private readonly rng: Rng,
    readonly totalSteps: number,
  ) {
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
  }

  /** Validates the config, picks the backend, loads data and the encoder, restores a checkpoint. */
  static async create(raw: unknown, host: TrainerHost): Promise<Trainer> {
    const t0 = Date.now();
    host.emit({ type: 'state', state: 'loading', step: 0 });
    const config = parseExperiment(raw);
    if (!host.io.onProgress) {
      // Loading progress becomes throttled events (at most one every 200 ms, and each phase's end).
      let last = 0;
      host = {
        ...host,
        io: {
          ...host.io,
          onProgress: (p) => {
            const now = Date.now();
            const end = p.total !== undefined && p.loaded >= p.total;
            if (!end && now - last < 200) return;
            last = now;
            host.emit({
              type: 'progress',
              phase: p.phase,
              loaded: p.loaded,
              ...(p.total !== undefined ? { total: p.total } : {}),
            });
          },
        },
      };
    }
    const backend = host.keepBackend
      ? { name: tf.getBackend() as BackendChoice['name'], reasons: [] }
      : await chooseBackend(config.backend, host.backendOptions);

    const withField = async <T>(field: string, f: () => Promise<T>): Promise<T> => {
      try {
        return await f();
      } catch (e) {
        if (isUserError(e)) {
          // Keep a message that already names its field (e.g. "encoder.maxLength: …").
          throw /^(encoder|data|augment|objective|optimizer)\.[\w.]*: /.test(e.message)
            ? e
            : new UserError(`${field}: ${e.message}`);
        }
        throw e;
      }
    };
    const d = config.data;
    const train = await withField('data.train', () =>
      loadDataset(
        {
          source: d.train.source,
          kind: d.train.kind,
          ...(d.train.columns ? { columns: d.train.columns } : {}),
          ...(d.train.limit ? { limit: d.train.limit } : {}),
        },
        host.io,
      ),
    );
    const evalSet = d.eval
      ? await withField('data.eval', () =>
          loadDataset(
            {
              source: d.eval!.source,
              kind: d.eval!.kind,
              ...(d.eval!.columns ? { columns: d.eval!.columns } : {}),
              ...(d.eval!.limit ? { limit: d.eval!.limit } : {}),
            },
            host.io,
          ),
        )
      : null;

    const rng = new Rng(config.seed);
    // Without an STS set, hold a few training sentences out for alignment / uniformity.
    let examples = train.examples;
    let heldOut: string[] = [];
    if (evalSet?.kind !== 'sts') {
      const n = Math.min(HELD_OUT_MAX, Math.floor(examples.length * 0.1));
      if (n >= 2 && examples.length - n >= config.batchSize) {
        const order = new Rng(mixSeed(config.seed, 17)).shuffle(examples.map((_, i) => i));
        const out = new Set(order.slice(0, n));
        heldOut = order.slice(0, n).map((i) => examples[i]!.text);
        examples = examples.filter((_, i) => !out.has(i));
      }
    }
    if (examples.length < config.batchSize) {
      throw new UserError(
        `data.train: ${examples.length} usable examples is fewer than batchSize (${config.batchSize}); lower batchSize or add data.`,
      );
    }
    const numLabels = numLabelsOf(config, train);
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
    const trainer = new Trainer(
      config,
      host,
      backend,
      bundle,
      { ...train, examples },
      evalSet,
      heldOut,
      batcher,
      optimizer,
      task,
      textViews,
      queue,
      rng,
      totalSteps,
    );
    if (host.resume && host.checkpoints) {
      const ckpt = await host.checkpoints.load(host.runId);
      if (ckpt) await trainer.restore(ckpt);
    }
    let parameters = 0;
    for (const v of trainer.vars.values()) parameters += v.size;
    const r = train.report;
    host.emit({
      type: 'ready',
      backend: backend.name,
      reasons: backend.reasons,
      ...(backend.wasmThreads ? { wasmThreads: backend.wasmThreads } : {}),
      ...(backend.wasmMultithread !== undefined
        ? { wasmMultithread: backend.wasmMultithread }
        : {}),
      ...(backend.adapter ? { adapter: backend.adapter } : {}),
      parameters,
      trainExamples: examples.length,
      evalExamples: evalSet?.examples.length ?? heldOut.length,
      totalSteps,
      startStep: trainer.step,
      dataReport: `${train.name}: ${r.rowsRead} rows read, ${r.kept} kept (${r.emptyRemoved} empty and ${r.duplicatesRemoved} duplicates removed${r.truncatedAtLimit ? ', stopped at the row limit' : ''})${heldOut.length ? `; ${heldOut.length} held out for alignment/uniformity` : ''}.`,
      setupMs: Date.now() - t0,
    });
    return trainer;
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
    this.emitState();
    this.host.emit({
      type: 'done',
      step: this.step,
      reason:
        this.state === 'failed' ? 'failed' : this.state === 'stopped' ? 'stopped' : 'finished',
    });
    this.resolveFinished();
  }

  // ---- one step ----

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
    const cfg = this.config;
    const chunkSize = cfg.gradCache ? Math.min(cfg.gradCache.chunkSize, batch.size) : batch.size;
    const chunks = Math.ceil(batch.size / chunkSize);
    const views = embeddingViewsOf(cfg);
    const trainRep = representation(cfg, 'train', this.task.contrastive);
    const toks = Array.from({ length: chunks }, (_, c) => {
      const a = c * chunkSize;
      const b = Math.min(batch.size, a + chunkSize);
      const segs = batch.segments.map((s) => ({
        ...s,
        texts: s.texts.slice(a, b),
        ...(s.pairs ? { pairs: s.pairs.slice(a, b) } : {}),
      }));
      return tokeniseSegments(this.bundle, segs, cfg.encoder.maxLength);
    });
    const nSeg = batch.segments.length;
    const queueTensor = this.queue?.tensor() ?? null;
    const lossContext = {
      bundle: this.bundle,
      queue: queueTensor,
      headSeed: mixSeed(stepSeed, 4),
      headDropout: cfg.augment.dropout ? cfg.encoder.hiddenDropout : 0,
    };
    const adversarial = views.some((v) => v?.kind === 'adversarial');
    // Adversarial view (FGV): first the supervised loss's gradient w.r.t. each chunk's embedding
    // output, from a clean pass with the same dropout masks; the view then adds ε·g/‖g‖.
    const gradients = adversarial
      ? toks.map((tok, c) =>
          tf.tidy(() => {
            const zero = tf.zeros([
              tok.rows,
              tok.length,
              this.bundle.model.config.hidden_size,
            ]) as tf.Tensor3D;
            return tf.grad((delta: tf.Tensor) => {
              const reps = encodeTokenised(this.bundle, cfg, tok, {
                training: true,
                dropoutSeed: mixSeed(stepSeed, 3, c),
                ...trainRep,
                views: [null, null],
                perturbation: delta as tf.Tensor3D,
              });
              const n = tok.rows / batch.segments.length;
              const segs = batch.segments.map(
                (_, s) => tf.slice(reps, [s * n, 0], [n, -1]) as tf.Tensor2D,
              );
              const sub: TaskBatch = {
                ...batch,
                size: n,
                ...sliceTargets(batch, c * (batch.size / toks.length), n),
              };
              return this.task.loss(segs, sub, lossContext);
            })(zero) as tf.Tensor3D;
          }),
        )
      : null;
    const parts = {
      chunks,
      seedOf: (c: number) => mixSeed(stepSeed, 3, c),
      encode: (c: number, seed: number) =>
        encodeTokenised(this.bundle, cfg, toks[c]!, {
          training: true,
          dropoutSeed: seed,
          ...trainRep,
          views,
          passes,
          ...(gradients ? { gradient: gradients[c]! } : {}),
        }),
      loss: (reps: tf.Tensor2D[]) => {
        // reps[c] holds chunk c's rows segment by segment; regroup into whole segments.
        const perSeg: tf.Tensor2D[][] = Array.from({ length: nSeg }, () => []);
        reps.forEach((r, c) => {
          const n = toks[c]!.rows / nSeg;
          for (let s = 0; s < nSeg; s++)
            perSeg[s]!.push(tf.slice(r, [s * n, 0], [n, -1]) as tf.Tensor2D);
        });
        const segs = perSeg.map((p) => (p.length === 1 ? p[0]! : (tf.concat(p, 0) as tf.Tensor2D)));
        this.queue?.capture(segs);
        return this.task.loss(segs, batch, lossContext);
      },
      encoderVars: this.encoderVars,
      headVars: this.headVars,
    };
    try {
      return cfg.gradCache && chunks > 1 && !fullBatchReference
        ? gradCacheStep(parts)
        : fullBatchStep(parts);
    } finally {
      for (const g of gradients ?? []) g.dispose();
    }
  }

  /** Draws the next batch and its views (advances the RNG and the batcher). */
  nextBatch(): { batch: TaskBatch; stepSeed: number; examples: Example[]; epoch: number } {
    const stepSeed = this.rng.nextUint32();
    const drawn = this.batcher.next();
    const textRng = new Rng(mixSeed(stepSeed, 1));
    const batch = this.task.prepare(drawn.examples, (text, view) =>
      this.textViews.apply(text, view, textRng),
    );
    return { batch, stepSeed, examples: drawn.examples, epoch: drawn.epoch };
  }

  /** One optimisation step; false when it diverged (NaN/Inf) and the run must stop. */
  async trainStep(): Promise<boolean> {
    const t0 = performance.now();
    const cfg = this.config;
    const { batch, stepSeed, examples, epoch } = this.nextBatch();
    const passes: EmbeddingViewPass[] = [];
    const raw = this.computeGradients(batch, stepSeed, passes);
    for (const p of passes) p.dispose();
    const loss = raw.loss;
    // variableGrads keys gradients by tf.Variable.name; the optimiser and checkpoints use HF names.
    const grads = new Map<string, tf.Tensor>();
    for (const [key, v] of this.vars) {
      const g = raw.grads.get(v.name);
      if (g) grads.set(key, g);
    }
    const norm = cfg.optimizer.clipNorm ? null : globalNorm(grads);
    const clipped = cfg.optimizer.clipNorm ? clipByGlobalNorm(grads, cfg.optimizer.clipNorm) : null;
    const gradNorm = clipped ? clipped.norm : (norm as tf.Scalar);
    // The step's one read: loss and global gradient norm together. A NaN/Inf anywhere in the
    // gradients makes the norm NaN/Inf, so these two numbers are the whole divergence check.
    const both = tf.stack([loss, gradNorm]); // [2]
    const read = (await both.data()) as Float32Array;
    const lossValue = read[0]!;
    const normValue = read[1]!;
    both.dispose();
    const useGrads = clipped ? clipped.grads : grads;
    let ok = Number.isFinite(lossValue) && Number.isFinite(normValue);
    if (ok) {
      const lr = learningRateAt(this.step, {
        lr: cfg.optimizer.lr ?? 0,
        warmupSteps: cfg.optimizer.warmupSteps,
        schedule: cfg.optimizer.schedule,
        totalSteps: this.totalSteps,
      });
      this.optimizer.apply(this.vars, useGrads, lr);
      this.queue?.afterStep(this.bundle, examples);
      this.step++;
      const mem = tf.memory();
      const stepMs = performance.now() - t0;
      const ev: StepEvent = {
        type: 'step',
        step: this.step,
        epoch,
        loss: lossValue,
        lr,
        gradNorm: normValue,
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
      ok = false;
      const what = !Number.isFinite(lossValue)
        ? `the loss is ${lossValue}`
        : `the gradient norm is ${normValue}`;
      this.host.emit({
        type: 'error',
        kind: 'divergence',
        step: this.step + 1,
        message: `Training diverged at step ${this.step + 1}: ${what}. The update was not applied; the last good checkpoint (step ${this.lastCheckpointStep}) is kept. Try a lower learning rate, clipping, or a higher temperature.`,
      });
    }
    this.queue?.releaseCapture();
    for (const g of grads.values()) g.dispose();
    if (clipped) {
      for (const g of clipped.grads.values()) g.dispose();
      clipped.norm.dispose();
    }
    norm?.dispose();
    loss.dispose();
    return ok;
  }

  private lastCheckpointStep = 0;

  async runEval(): Promise<void> {
    const ev = await evaluate({
      bundle: this.bundle,
      config: this.config,
      evalSet: this.evalSet,
      heldOut: this.heldOut,
      step: this.step,
      contrastive: this.task.contrastive,
    });
    const { type: _t, step: _s, ...measured } = ev;
    if (Object.keys(measured).length === 0) return; // nothing to evaluate on (tiny data, no eval set)
    const { type: _t2, ...point } = ev;
    this.evalEvents.push(point);
    this.host.emit(ev);
  }

  // ---- checkpoints ----

  async checkpoint(): Promise<Checkpoint> {
    const weights: Record<string, TensorRecord> = {};
    for (const [name, v] of this.vars)
      weights[name] = { shape: [...v.shape], data: (await v.data()) as Float32Array };
    return {
      version: 1,
      runId: this.host.runId,
      step: this.step,
      config: this.config,
      weights,
      optimizer: await this.optimizer.getState(),
      rng: this.rng.getState(),
      batcher: this.batcher.getState(),
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
    for (const [name, v] of this.vars) {
      const rec = ckpt.weights[name];
      if (!rec)
        throw new UserError(
          `The checkpoint has no weights for ${name}; it belongs to another model.`,
        );
      if (rec.shape.join() !== v.shape.join()) {
        throw new UserError(
          `The checkpoint's ${name} has shape [${rec.shape}] but the model needs [${v.shape}].`,
        );
      }
      v.assign(tf.tensor(rec.data, rec.shape));
    }
    this.optimizer.setState(ckpt.optimizer);
    this.rng.setState(ckpt.rng);
    this.batcher.setState(ckpt.batcher as never);
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
    const last = this.evalEvents[this.evalEvents.length - 1];
    const lastStep = this.stepEvents[this.stepEvents.length - 1];
    const metrics: Record<string, number> = { steps: this.step };
    if (lastStep) metrics.loss = lastStep.loss;
    if (last) {
      for (const k of [
        'alignment',
        'uniformity',
        'spearman',
        'pearson',
        'accuracy',
        'macroF1',
      ] as const) {
        const v = last[k];
        if (typeof v === 'number') metrics[k] = v;
      }
    }
    const rep = representation(this.config, 'eval', this.task.contrastive);
    return exportModelFolder({
      model: this.bundle.model,
      tokenizer: this.bundle.tokenizer,
      pooling: rep.pooling,
      mlpHead: rep.useMlp ? this.bundle.mlp : null,
      experimentConfig: this.config,
      metrics,
      baseModel: this.bundle.baseModel,
      maxSeqLength: this.config.encoder.maxLength,
    });
  }

  dispose(): void {
    this.optimizer.dispose();
    this.queue?.dispose();
    this.bundle.model.dispose();
    this.bundle.mlp?.dispose();
    this.bundle.classifier?.dispose();
  }
}

/** Labels / scores of rows [start, start + n) of a batch. */
function sliceTargets(b: TaskBatch, start: number, n: number): Partial<TaskBatch> {
  const out: Partial<TaskBatch> = {};
  if (b.labels) out.labels = b.labels.slice(start, start + n);
  if (b.scores) out.scores = b.scores.slice(start, start + n);
  return out;
}

function numLabelsOf(config: ExperimentConfig, train: Dataset): number | null {
  const k = config.objective.kind;
  if (k === 'simcse-unsup' || k === 'simcse-sup') return null;
  if (train.kind === 'sts') return 1;
  if (train.labelNames?.length) return train.labelNames.length;
  let max = -1;
  for (const e of train.examples) max = Math.max(max, e.label ?? -1);
  if (max < 1)
    throw new UserError('data.train: a classifier needs at least two classes in the labels.');
  return max + 1;
}

/**
 * Backend failures in plain words: running out of memory and a lost GPU device arrive from TF.js
 * and the browser as low-level messages; say what happened and what to do. Null for other errors.
 */
export function explainRuntimeFailure(
  e: unknown,
  step: number,
  checkpointStep: number,
): { message: string; field: string } | null {
  const raw = describeError(e);
  const kept = checkpointStep > 0 ? ` The checkpoint at step ${checkpointStep} is kept.` : '';
  if (
    /out of memory|failed to allocate|allocation failed|could not allocate|memory access out of bounds|Array buffer allocation/i.test(
      raw,
    )
  ) {
    return {
      field: 'batchSize',
      message: `The backend ran out of memory at step ${step + 1}: lower batchSize or encoder.maxLength, or turn on GradCache with a small chunk.${kept} (${raw})`,
    };
  }
  if (/device (was |is )?lost|GPUDevice.*lost|context lost|CONTEXT_LOST/i.test(raw)) {
    return {
      field: 'backend',
      message: `The GPU device was lost at step ${step + 1} (the browser or driver reset it): reload the page and resume, or choose another backend.${kept} (${raw})`,
    };
  }
  return null;
}

function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
