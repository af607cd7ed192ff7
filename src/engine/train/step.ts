/**
 * The training step as a pure unit: (batch, views, objective) → gradients → optimiser update.
 * The loop (trainer.ts) draws the batch and drives this; it runs the same on one replica or on K
 * (parallel/), which is why everything a step needs arrives as arguments.
 *
 * Chunks. A batch of B rows is cut into chunks of rows, each encoded with its own dropout seed
 * `mixSeed(stepSeed, 3, c)` (so a replay with the same seed draws the same masks):
 *   - GradCache on: chunks of gradCache.chunkSize;
 *   - GradCache off, one worker: one chunk, the whole batch;
 *   - GradCache off, K workers: K shards of ⌈B/K⌉ rows (a replica's shard is its chunk).
 * So the K-worker step IS the one-worker step with gradCache.chunkSize = ⌈B/K⌉ (the same chunks,
 * the same masks; they differ by float rounding only), and with dropout off it is also the plain
 * full-batch step. With dropout on, runs with different K are equally valid steps that draw
 * different masks, as a different seed would.
 */
import type { EmbeddingViewPass } from '../augment/consert.ts';
import type { ExperimentConfig } from '../config/schema.ts';
import type { Probe } from '../model/index.ts';
import { mixSeed } from '../rng.ts';
import * as tf from '../tf.ts';
import type { EncodedAhead } from '../tokenizer/index.ts';
import {
  embeddingViewsOf,
  encodeTokenised,
  representation,
  type Segment,
  type TokenisedRows,
  tokeniseSegments,
} from './encodeRows.ts';
import type { EncoderBundle } from './encoderSetup.ts';
import { fullBatchStep, type GradCacheParts, type GradResult, gradCacheStep } from './gradCache.ts';
import { clipCoefficient, globalNorm } from './optim/clip.ts';
import type { Optimizer } from './optim/optimizer.ts';
import type { LossContext, Task, TaskBatch } from './tasks.ts';

/** What computing a step needs: the config, the objective, the model and its variables. */
export interface StepModel {
  config: ExperimentConfig;
  task: Task;
  bundle: EncoderBundle;
  /** Variables reached through the encoder: BERT's, and SimCSE's MLP for contrastive tasks. */
  encoderVars: tf.Variable[];
  /** Variables used only by the loss (the classification head). */
  headVars: tf.Variable[];
}

/** How a batch is cut into chunks (see the file comment). */
export interface ChunkPlan {
  /** Rows per chunk (the last chunk may hold fewer). */
  chunkSize: number;
  chunks: number;
}

export function planChunks(config: ExperimentConfig, size: number, workers = 1): ChunkPlan {
  const chunkSize = config.gradCache
    ? Math.min(config.gradCache.chunkSize, size)
    : Math.ceil(size / Math.max(1, workers));
  return { chunkSize, chunks: Math.ceil(size / chunkSize) };
}

/** Rows [start, end) of chunk c. */
export function chunkRows(plan: ChunkPlan, size: number, c: number): [number, number] {
  const start = c * plan.chunkSize;
  return [start, Math.min(size, start + plan.chunkSize)];
}

/** Chunk c's dropout seed in the step seeded `stepSeed`. */
export function chunkSeed(stepSeed: number, c: number): number {
  return mixSeed(stepSeed, 3, c);
}

/** Tokenises each chunk of a batch on its own (each padded to its own length bucket). */
export function tokeniseChunks(
  bundle: EncoderBundle,
  config: ExperimentConfig,
  batch: TaskBatch,
  plan: ChunkPlan,
): TokenisedRows[] {
  return Array.from({ length: plan.chunks }, (_, c) =>
    tokeniseChunk(bundle, config, batch, plan, c),
  );
}

/** Chunk c's rows of every segment of a batch. */
export function chunkSegments(batch: TaskBatch, plan: ChunkPlan, c: number): Segment[] {
  const [a, b] = chunkRows(plan, batch.size, c);
  return batch.segments.map((s) => ({
    ...s,
    texts: s.texts.slice(a, b),
    ...(s.pairs ? { pairs: s.pairs.slice(a, b) } : {}),
  }));
}

/**
 * Chunk c of a batch, tokenised (a data-parallel replica tokenises its own chunks, taking the
 * rows it encoded ahead).
 */
export function tokeniseChunk(
  bundle: EncoderBundle,
  config: ExperimentConfig,
  batch: TaskBatch,
  plan: ChunkPlan,
  c: number,
  ahead?: EncodedAhead,
): TokenisedRows {
  return tokeniseSegments(bundle, chunkSegments(batch, plan, c), config.encoder.maxLength, ahead);
}

export interface StepInput {
  batch: TaskBatch;
  stepSeed: number;
  plan: ChunkPlan;
  /** Chunk c's tokenised rows; a replica holds only its own chunks (the others are absent). */
  toks: (TokenisedRows | undefined)[];
}

export interface PartsOptions {
  /** Extra negatives for unsupervised SimCSE (the queue), [Q, D]. */
  queue?: tf.Tensor2D | null;
  /** Sees the loss's segments (the queue keeps a detached copy of the second views). */
  onSegments?: (segments: tf.Tensor2D[]) => void;
  /** Observes what the step feeds the encoder and the loss (tests; model/probe.ts). */
  probe?: Probe;
}

/**
 * The step's closures over the encoder and the loss (GradCache's parts), for every chunk whose
 * rows are in `input.toks`. `loss` takes every chunk's representations, in chunk order, each
 * [segments × rows of the chunk, D]. Call `dispose` once the gradients are taken.
 */
export function stepParts(
  m: StepModel,
  input: StepInput,
  passes: EmbeddingViewPass[],
  opts: PartsOptions = {},
): { parts: GradCacheParts; dispose(): void } {
  const { config: cfg, task, bundle } = m;
  const { batch, stepSeed, plan, toks } = input;
  const views = embeddingViewsOf(cfg);
  const trainRep = representation(cfg, 'train', task.contrastive);
  const nSeg = batch.segments.length;
  const probe = opts.probe;
  const queue = opts.queue ?? null;
  const lossContext: LossContext = {
    bundle,
    queue,
    headSeed: mixSeed(stepSeed, 4),
    headDropout: cfg.augment.dropout ? cfg.encoder.hiddenDropout : 0,
    ...(probe ? { probe } : {}),
  };
  const adversarial = views.some((v) => v?.kind === 'adversarial');
  // Adversarial view (FGV): first the supervised loss's gradient w.r.t. each chunk's embedding
  // output, from a clean pass with the same dropout masks; the view then adds ε·g/‖g‖.
  const gradients = adversarial
    ? toks.map((tok, c) => (tok ? adversarialGradient(m, input, c, tok, lossContext) : undefined))
    : null;
  const tokOf = (c: number): TokenisedRows => {
    const tok = toks[c];
    if (!tok) throw new Error(`chunk ${c} is not tokenised on this replica`);
    return tok;
  };
  const encodeRows = (c: number, seed: number, tok: TokenisedRows) =>
    encodeTokenised(bundle, cfg, tok, {
      training: true,
      dropoutSeed: seed,
      ...trainRep,
      views,
      passes,
      ...(gradients?.[c] ? { gradient: gradients[c] } : {}),
      ...(probe ? { probe } : {}),
    });
  const parts: GradCacheParts = {
    chunks: plan.chunks,
    seedOf: (c) => chunkSeed(stepSeed, c),
    // Fixed mask (SimCSE Table 3's control): each segment (view) gets its own pass with the
    // chunk's one seed; same seed and same shape draw the same masks, so the views share them.
    // The replay (GradCache, replicas) calls this with the same seed and so replays them too.
    encode: (c, seed) =>
      cfg.objective.fixedDropoutMask
        ? (tf.concat(
            segmentRows(tokOf(c)).map((t) => encodeRows(c, seed, t)),
            0,
          ) as tf.Tensor2D)
        : encodeRows(c, seed, tokOf(c)),
    loss: (reps) => {
      // reps[c] holds chunk c's rows segment by segment; regroup into whole segments.
      const perSeg: tf.Tensor2D[][] = Array.from({ length: nSeg }, () => []);
      for (const r of reps) {
        const n = r.shape[0] / nSeg;
        for (let s = 0; s < nSeg; s++)
          perSeg[s]!.push(tf.slice(r, [s * n, 0], [n, -1]) as tf.Tensor2D);
      }
      const segs = perSeg.map((p) => (p.length === 1 ? p[0]! : (tf.concat(p, 0) as tf.Tensor2D)));
      if (probe) for (const [s, t] of segs.entries()) probe(`loss.segment.${s}`, t);
      if (probe && queue) probe('loss.queue', queue);
      opts.onSegments?.(segs);
      return task.loss(segs, batch, lossContext);
    },
    encoderVars: m.encoderVars,
    headVars: m.headVars,
  };
  return {
    parts,
    dispose: () => {
      for (const g of gradients ?? []) g?.dispose();
    },
  };
}

/**
 * Each segment's rows of a chunk as rows of their own, [count, L] like the others (one bucketed
 * length for the chunk). The other segments stay listed with no rows, so segment i keeps its
 * index, and with it its embedding views' draws (encodeRows.ts seeds them by segment index).
 */
export function segmentRows(tok: TokenisedRows): TokenisedRows[] {
  const L = tok.length;
  return tok.segments.map((seg, i) => {
    const [a, b] = [seg.start * L, (seg.start + seg.count) * L];
    return {
      inputIds: tok.inputIds.subarray(a, b),
      attentionMask: tok.attentionMask.subarray(a, b),
      tokenTypeIds: tok.tokenTypeIds.subarray(a, b),
      rows: seg.count,
      length: L,
      segments: tok.segments.map((s, j) => ({
        start: 0,
        count: j === i ? s.count : 0,
        view: s.view,
      })),
    };
  });
}

/** d(the chunk's own supervised loss)/d(its embedding output), from a clean pass. [rows, L, H] */
function adversarialGradient(
  m: StepModel,
  input: StepInput,
  c: number,
  tok: TokenisedRows,
  lossContext: LossContext,
): tf.Tensor3D {
  const { batch, stepSeed, plan } = input;
  const trainRep = representation(m.config, 'train', m.task.contrastive);
  return tf.tidy(() => {
    const zero = tf.zeros([tok.rows, tok.length, m.bundle.model.config.hidden_size]);
    return tf.grad((delta: tf.Tensor) => {
      const reps = encodeTokenised(m.bundle, m.config, tok, {
        training: true,
        dropoutSeed: chunkSeed(stepSeed, c),
        ...trainRep,
        views: [null, null],
        perturbation: delta as tf.Tensor3D,
        ...(lossContext.probe ? { probe: lossContext.probe } : {}),
      });
      const n = tok.rows / batch.segments.length;
      const segs = batch.segments.map((_, s) => tf.slice(reps, [s * n, 0], [n, -1]) as tf.Tensor2D);
      const [start] = chunkRows(plan, batch.size, c);
      const sub: TaskBatch = { ...batch, size: n, ...sliceTargets(batch, start, n) };
      return m.task.loss(segs, sub, lossContext);
    })(zero) as tf.Tensor3D;
  });
}

/** Labels / scores of rows [start, start + n) of a batch. */
function sliceTargets(b: TaskBatch, start: number, n: number): Partial<TaskBatch> {
  const out: Partial<TaskBatch> = {};
  if (b.labels) out.labels = b.labels.slice(start, start + n);
  if (b.scores) out.scores = b.scores.slice(start, start + n);
  return out;
}

/**
 * The gradients of one batch on one replica: GradCache over the chunks when it is on, else one
 * tape (`fullBatchReference` forces the one tape over GradCache's chunks: the exact full-batch
 * gradient GradCache must reproduce). Gradients are keyed by tf.Variable name.
 */
export function batchGradients(
  m: StepModel,
  input: StepInput,
  passes: EmbeddingViewPass[],
  opts: PartsOptions & { fullBatchReference?: boolean } = {},
): GradResult {
  const { parts, dispose } = stepParts(m, input, passes, opts);
  try {
    return m.config.gradCache && parts.chunks > 1 && !opts.fullBatchReference
      ? gradCacheStep(parts)
      : fullBatchStep(parts);
  } finally {
    dispose();
  }
}

export interface UpdateResult {
  loss: number;
  gradNorm: number;
  /** False when the loss or the gradient norm is NaN/Inf: nothing was changed. */
  applied: boolean;
}

/**
 * Clipping, the step's one read (loss and global gradient norm together), then the optimiser
 * update when both are finite. `raw.grads` is keyed by tf.Variable name; `vars` by HF name (as the
 * optimiser and checkpoints know them). Disposes the loss and the gradients.
 */
export async function applyUpdate(
  raw: GradResult,
  vars: Map<string, tf.Variable>,
  optimizer: Optimizer,
  clipNorm: number | null,
  lr: number,
): Promise<UpdateResult> {
  const grads = new Map<string, tf.Tensor>();
  for (const [key, v] of vars) {
    const g = raw.grads.get(v.name);
    if (g) grads.set(key, g);
  }
  // The step's one read: loss and global gradient norm together (the loss alone where the norm
  // came with the gradients). A NaN/Inf anywhere in the gradients makes the norm NaN/Inf, so
  // these two numbers are the whole divergence check.
  let loss: number;
  let normValue: number;
  if (raw.gradNorm !== undefined) {
    loss = ((await raw.loss.data()) as Float32Array)[0]!;
    normValue = raw.gradNorm;
  } else {
    const norm = globalNorm(grads);
    const both = tf.stack([raw.loss, norm]); // [2]
    norm.dispose();
    const read = (await both.data()) as Float32Array;
    both.dispose();
    loss = read[0]!;
    normValue = read[1]!;
  }
  const applied = Number.isFinite(loss) && Number.isFinite(normValue);
  // Clipping (clip_grad_norm_) as the optimiser's gradient scale: no clipped copies.
  const scale = clipNorm ? clipCoefficient(normValue, clipNorm) : 1;
  if (applied) optimizer.apply(vars, grads, lr, scale);
  for (const g of raw.grads.values()) g.dispose();
  raw.loss.dispose();
  return { loss, gradNorm: normValue, applied };
}
