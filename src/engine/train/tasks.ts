/**
 * What each objective encodes and how its loss is formed from the representations.
 * A task turns a batch of examples into segments of rows (views), and the per-segment
 * representations into a scalar loss. The trainer runs it with one tape, or chunked by GradCache.
 */
import type { ExperimentConfig } from '../config/schema.ts';
import type { Example } from '../data/index.ts';
import type { Probe } from '../model/index.ts';
import {
  crossEntropy,
  logitContrast,
  mse,
  rdrop,
  rdropRegression,
  scl,
  simcseSup,
  simcseUnsup,
} from '../objectives/index.ts';
import * as tf from '../tf.ts';
import type { Segment } from './encodeRows.ts';
import type { EncoderBundle } from './encoderSetup.ts';

export interface TaskBatch {
  /** Segments of rows; every segment has `size` rows. */
  segments: Segment[];
  size: number;
  labels?: number[];
  scores?: number[];
}

export interface Task {
  /** Contrastive tasks put SimCSE's MLP over the pooled output (when configured). */
  contrastive: boolean;
  /** Does the loss read labels (so the adversarial view can use its gradient)? */
  supervised: boolean;
  prepare(examples: Example[], textView: (text: string, view: 1 | 2) => string): TaskBatch;
  /** reps[s] is segment s's [size, D]; `training` drives the heads' dropout. */
  loss(reps: tf.Tensor2D[], batch: TaskBatch, ctx: LossContext): tf.Scalar;
}

export interface LossContext {
  bundle: EncoderBundle;
  /** Extra negatives for unsupervised SimCSE (ESimCSE/MoCo queue), [K, D]. */
  queue: tf.Tensor2D | null;
  /** Seed for the heads' dropout in this step. */
  headSeed: number;
  /** Dropout rate of the classification head (the experiment's hidden dropout, 0 when off). */
  headDropout: number;
  /** Observes the head's dropout mask (tests; model/probe.ts). */
  probe?: Probe;
}

function texts(ex: Example[], f: (e: Example) => string | undefined, what: string): string[] {
  return ex.map((e, i) => {
    const t = f(e);
    if (t === undefined) throw new Error(`batch row ${i} has no ${what}`);
    return t;
  });
}

function classify(h: tf.Tensor2D, ctx: LossContext, pass: number): tf.Tensor2D {
  const head = ctx.bundle.classifier;
  if (!head) throw new Error('this objective needs a classification head');
  return head.forward(h, {
    training: true,
    dropout: ctx.headDropout,
    dropoutSeed: ctx.headSeed + pass,
    ...(ctx.probe ? { probe: ctx.probe } : {}),
  });
}

function labelTensor(b: TaskBatch): tf.Tensor1D {
  if (!b.labels) throw new Error('this objective needs labels');
  return tf.tensor1d(b.labels, 'int32');
}

function supervisedInputs(
  examples: Example[],
  pairsKind: boolean,
  view: 1 | 2,
  textView: (t: string, v: 1 | 2) => string,
): Segment {
  const seg: Segment = { texts: examples.map((e) => textView(e.text, view)), view };
  if (pairsKind)
    seg.pairs = texts(examples, (e) => e.text2, 'second sentence').map((t) => textView(t, view));
  return seg;
}

export function makeTask(config: ExperimentConfig): Task {
  const o = config.objective;
  const kind = config.data.train.kind;
  const pairsKind = kind === 'labeled-pairs' || kind === 'sts';
  const regression = kind === 'sts';
  const targets = (b: TaskBatch) => {
    if (regression) {
      if (!b.scores) throw new Error('regression needs scores');
      return { scores: b.scores };
    }
    if (!b.labels) throw new Error('classification needs labels');
    return { labels: b.labels };
  };
  const withTargets = (b: TaskBatch, examples: Example[]): TaskBatch => {
    if (regression) b.scores = examples.map((e) => e.score ?? 0);
    else b.labels = examples.map((e) => e.label ?? 0);
    return b;
  };
  /** One pass over the (labelled) inputs: CE and SupCon/SCL. */
  const onePass: Task['prepare'] = (examples, textView) =>
    withTargets(
      { size: examples.length, segments: [supervisedInputs(examples, pairsKind, 1, textView)] },
      examples,
    );
  const regress = (h: tf.Tensor2D, ctx: LossContext, pass: number) =>
    tf.reshape(classify(h, ctx, pass), [-1]) as tf.Tensor1D;

  switch (o.kind) {
    case 'simcse-unsup':
      return {
        contrastive: true,
        supervised: false,
        prepare(examples, textView) {
          // Sentences: the same text twice (dropout / EDA / embedding views make them differ).
          // Pairs and triplets: the given positive is the second view.
          const second =
            kind === 'sentences' ? (e: Example) => e.text : (e: Example) => e.text2 ?? e.text;
          return {
            size: examples.length,
            segments: [
              { texts: examples.map((e) => textView(e.text, 1)), view: 1 },
              { texts: examples.map((e) => textView(second(e), 2)), view: 2 },
            ],
          };
        },
        loss: (reps, _b, ctx) =>
          simcseUnsup(reps[0]!, reps[1]!, {
            temperature: o.temperature,
            symmetric: o.symmetric,
            ...(ctx.queue ? { queue: ctx.queue } : {}),
          }),
      };
    case 'simcse-sup':
      return {
        contrastive: true,
        supervised: false,
        prepare(examples, textView) {
          return {
            size: examples.length,
            segments: [
              { texts: examples.map((e) => textView(e.text, 1)), view: 1 },
              {
                texts: texts(examples, (e) => e.text2, 'positive').map((t) => textView(t, 2)),
                view: 2,
              },
              {
                texts: texts(examples, (e) => e.text3, 'hard negative').map((t) => textView(t, 2)),
                view: 2,
              },
            ],
          };
        },
        loss: (reps) =>
          simcseSup(reps[0]!, reps[1]!, reps[2]!, {
            temperature: o.temperature,
            hardNegativeWeight: o.hardNegativeWeight,
          }),
      };
    case 'supcon':
      return {
        contrastive: false,
        supervised: true,
        prepare: onePass,
        loss(reps, b, ctx) {
          const h = reps[0]!;
          return scl(classify(h, ctx, 0), h, labelTensor(b), {
            temperature: o.temperature,
            lambda: o.lambda,
          });
        },
      };
    case 'ce':
      return {
        contrastive: false,
        supervised: true,
        prepare: onePass,
        loss(reps, b, ctx) {
          const t = targets(b);
          if (t.scores) return mse(regress(reps[0]!, ctx, 0), tf.tensor1d(t.scores));
          return crossEntropy(classify(reps[0]!, ctx, 0), labelTensor(b));
        },
      };
    case 'rdrop':
    case 'logit-contrast':
      return {
        contrastive: false,
        supervised: true,
        prepare: (examples, textView) =>
          withTargets(
            {
              size: examples.length,
              segments: [
                supervisedInputs(examples, pairsKind, 1, textView),
                supervisedInputs(examples, pairsKind, 2, textView),
              ],
            },
            examples,
          ),
        loss(reps, b, ctx) {
          const [h1, h2] = [reps[0]!, reps[1]!];
          const t = targets(b);
          if (o.kind === 'rdrop') {
            if (t.scores) {
              return rdropRegression(
                regress(h1, ctx, 0),
                regress(h2, ctx, 1),
                tf.tensor1d(t.scores),
                {
                  alpha: o.alpha,
                },
              );
            }
            return rdrop(classify(h1, ctx, 0), classify(h2, ctx, 1), labelTensor(b), {
              alpha: o.alpha,
            });
          }
          if (t.scores) throw new Error('logit-contrast needs class labels, not scores');
          return logitContrast(classify(h1, ctx, 0), classify(h2, ctx, 1), h1, h2, labelTensor(b), {
            temperature: o.temperature,
            alpha: o.alpha,
          });
        },
      };
  }
}
