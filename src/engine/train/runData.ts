/**
 * A run's data, as the Trainer needs it: the training and evaluation sets loaded (errors named by
 * their config field), a few training sentences held out for alignment / uniformity when there is
 * no STS set, and the classifier's number of labels.
 */
import type { ExperimentConfig } from '../config/schema.ts';
import { type DataIO, type Dataset, type Example, loadDataset } from '../data/index.ts';
import { isUserError, UserError } from '../errors.ts';
import { mixSeed, Rng } from '../rng.ts';

const HELD_OUT_MAX = 256;

export interface RunData {
  train: Dataset;
  evalSet: Dataset | null;
  /** The training examples left after holding some out. */
  examples: Example[];
  /** Held-out training sentences (alignment / uniformity without an STS set). */
  heldOut: string[];
  /** Classes of the classifier head (1: regression); null for SimCSE. */
  numLabels: number | null;
}

/** Runs `f`; a user error it throws names `field` unless it already names a config field. */
export async function withField<T>(field: string, f: () => Promise<T>): Promise<T> {
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
}

export async function loadRunData(config: ExperimentConfig, io: DataIO): Promise<RunData> {
  const d = config.data;
  const train = await withField('data.train', () =>
    loadDataset(
      {
        source: d.train.source,
        kind: d.train.kind,
        ...(d.train.columns ? { columns: d.train.columns } : {}),
        ...(d.train.limit ? { limit: d.train.limit } : {}),
      },
      io,
    ),
  );
  const e = d.eval;
  const evalSet = e
    ? await withField('data.eval', () =>
        loadDataset(
          {
            source: e.source,
            kind: e.kind,
            ...(e.columns ? { columns: e.columns } : {}),
            ...(e.limit ? { limit: e.limit } : {}),
          },
          io,
        ),
      )
    : null;
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
  return { train, evalSet, examples, heldOut, numLabels: numLabelsOf(config, train) };
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
