/**
 * The recipes of the quality benchmark, as experiment configs for the engine's Trainer (the
 * PyTorch reference reads the same numbers from the job file, see prepare.ts):
 *
 *   default       random-init built-in encoder (2 layers, hidden 128, 2 heads, intermediate 512,
 *                 the built-in 8k vocabulary) on builtin:wordnet-pairs (the pair's second sentence
 *                 is the positive), symmetric unsupervised SimCSE, AdamW 5e-4, warm-up 30, linear
 *                 decay, 300 steps
 *   tiny-dropout  the pretrained encoder (builtin:bert-tiny-en) on builtin:wiki, unsupervised
 *                 SimCSE with dropout 0.1 (SimCSE's recipe), AdamW 1e-4, linear decay, 200 steps
 *   tiny-nodrop   the same with hiddenDropout = attentionDropout = 0
 *   tiny-eda      the same with EDA views (augment.eda with its default rates), no dropout views
 *
 * All: mean pooling, no MLP, τ 0.05, batch 64, max length 32, weight decay 0 (the config's
 * default), no clipping. lr 1e-4 for the pretrained encoder is fixed in advance for a tiny BERT
 * (SimCSE's 3e-5 is for bert-base; small BERTs take larger steps), not tuned on these results.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentInput } from '../../src/engine/config/schema.ts';
import { BUILTIN_SETS } from '../../src/engine/data/loadDataset.ts';
import { REPO_ROOT, SHARED_DATA } from '../prepare.ts';

export const RECIPE_NAMES = ['default', 'tiny-dropout', 'tiny-nodrop', 'tiny-eda'] as const;
export type RecipeName = (typeof RECIPE_NAMES)[number];

export const BATCH_SIZE = 64;
export const MAX_LENGTH = 32;
export const TEMPERATURE = 0.05;
/** AdamW as the engine's defaults (optim/optimizer.ts) and torch.optim.AdamW's. */
export const BETAS: [number, number] = [0.9, 0.999];
export const EPS = 1e-8;
export const WEIGHT_DECAY = 0;

export interface Recipe {
  name: RecipeName;
  title: string;
  /** Full-run steps. */
  steps: number;
  lr: number;
  /** Warm-up of the full run; a shorter run scales it (30 of 300 → 2 of 20). */
  warmup: number;
  /** Whether it starts from the pretrained encoder (else random init of `seed`). */
  pretrained: boolean;
}

export const RECIPES: Record<RecipeName, Recipe> = {
  default: {
    name: 'default',
    title: 'random init · WordNet pairs · symmetric SimCSE',
    steps: 300,
    lr: 5e-4,
    warmup: 30,
    pretrained: false,
  },
  'tiny-dropout': {
    name: 'tiny-dropout',
    title: 'bert-tiny-en · wiki · dropout 0.1',
    steps: 200,
    lr: 1e-4,
    warmup: 0,
    pretrained: true,
  },
  'tiny-nodrop': {
    name: 'tiny-nodrop',
    title: 'bert-tiny-en · wiki · dropout 0',
    steps: 200,
    lr: 1e-4,
    warmup: 0,
    pretrained: true,
  },
  'tiny-eda': {
    name: 'tiny-eda',
    title: 'bert-tiny-en · wiki · EDA views, no dropout',
    steps: 200,
    lr: 1e-4,
    warmup: 0,
    pretrained: true,
  },
};

/**
 * A `builtin:<name>` set when this build has it, else the same file from the shared data (the
 * committed copies are arriving; the bench runs either way and records which it read).
 */
export function dataSource(name: 'wordnet-pairs' | 'wiki' | 'stsb-dev' | 'stsb-test'): string {
  if (Object.hasOwn(BUILTIN_SETS, name)) return `builtin:${name}`;
  const fallback: Record<string, string> = {
    wiki: join(SHARED_DATA, 'wiki1m-subset', 'wiki1m_head.txt'),
    'stsb-dev': join(SHARED_DATA, 'stsb', 'dev.tsv'),
    'stsb-test': join(SHARED_DATA, 'stsb', 'test.tsv'),
  };
  const path = fallback[name];
  if (!path) throw new Error(`builtin:${name} is not in this build (run npm run assets)`);
  return path;
}

/** The committed pretrained encoder, when this checkout has it. */
export const BERT_TINY_EN = join(REPO_ROOT, 'public', 'builtin', 'models', 'bert-tiny-en');
export function hasBertTinyEn(): boolean {
  return existsSync(join(BERT_TINY_EN, 'config.json'));
}

export interface RunShape {
  steps: number;
  seed: number;
  /** encoder.source of the start: 'builtin' (random init) or a model folder / builtin:<name>. */
  encoder: string;
  /** STS pairs evaluated (null: the whole set). */
  evalPairs: number | null;
}

/** Warm-up for a run of `steps` steps: the recipe's, scaled when the run is shorter. */
export function warmupFor(r: Recipe, steps: number): number {
  return steps >= r.steps ? r.warmup : Math.round((r.warmup * steps) / r.steps);
}

/** The recipe as an experiment config (encoder.source is replaced by the start folder later). */
export function recipeConfig(r: Recipe, s: RunShape): ExperimentInput {
  const pretrained = r.pretrained;
  const dropout = r.name === 'tiny-nodrop' ? 0 : 0.1;
  return {
    seed: s.seed,
    backend: 'wasm',
    encoder: {
      source: s.encoder,
      builtin: { layers: 2, hidden: 128, heads: 2, intermediate: 512 },
      pooling: 'mean',
      mlpHead: 'none',
      hiddenDropout: dropout,
      attentionDropout: dropout,
      maxLength: MAX_LENGTH,
    },
    data: {
      train: pretrained
        ? { source: dataSource('wiki'), kind: 'sentences' }
        : { source: dataSource('wordnet-pairs'), kind: 'pairs' },
      eval: { source: dataSource('stsb-dev'), kind: 'sts', limit: s.evalPairs },
    },
    augment: {
      dropout: r.name !== 'tiny-eda',
      eda: r.name === 'tiny-eda' ? {} : null,
      embedding: null,
    },
    objective: {
      kind: 'simcse-unsup',
      temperature: TEMPERATURE,
      symmetric: !pretrained,
    },
    optimizer: {
      kind: 'adamw',
      lr: r.lr,
      weightDecay: WEIGHT_DECAY,
      warmupSteps: warmupFor(r, s.steps),
      schedule: 'linear',
      clipNorm: null,
    },
    batchSize: BATCH_SIZE,
    maxSteps: s.steps,
    shuffle: true,
    evalEvery: s.steps,
    checkpointEvery: 1_000_000,
  };
}
