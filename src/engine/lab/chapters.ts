/**
 * The journey: the story of contrastive sentence embeddings as an ordered list of chapters, each
 * a recipe (a page preset with the chapter's changes merged over it), a claim in plain words, the
 * metric it is read by and, where the paper reports one, the paper's own number with its table.
 * The lab is a layer over runs: these are plain configs, run by the page's worker or `cplay lab`.
 *
 * The papers' numbers are for BERT-base on the papers' full data (10⁶ Wikipedia sentences, NLI);
 * ours are a 2-layer BERT on the offline sets, so the table compares the *shape* (which recipe
 * wins, PAPER_ORDERINGS in ./orderings.ts), never the values. Every number below was read in the paper's text
 * (SimCSE arXiv v4; ConSERT as quoted in SimCSE-era tables); none is rounded or guessed.
 * Chapter ids (CHAPTER_IDS) are a public contract; their order here is the journey's reading order.
 */

import { mergeConfig, presetConfig } from '../config/presets.ts';
import type { ExperimentInput } from '../config/schema.ts';
import { UserError } from '../errors.ts';

/** The public chapter ids (`cplay lab --chapters`, results.json): extend, never rename. */
export const CHAPTER_IDS = [
  'eda',
  'consert',
  'wordnet',
  'simcse-unsup',
  'dropout-0',
  'dropout-0.5',
  'fixed-mask',
  'simcse-sup',
  'tau-0.01',
  'tau-1',
  'rdrop',
  'logit-contrast',
  'ce',
  'supcon',
  'gradcache',
  'adafactor',
] as const;
export type ChapterId = (typeof CHAPTER_IDS)[number];

/** STS-B dev Spearman × 100 (cosine, no regressor) or genre accuracy % on the held-out split. */
export type LabMetric = 'spearman' | 'accuracy';

export const METRIC_LABEL: Record<LabMetric, string> = {
  spearman: 'STS-B dev Spearman × 100',
  accuracy: 'Brown genres test accuracy %',
};

export interface PaperNumber {
  value: number;
  /** Paper, table and row, so a reader finds it in a minute. */
  citation: string;
  /** What the number measures (the paper's model, data and split). */
  measure: string;
}

/** How long a chapter trains: the quick setting (~150 steps) and the full one. */
export interface LabSetting {
  maxSteps: number;
  evalEvery: number;
}

export interface Chapter {
  id: ChapterId;
  title: string;
  /** What the chapter shows, in plain words. */
  claim: string;
  /** The page preset the recipe starts from (src/engine/config/presets.ts). */
  preset: string;
  /** The chapter's changes over the preset (deep-merged). */
  recipe: ExperimentInput;
  metric: LabMetric;
  paper: PaperNumber | null;
  quick: LabSetting;
  full: LabSetting;
}

export const SIMCSE = 'SimCSE (Gao et al., 2021)';
const STSB_DEV_BASE = 'STS-B dev Spearman, BERT-base, 10⁶ Wikipedia sentences, batch 64';
const STSB_DEV_SUP = 'STS-B dev Spearman, supervised SimCSE-BERT-base on SNLI + MNLI';

const QUICK: LabSetting = { maxSteps: 150, evalEvery: 25 };
const FULL: LabSetting = { maxSteps: 1000, evalEvery: 100 };

/** The project's own pre-trained small English BERT (it lands in public/builtin/models/). */
export const PRETRAINED_ENCODER = 'builtin:bert-tiny-en';
const PRETRAINED = { source: PRETRAINED_ENCODER, pooling: 'mean', mlpHead: 'none' } as const;
const GENRES = {
  train: { source: 'builtin:brown-genres', kind: 'labeled' },
  eval: { source: 'builtin:brown-genres-test', kind: 'labeled' },
} as const;

/** Unsupervised SimCSE on the Wikipedia sentences from the pre-trained encoder (p = 0.1, τ = 0.05). */
const UNSUP: ExperimentInput = {
  encoder: { ...PRETRAINED, hiddenDropout: 0.1, attentionDropout: 0.1 },
  data: {
    train: { source: 'builtin:wiki', kind: 'sentences' },
    eval: { source: 'builtin:stsb-dev', kind: 'sts' },
  },
  augment: { dropout: true, eda: null, embedding: null },
  objective: { kind: 'simcse-unsup', temperature: 0.05, symmetric: false },
  batchSize: 64,
};

/** Supervised SimCSE on WordNet triplets (a sister synset's definition is the hard negative). */
const SUP: ExperimentInput = {
  encoder: PRETRAINED,
  data: {
    train: { source: 'builtin:wordnet-triplets', kind: 'triplets' },
    eval: { source: 'builtin:stsb-dev', kind: 'sts' },
  },
  augment: { dropout: true, eda: null, embedding: null },
  // hardNegativeWeight is log α; α = 1 is SimCSE's best (Table 7: 86.2, as α = 2).
  objective: { kind: 'simcse-sup', temperature: 0.05, hardNegativeWeight: 0 },
  batchSize: 64,
};

/** Unsupervised SimCSE at 4× the batch (256) in chunks of 64 with GradCache. */
const GRADCACHE: ExperimentInput = mergeConfig(UNSUP, {
  batchSize: 256,
  gradCache: { chunkSize: 64 },
});

const CLASSIFIER: ExperimentInput = { encoder: PRETRAINED, data: GENRES, batchSize: 64 };

export const CHAPTERS: readonly Chapter[] = [
  {
    id: 'eda',
    title: 'EDA views',
    claim:
      'Two EDA edits of each sentence (synonym swap, insertion, swap, deletion), dropout off, are the positives. A deleted word can flip the meaning (我不会再爱你 → 我会再爱你) and the loss cannot tell; SimCSE found every discrete edit below plain dropout.',
    preset: 'eda',
    recipe: mergeConfig(UNSUP, {
      augment: {
        dropout: false,
        eda: {
          synonymReplacement: 0.1,
          randomInsertion: 0.1,
          randomSwap: 0.1,
          randomDeletion: 0.1,
          combine: 'one',
        },
      },
    }),
    metric: 'spearman',
    // SimCSE has no EDA row; its nearest discrete edits are given in PAPER_ORDERINGS' source.
    paper: null,
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'consert',
    title: 'ConSERT: shuffle + feature cutoff',
    claim:
      "Views made on the token embeddings: view 1 shuffles the positions, view 2 zeroes 20% of the embedding columns, dropout off, τ = 0.1 (ConSERT's best unsupervised pair).",
    preset: 'consert',
    recipe: mergeConfig(UNSUP, {
      augment: {
        dropout: false,
        embedding: { view1: { kind: 'shuffle' }, view2: { kind: 'feature-cutoff', rate: 0.2 } },
      },
      objective: { temperature: 0.1 },
    }),
    metric: 'spearman',
    paper: {
      value: 73.97,
      citation: 'ConSERT (Yan et al., 2021), main table: unsupervised ConSERT-BERT-base',
      measure:
        "STS-B test Spearman, BERT-base trained on the STS sets' unlabelled sentences (not dev, not Wikipedia)",
    },
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'wordnet',
    title: "WordNet pairs from scratch (the playground's default)",
    claim:
      "A random-init encoder learns sentence similarity from WordNet's own pairs (a synset's lemmas, definition and examples are positives of each other), contrastively in both directions. No paper number: this is the playground's offline supervised baseline.",
    preset: 'default',
    recipe: {},
    metric: 'spearman',
    paper: null,
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'simcse-unsup',
    title: 'Unsupervised SimCSE (dropout p = 0.1)',
    claim:
      'The same sentence twice through the pre-trained encoder with independent dropout masks (p = 0.1) is the positive pair; the other sentences of the batch are the negatives. Dropout is the minimal augmentation: it keeps alignment while uniformity improves.',
    preset: 'simcse-unsup-pretrained',
    recipe: UNSUP,
    metric: 'spearman',
    paper: {
      value: 82.5,
      citation: `${SIMCSE}, Table 1 "None (unsup. SimCSE)" and Table 3 p = 0.1`,
      measure: STSB_DEV_BASE,
    },
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'dropout-0',
    title: 'SimCSE with no dropout (p = 0)',
    claim:
      'With p = 0 the two views are identical: the positive pair teaches nothing and alignment degrades (SimCSE Figure 2).',
    preset: 'simcse-unsup-pretrained',
    recipe: mergeConfig(UNSUP, { encoder: { hiddenDropout: 0, attentionDropout: 0 } }),
    metric: 'spearman',
    paper: { value: 71.1, citation: `${SIMCSE}, Table 3, p = 0.0`, measure: STSB_DEV_BASE },
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'dropout-0.5',
    title: 'SimCSE with heavy dropout (p = 0.5)',
    claim:
      'Too much noise: p = 0.5 views differ so much that the positive pair stops meaning "same sentence".',
    preset: 'simcse-unsup-pretrained',
    recipe: mergeConfig(UNSUP, { encoder: { hiddenDropout: 0.5, attentionDropout: 0.5 } }),
    metric: 'spearman',
    paper: { value: 71.0, citation: `${SIMCSE}, Table 3, p = 0.5`, measure: STSB_DEV_BASE },
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'fixed-mask',
    title: 'SimCSE with one fixed dropout mask for both views',
    claim:
      'Dropout stays on (p = 0.1), but both views of a sentence get the same mask: the positive pair is one vector twice (its logit is always 1/τ), so only the negatives push. SimCSE found this far worse than independent masks, and worse than no dropout at all: the views must differ, by noise, for the positive pair to teach.',
    preset: 'simcse-unsup-pretrained',
    recipe: mergeConfig(UNSUP, { objective: { fixedDropoutMask: true } }),
    metric: 'spearman',
    paper: {
      value: 43.6,
      citation: `${SIMCSE}, Table 3, "Fixed 0.1" (p = 0.1, the same dropout mask for the pair)`,
      measure: STSB_DEV_BASE,
    },
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'simcse-sup',
    title: 'Supervised SimCSE with hard negatives',
    claim:
      "Labelled positives (WordNet's pairs offline; NLI entailments in the paper) plus a hard negative per anchor (a sister synset's definition; a contradiction in the paper). Supervision improves alignment beyond what dropout alone keeps.",
    preset: 'simcse-unsup-pretrained',
    recipe: SUP,
    metric: 'spearman',
    paper: {
      value: 86.2,
      citation: `${SIMCSE}, Table 4 (entailment + contradiction as hard negatives) and Table 7 α = 1`,
      measure: STSB_DEV_SUP,
    },
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'tau-0.01',
    title: 'Supervised SimCSE, τ = 0.01',
    claim:
      'A smaller temperature sharpens the softmax over cosine similarities: the hardest negatives dominate the loss.',
    preset: 'simcse-unsup-pretrained',
    recipe: mergeConfig(SUP, { objective: { temperature: 0.01 } }),
    metric: 'spearman',
    paper: {
      value: 85.4,
      citation: `${SIMCSE}, Table D.1, τ = 0.01 (its τ = 0.05 entry, 86.2, is the supervised model of Table 4)`,
      measure: STSB_DEV_SUP,
    },
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'tau-1',
    title: 'Supervised SimCSE, τ = 1',
    claim:
      'A large temperature flattens the softmax: cosine similarities lie in [-1, 1], so at τ = 1 positives and negatives barely separate in the loss.',
    preset: 'simcse-unsup-pretrained',
    recipe: mergeConfig(SUP, { objective: { temperature: 1 } }),
    metric: 'spearman',
    paper: {
      value: 64.0,
      citation: `${SIMCSE}, Table D.1, τ = 1`,
      measure: STSB_DEV_SUP,
    },
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'rdrop',
    title: 'R-Drop on a classifier',
    claim:
      'Two dropout passes of a genre classifier; CE on both plus α · the symmetric KL between their predicted distributions (α = 1) regularises the head and the encoder.',
    preset: 'rdrop',
    recipe: mergeConfig(CLASSIFIER, { objective: { kind: 'rdrop', alpha: 1 } }),
    metric: 'accuracy',
    paper: null,
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'logit-contrast',
    title: 'CE + InfoNCE on the pre-dense representations',
    claim:
      "The seed's failed recipe: cross-entropy plus an InfoNCE between the two dropout views of the representation before the classifier, instead of R-Drop's KL between the predictions.",
    preset: 'logit-contrast',
    recipe: mergeConfig(CLASSIFIER, {
      objective: { kind: 'logit-contrast', alpha: 1, temperature: 0.05 },
    }),
    metric: 'accuracy',
    paper: null,
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'ce',
    title: 'Plain cross-entropy',
    claim: 'The classifier baseline: one pass, cross-entropy on the genre labels, nothing else.',
    preset: 'rdrop',
    recipe: mergeConfig(CLASSIFIER, { objective: { kind: 'ce' } }),
    metric: 'accuracy',
    paper: null,
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'supcon',
    title: 'SupCon + CE',
    claim:
      'Same-genre sentences are positives of each other (λ = 0.9, τ = 0.3, Gunel et al.); (1 − λ)·CE keeps the classifier trained. The projection should show the classes separating.',
    preset: 'supcon',
    recipe: mergeConfig(CLASSIFIER, {
      objective: { kind: 'supcon', lambda: 0.9, temperature: 0.3 },
    }),
    metric: 'accuracy',
    paper: null,
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'gradcache',
    title: 'Unsupervised SimCSE at 4× the batch with GradCache',
    claim:
      "Batch 256 in the memory of 64: GradCache embeds the chunks without gradient, takes the loss over all 256, then back-propagates each chunk replaying its dropout masks. The gradient is exactly the big batch's (plain accumulation would be wrong: each chunk would see only its own negatives).",
    preset: 'simcse-unsup-pretrained',
    recipe: GRADCACHE,
    metric: 'spearman',
    paper: null,
    quick: QUICK,
    full: FULL,
  },
  {
    id: 'adafactor',
    title: 'GradCache at 4× the batch with Adafactor instead of AdamW',
    claim:
      "The gradcache recipe with Adafactor's optimiser state instead of AdamW's. AdamW keeps two floats per weight (exp_avg, exp_avg_sq); Adafactor (no first moment) keeps a row and a column average per weight matrix and one float per bias or LayerNorm weight: for bert-tiny-en 66.8 KiB instead of 11.3 MiB, some 170× less (Shazeer & Stern, 2018, report memory, not STS). Adafactor also brings its own step size (relative step, update clipping), so the score may move too.",
    preset: 'simcse-unsup-pretrained',
    // lr null: Adafactor's relative step min(1e-2, 1/√t) scaled by RMS(weight), Hugging Face's
    // default (its `lr=None`); the preset's AdamW schedule does not apply.
    recipe: mergeConfig(GRADCACHE, { optimizer: { kind: 'adafactor', lr: null } }),
    metric: 'spearman',
    paper: null,
    quick: QUICK,
    full: FULL,
  },
];

/** A chapter by its public id; an unknown id is a UserError listing the known ones. */
export function chapterById(id: string, what = '--chapters'): Chapter {
  const c = CHAPTERS.find((x) => x.id === id);
  if (!c)
    throw new UserError(
      `${what}: there is no chapter "${id}"; the chapters are ${CHAPTER_IDS.join(', ')}.`,
    );
  return c;
}

/** `a,b,c` → those chapters in the journey's order (duplicates once); empty text → every chapter. */
export function parseChapterList(text: string | undefined, what = '--chapters'): Chapter[] {
  if (text === undefined || text.trim() === '') return [...CHAPTERS];
  const ids = new Set(
    text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
  for (const id of ids) chapterById(id, what);
  return CHAPTERS.filter((c) => ids.has(c.id));
}

export type LabLength = 'quick' | 'full';

/**
 * A chapter's whole config: its preset (over the playground default), its recipe, the setting's
 * steps and evaluation cadence (a checkpoint at each evaluation), then `overrides` (tests, a Hub
 * encoder swapped in) over everything. Validate the result with parseExperiment.
 */
export function chapterConfig(
  chapter: Chapter,
  length: LabLength,
  ...overrides: ExperimentInput[]
): ExperimentInput {
  const s = chapter[length];
  return mergeConfig(
    presetConfig(chapter.preset),
    chapter.recipe,
    { maxSteps: s.maxSteps, epochs: null, evalEvery: s.evalEvery, checkpointEvery: s.evalEvery },
    ...overrides,
  );
}
