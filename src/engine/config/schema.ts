/**
 * The experiment config: one JSON document is the whole experiment, for the UI, the URL hash,
 * the Worker, the CLI and the exported model card. Field names are a public contract
 * (extend, never rename). Defaults are the papers' where a paper sets one. Every object is strict:
 * an unknown key anywhere is an error that names it (and the closest valid key, validate.ts),
 * never a setting silently dropped.
 */
import { z } from 'zod';

const rate = z.number().min(0).max(1);
const positiveInt = z.number().int().positive();

export const POOLINGS = ['cls', 'cls_before_pooler', 'mean', 'avg_first_last', 'avg_top2'] as const;
export const OBJECTIVES = [
  'simcse-unsup',
  'simcse-sup',
  'supcon',
  'rdrop',
  'ce',
  'logit-contrast',
] as const;
export const OPTIMIZERS = ['adamw', 'adam', 'adafactor', 'sgd'] as const;
export const SCHEDULES = ['constant', 'linear', 'cosine'] as const;
/** 'sts' (pairs with scores) trains a regression head (R-Drop / CE with MSE). */
export const TRAIN_KINDS = [
  'sentences',
  'pairs',
  'triplets',
  'labeled',
  'labeled-pairs',
  'sts',
] as const;
export const EVAL_KINDS = ['sts', 'labeled', 'labeled-pairs'] as const;
export const BACKEND_PREFS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;

export const BuiltinEncoderSchema = z
  .strictObject({
    layers: z.number().int().min(1).max(24).default(2),
    hidden: z.number().int().min(8).max(1024).default(128),
    heads: z.number().int().min(1).max(32).default(2),
    intermediate: z.number().int().min(8).max(4096).default(512),
  })
  .refine((b) => b.hidden % b.heads === 0, {
    message: 'hidden must be a multiple of heads',
    path: ['hidden'],
  });

export const EncoderSchema = z.strictObject({
  /** 'builtin' | a folder path or URL | 'hf:<id>[@rev]' */
  source: z.string().min(1).default('builtin'),
  builtin: BuiltinEncoderSchema.default({ layers: 2, hidden: 128, heads: 2, intermediate: 512 }),
  pooling: z.enum(POOLINGS).default('cls'),
  /** SimCSE's MLP over the CLS output: 'train-only' is SimCSE's mlp_only_train. */
  mlpHead: z.enum(['none', 'train-only', 'always']).default('train-only'),
  hiddenDropout: rate.default(0.1),
  attentionDropout: rate.default(0.1),
  maxLength: z.number().int().min(4).max(512).default(32),
});

const ColumnsSchema = z.strictObject({
  text: z.string().optional(),
  text2: z.string().optional(),
  text3: z.string().optional(),
  label: z.string().optional(),
  score: z.string().optional(),
});

export const TrainDataSchema = z.strictObject({
  /** 'builtin:default' | a file path or URL | 'hf:<id>[:<config>][@<split>]' */
  source: z.string().min(1).default('builtin:default'),
  kind: z.enum(TRAIN_KINDS).default('sentences'),
  columns: ColumnsSchema.optional(),
  /** Read at most this many rows (null: all). */
  limit: positiveInt.nullable().default(null),
});

export const EvalDataSchema = z.strictObject({
  source: z.string().min(1),
  kind: z.enum(EVAL_KINDS).default('sts'),
  columns: ColumnsSchema.optional(),
  limit: positiveInt.nullable().default(null),
});

/** EDA (Wei & Zou): each operation's rate α; 0 turns it off. */
export const EdaSchema = z.strictObject({
  synonymReplacement: rate.default(0.1),
  randomInsertion: rate.default(0.1),
  randomSwap: rate.default(0.1),
  randomDeletion: rate.default(0.1),
  /** 'one': each view applies one enabled operation (EDA's reference); 'all': all in order. */
  combine: z.enum(['one', 'all']).default('one'),
  /** Synonym list for non-English text (one group per line, or Cilin format); null: WordNet. */
  synonyms: z.string().nullable().default(null),
});

/** ConSERT embedding-level views, applied to the token embeddings before the encoder. */
export const EmbeddingViewSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('shuffle') }),
  z.strictObject({ kind: z.literal('token-cutoff'), rate: rate.default(0.15) }),
  z.strictObject({ kind: z.literal('feature-cutoff'), rate: rate.default(0.2) }),
  z.strictObject({ kind: z.literal('span-cutoff'), rate: rate.default(0.15) }),
  z.strictObject({ kind: z.literal('dropout'), rate: rate.default(0.2) }),
  z.strictObject({ kind: z.literal('noise'), sigma: z.number().min(0).max(10).default(0.01) }),
  z.strictObject({
    kind: z.literal('adversarial'),
    epsilon: z.number().min(0).max(10).default(1),
    /** ‖g‖ per token (ConSERT's code) or per example (Miyato et al.). */
    norm: z.enum(['token', 'example']).default('token'),
  }),
]);

/** One view for both passes, or a different view for each (ConSERT: shuffle + feature cutoff). */
export const EmbeddingAugmentSchema = z.union([
  EmbeddingViewSchema,
  z.strictObject({ view1: EmbeddingViewSchema.nullable(), view2: EmbeddingViewSchema.nullable() }),
]);

export const AugmentSchema = z.strictObject({
  /** Dropout views: the same input twice with independent dropout masks. */
  dropout: z.boolean().default(true),
  eda: EdaSchema.nullable().default(null),
  embedding: EmbeddingAugmentSchema.nullable().default(null),
});

export const QueueSchema = z.strictObject({
  /** Number of past batches kept as extra negatives (ESimCSE / MoCo). */
  size: z.number().int().min(1).max(64).default(1),
  /** Momentum of the key encoder; 0 means the encoder itself, no gradient. */
  momentum: z.number().min(0).max(1).default(0.995),
});

export const ObjectiveSchema = z.strictObject({
  kind: z.enum(OBJECTIVES).default('simcse-unsup'),
  temperature: z.number().positive().max(10).default(0.05),
  /** log α, added only to each anchor's own hard negative (supervised SimCSE). */
  hardNegativeWeight: z.number().min(-20).max(20).default(0),
  /** R-Drop's KL weight α; for logit-contrast the InfoNCE weight. */
  alpha: z.number().min(0).max(100).default(1),
  /** SCL weight λ in (1-λ)·CE + λ·L_scl. */
  lambda: rate.default(0.9),
  /** Unsupervised SimCSE: also the z2 → z1 direction. */
  symmetric: z.boolean().default(false),
  queue: QueueSchema.nullable().default(null),
  /**
   * Unsupervised SimCSE's "fixed 0.1" control (SimCSE Table 3): dropout stays on, but both views
   * of a sentence get the same dropout mask (the same seed for both passes), so the positive pair
   * is identical and teaches nothing. Off (false) is SimCSE itself: independent masks.
   */
  fixedDropoutMask: z.boolean().default(false),
});

export const OptimizerSchema = z.strictObject({
  kind: z.enum(OPTIMIZERS).default('adamw'),
  /** For adafactor, null means Hugging Face's relative step size. */
  lr: z.number().positive().max(10).nullable().default(3e-5),
  weightDecay: z.number().min(0).max(1).default(0),
  warmupSteps: z.number().int().min(0).default(0),
  schedule: z.enum(SCHEDULES).default('constant'),
  clipNorm: z.number().positive().nullable().default(null),
});

export const GradCacheSchema = z.strictObject({ chunkSize: positiveInt });

export const ExperimentSchema = z
  .strictObject({
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    backend: z.enum(BACKEND_PREFS).default('auto'),
    encoder: EncoderSchema.default(EncoderSchema.parse({})),
    data: z
      .strictObject({
        train: TrainDataSchema.default(TrainDataSchema.parse({})),
        eval: EvalDataSchema.nullable().default(null),
      })
      .default({ train: TrainDataSchema.parse({}), eval: null }),
    augment: AugmentSchema.default(AugmentSchema.parse({})),
    objective: ObjectiveSchema.default(ObjectiveSchema.parse({})),
    optimizer: OptimizerSchema.default(OptimizerSchema.parse({})),
    batchSize: z.number().int().min(2).max(4096).default(64),
    maxSteps: z.number().int().min(0).nullable().default(1000),
    epochs: positiveInt.nullable().default(null),
    shuffle: z.boolean().default(true),
    evalEvery: positiveInt.default(125),
    /** Save a checkpoint every K steps (and on pause). */
    checkpointEvery: positiveInt.default(100),
    gradCache: GradCacheSchema.nullable().default(null),
    /**
     * Data-parallel replicas on WASM or CPU (K Web Workers in the browser, K worker_threads in
     * Node): each computes a shard of the step; null means one per core available. GPU backends,
     * hosts without workers or without SharedArrayBuffer train on one (and say so).
     */
    workers: z.number().int().min(1).max(256).nullable().default(null),
  })
  .superRefine((c, ctx) => {
    if (c.maxSteps === null && c.epochs === null) {
      ctx.addIssue({ code: 'custom', path: ['maxSteps'], message: 'set maxSteps or epochs' });
    }
    if (c.gradCache && c.gradCache.chunkSize > c.batchSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['gradCache', 'chunkSize'],
        message: `chunkSize (${c.gradCache.chunkSize}) must not exceed batchSize (${c.batchSize})`,
      });
    }
    const needs: Record<string, readonly string[]> = {
      'simcse-unsup': ['sentences', 'pairs', 'triplets'],
      'simcse-sup': ['triplets'],
      supcon: ['labeled', 'labeled-pairs'],
      rdrop: ['labeled', 'labeled-pairs', 'sts'],
      ce: ['labeled', 'labeled-pairs', 'sts'],
      'logit-contrast': ['labeled', 'labeled-pairs'],
    };
    const ok = needs[c.objective.kind] ?? [];
    if (!ok.includes(c.data.train.kind)) {
      ctx.addIssue({
        code: 'custom',
        path: ['data', 'train', 'kind'],
        message: `objective ${c.objective.kind} needs training data of kind ${ok.join(' or ')}, got ${c.data.train.kind}`,
      });
    }
    if (c.objective.fixedDropoutMask && c.objective.kind !== 'simcse-unsup') {
      ctx.addIssue({
        code: 'custom',
        path: ['objective', 'fixedDropoutMask'],
        message: `fixedDropoutMask is unsupervised SimCSE's control (two dropout views of one sentence); objective ${c.objective.kind} has no such pair, so set it to false`,
      });
    }
    const emb = c.augment.embedding;
    const views = emb === null ? [] : 'kind' in emb ? [emb] : [emb.view1, emb.view2];
    if (
      views.some((v) => v?.kind === 'adversarial') &&
      !['supcon', 'rdrop', 'ce', 'logit-contrast'].includes(c.objective.kind)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['augment', 'embedding'],
        message:
          'the adversarial view needs a supervised objective with labels (supcon, rdrop, ce, logit-contrast)',
      });
    }
  });

export type ExperimentConfig = z.infer<typeof ExperimentSchema>;
export type ExperimentInput = z.input<typeof ExperimentSchema>;
export type EmbeddingViewConfig = z.infer<typeof EmbeddingViewSchema>;
export type EdaConfig = z.infer<typeof EdaSchema>;
