/**
 * The papers' orderings of the journey's chapters: which recipe the paper finds better, with its
 * numbers where it gives them. The results table checks ours against these (./results.ts).
 */
import { type ChapterId, SIMCSE } from './chapters.ts';

/** The paper says recipe `better` scores above (or, for '≥', not below) recipe `worse`. */
export interface PaperOrdering {
  better: ChapterId;
  worse: ChapterId;
  relation: '>' | '≥';
  /** Where the paper says so, with its numbers when it gives them. */
  source: string;
}

/**
 * The papers' orderings the table checks ours against. Where both chapters carry a number from
 * the same table, the direction here is those numbers' (tests/unit/lab/chapters.test.ts checks).
 */
export const PAPER_ORDERINGS: readonly PaperOrdering[] = [
  {
    better: 'simcse-unsup',
    worse: 'dropout-0',
    relation: '>',
    source: `${SIMCSE} Table 3: p = 0.1 82.5 > p = 0 71.1`,
  },
  {
    better: 'simcse-unsup',
    worse: 'dropout-0.5',
    relation: '>',
    source: `${SIMCSE} Table 3: p = 0.1 82.5 > p = 0.5 71.0`,
  },
  {
    better: 'simcse-unsup',
    worse: 'fixed-mask',
    relation: '>',
    source: `${SIMCSE} Table 3: p = 0.1 82.5 > fixed 0.1 (one mask for both views) 43.6`,
  },
  {
    better: 'dropout-0',
    worse: 'fixed-mask',
    relation: '>',
    source: `${SIMCSE} Table 3: p = 0 71.1 > fixed 0.1 43.6`,
  },
  {
    better: 'simcse-unsup',
    worse: 'eda',
    relation: '>',
    source: `${SIMCSE} Table 1: no discrete edit beats dropout's 82.5 (synonym replacement 77.4, word deletion 10% 75.9, crop 10% 77.8, MLM 15% 62.2)`,
  },
  {
    better: 'simcse-unsup',
    worse: 'consert',
    relation: '>',
    source: `STS-B test, BERT-base: unsupervised SimCSE 76.85 (${SIMCSE} Table 5) > ConSERT 73.97 (Yan et al., 2021), each on its own training sentences`,
  },
  {
    better: 'simcse-sup',
    worse: 'simcse-unsup',
    relation: '>',
    source: `${SIMCSE}: supervised 86.2 (Table 4) > unsupervised 82.5 (Table 1), STS-B dev`,
  },
  {
    better: 'simcse-sup',
    worse: 'tau-0.01',
    relation: '>',
    source: `${SIMCSE} Table D.1: τ = 0.05 86.2 > τ = 0.01 85.4`,
  },
  {
    better: 'simcse-sup',
    worse: 'tau-1',
    relation: '>',
    source: `${SIMCSE} Table D.1: τ = 0.05 86.2 > τ = 1 64.0`,
  },
  {
    better: 'rdrop',
    worse: 'ce',
    relation: '≥',
    source:
      'R-Drop (Liang et al., 2021): R-Drop improves plain fine-tuning of BERT-base and RoBERTa-large on GLUE (no number on this data set)',
  },
  {
    better: 'ce',
    worse: 'logit-contrast',
    relation: '>',
    source:
      "this project's first attempt (no paper): contrasting the pre-dense representations did worse than plain CE",
  },
];
