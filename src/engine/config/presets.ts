/**
 * One-click experiments: the steps of the journey the playground teaches, and the papers'
 * settings. Each preset is a partial config merged over the playground default, plus one or two
 * sentences on what to watch for. Offline presets use the built-in data; the papers' presets name
 * the catalogue's Hub sets (they need the network once, then the browser cache).
 */
import type { ExperimentInput } from './schema.ts';

export interface Preset {
  id: string;
  title: string;
  /** What to watch for, in one or two sentences. */
  watch: string;
  /** Works with no network (built-in encoder and data). */
  offline: boolean;
  config: ExperimentInput;
}

/**
 * The playground's default: a small built-in encoder learns unsupervised SimCSE on the built-in
 * Brown corpus. A random-init encoder needs a larger learning rate than SimCSE's 3e-5 (which is
 * for fine-tuning a pre-trained BERT).
 */
export const PLAYGROUND_DEFAULT: ExperimentInput = {
  seed: 0,
  encoder: {
    source: 'builtin',
    builtin: { layers: 2, hidden: 128, heads: 2, intermediate: 512 },
    pooling: 'cls',
    mlpHead: 'train-only',
    maxLength: 32,
  },
  data: { train: { source: 'builtin:default', kind: 'sentences' }, eval: null },
  objective: { kind: 'simcse-unsup', temperature: 0.05 },
  optimizer: { kind: 'adamw', lr: 5e-4, warmupSteps: 20, schedule: 'linear' },
  batchSize: 32,
  maxSteps: 500,
  evalEvery: 25,
  checkpointEvery: 25,
};

const GENRES = { source: 'builtin:brown-genres', kind: 'labeled' } as const;
const GENRES_EVAL = { source: 'builtin:brown-genres-test', kind: 'labeled' } as const;

export const PRESETS: readonly Preset[] = [
  {
    id: 'eda',
    title: 'EDA views',
    watch:
      'Two EDA edits of each sentence are the positives, dropout off. Open the preview: a deleted 不 turns 我不会再爱你 into its opposite, and the loss cannot tell.',
    offline: true,
    config: {
      augment: {
        dropout: false,
        eda: {
          synonymReplacement: 0.1,
          randomInsertion: 0.1,
          randomSwap: 0.1,
          randomDeletion: 0.1,
        },
      },
    },
  },
  {
    id: 'consert',
    title: 'ConSERT: shuffle + feature cutoff',
    watch:
      "View 1 shuffles the position ids, view 2 zeroes 20% of the embedding columns (ConSERT's best pair, τ = 0.1). Compare alignment with the dropout-only run.",
    offline: true,
    config: {
      augment: {
        dropout: true,
        embedding: { view1: { kind: 'shuffle' }, view2: { kind: 'feature-cutoff', rate: 0.2 } },
      },
      objective: { kind: 'simcse-unsup', temperature: 0.1 },
    },
  },
  {
    id: 'simcse-unsup',
    title: 'Unsupervised SimCSE (dropout)',
    watch:
      'The same sentence twice, with dropout p = 0.1, is the only augmentation. Uniformity falls fast while alignment stays low: the bottom-left of the plane.',
    offline: true,
    config: {},
  },
  {
    id: 'simcse-sup',
    title: 'Supervised SimCSE with hard negatives',
    watch:
      'NLI entailments are positives and contradictions hard negatives (SNLI/MNLI triplets from the Hub). STS Spearman should climb well above the unsupervised run.',
    offline: false,
    config: {
      data: {
        train: { source: 'catalogue:nli-simcse', kind: 'triplets', limit: 20000 },
        eval: { source: 'catalogue:stsb@validation', kind: 'sts' },
      },
      objective: { kind: 'simcse-sup', temperature: 0.05, hardNegativeWeight: 0 },
      encoder: { mlpHead: 'always' },
      batchSize: 64,
    },
  },
  {
    id: 'rdrop',
    title: 'R-Drop on a classifier',
    watch:
      'Two dropout passes of a genre classifier; the symmetric KL between them (α = 1) regularises. Compare accuracy with plain cross-entropy.',
    offline: true,
    config: {
      data: { train: GENRES, eval: GENRES_EVAL },
      objective: { kind: 'rdrop', alpha: 1 },
      encoder: { pooling: 'cls', mlpHead: 'none' },
    },
  },
  {
    id: 'logit-contrast',
    title: 'Contrast pre-dense logits (vs R-Drop)',
    watch:
      'Cross-entropy plus an InfoNCE between the two dropout views of the encoder output, not the probabilities. Overlay it with the R-Drop run to see which generalises better.',
    offline: true,
    config: {
      data: { train: GENRES, eval: GENRES_EVAL },
      objective: { kind: 'logit-contrast', alpha: 1, temperature: 0.05 },
      encoder: { pooling: 'cls', mlpHead: 'none' },
    },
  },
  {
    id: 'supcon',
    title: 'SupCon + CE',
    watch:
      'Same-genre sentences pull together (λ = 0.9, τ = 0.3, Gunel et al.); the projection should show the classes separating before accuracy moves.',
    offline: true,
    config: {
      data: { train: GENRES, eval: GENRES_EVAL },
      objective: { kind: 'supcon', lambda: 0.9, temperature: 0.3 },
      encoder: { pooling: 'cls', mlpHead: 'none' },
    },
  },
];

/** The papers' own settings (for pre-trained encoders), used by the CLI and the model card. */
export const PAPER_SETTINGS: Record<string, ExperimentInput> = {
  'simcse-unsup': {
    encoder: {
      pooling: 'cls',
      mlpHead: 'train-only',
      hiddenDropout: 0.1,
      attentionDropout: 0.1,
      maxLength: 32,
    },
    data: {
      train: { source: 'catalogue:wiki1m', kind: 'sentences' },
      eval: { source: 'catalogue:stsb@validation', kind: 'sts' },
    },
    objective: { kind: 'simcse-unsup', temperature: 0.05 },
    optimizer: { kind: 'adamw', lr: 3e-5, schedule: 'linear' },
    batchSize: 64,
    maxSteps: null,
    epochs: 1,
    evalEvery: 125,
  },
  'simcse-sup': {
    encoder: { pooling: 'cls', mlpHead: 'always', maxLength: 32 },
    data: {
      train: { source: 'catalogue:nli-simcse', kind: 'triplets' },
      eval: { source: 'catalogue:stsb@validation', kind: 'sts' },
    },
    objective: { kind: 'simcse-sup', temperature: 0.05, hardNegativeWeight: 0 },
    optimizer: { kind: 'adamw', lr: 5e-5, schedule: 'linear' },
    batchSize: 512,
    maxSteps: null,
    epochs: 3,
    evalEvery: 125,
  },
  consert: {
    augment: {
      dropout: false,
      embedding: { view1: { kind: 'shuffle' }, view2: { kind: 'feature-cutoff', rate: 0.2 } },
    },
    objective: { kind: 'simcse-unsup', temperature: 0.1 },
    optimizer: { kind: 'adamw', lr: 5e-7, warmupSteps: 0 },
    batchSize: 96,
  },
  rdrop: {
    data: {
      train: { source: 'catalogue:sst2@train', kind: 'labeled' },
      eval: { source: 'catalogue:sst2@validation', kind: 'labeled' },
    },
    encoder: { mlpHead: 'none' },
    objective: { kind: 'rdrop', alpha: 1 },
    optimizer: { kind: 'adamw', lr: 2e-5, schedule: 'linear' },
  },
  eda: {
    augment: {
      dropout: false,
      eda: { synonymReplacement: 0.1, randomInsertion: 0.1, randomSwap: 0.1, randomDeletion: 0.1 },
    },
  },
};

type Obj = Record<string, unknown>;

/** Deep merge of partial configs (objects merge, everything else replaces). */
export function mergeConfig(base: ExperimentInput, ...over: ExperimentInput[]): ExperimentInput {
  const merge = (a: unknown, b: unknown): unknown => {
    if (b === undefined) return a;
    if (
      a &&
      b &&
      typeof a === 'object' &&
      typeof b === 'object' &&
      !Array.isArray(a) &&
      !Array.isArray(b)
    ) {
      const out: Obj = { ...(a as Obj) };
      for (const [k, v] of Object.entries(b as Obj)) out[k] = merge(out[k], v);
      return out;
    }
    return b;
  };
  return over.reduce<unknown>((acc, o) => merge(acc, o), base) as ExperimentInput;
}

export function presetConfig(id: string): ExperimentInput {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`unknown preset ${id}`);
  return mergeConfig(PLAYGROUND_DEFAULT, p.config);
}
