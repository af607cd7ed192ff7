import { mixSeed } from '../rng.ts';
import * as tf from '../tf.ts';
import { dropout, Linear } from './layers.ts';
import { ParamStore } from './params.ts';
import type { Probe } from './probe.ts';

/** The classifier's dropout site: a seed stream apart from the encoder's sites. */
const CLASSIFIER_SITE = 0x7fff_0001;

export interface HeadOptions {
  training: boolean;
  /** Default: the head's own rate (classifier_dropout, else hidden_dropout_prob). */
  dropout?: number;
  /** The pass's dropout seed, as in ForwardOptions (same seed → same mask). */
  dropoutSeed?: number;
  /** Observes the dropout mask as `classifier.dropout` (tests; see ./probe.ts). */
  probe?: Probe;
}

/**
 * `BertForSequenceClassification`'s head: dropout, then Linear H → numLabels on the pooled
 * output. numLabels = 1 is a regression head (its output is the prediction, trained with MSE).
 * Variables `classifier.weight` ([in, out] here, PyTorch [out, in] on export) and `classifier.bias`.
 */
export class ClassifierHead {
  private readonly linear: Linear;
  private readonly vars: Map<string, tf.Variable>;
  private passCounter = 0;

  private constructor(
    params: ParamStore,
    readonly hidden: number,
    readonly numLabels: number,
    readonly dropoutRate: number,
    private readonly passSeed: number,
  ) {
    if (!Number.isInteger(numLabels) || numLabels < 1) {
      throw new Error(`numLabels must be a positive integer, got ${numLabels}`);
    }
    this.linear = new Linear(params, 'classifier', hidden, numLabels);
    this.vars = params.variables;
  }

  /** normal(0, std) weight, zero bias. */
  static random(
    hidden: number,
    numLabels: number,
    seed: number,
    dropoutRate = 0.1,
    std = 0.02,
  ): ClassifierHead {
    return new ClassifierHead(
      ParamStore.random(seed, std),
      hidden,
      numLabels,
      dropoutRate,
      mixSeed(seed, 1),
    );
  }

  /** From `classifier.weight` [in, out] and `classifier.bias` [numLabels] (shared, not copied). */
  static fromWeights(
    hidden: number,
    numLabels: number,
    tensors: Map<string, tf.Tensor>,
    dropoutRate = 0.1,
  ): ClassifierHead {
    return new ClassifierHead(
      ParamStore.fromWeights(tensors, 'ClassifierHead'),
      hidden,
      numLabels,
      dropoutRate,
      0,
    );
  }

  /** [B, H] pooled → [B, numLabels] logits (or regression outputs when numLabels = 1). */
  forward(pooled: tf.Tensor2D, opts: HeadOptions): tf.Tensor2D {
    return tf.tidy(() => {
      let x: tf.Tensor = pooled;
      const rate = opts.dropout ?? this.dropoutRate;
      if (opts.training && rate > 0) {
        const seed = opts.dropoutSeed ?? mixSeed(this.passSeed, this.passCounter++);
        const probe = opts.probe;
        x = dropout(
          x,
          rate,
          mixSeed(seed, CLASSIFIER_SITE),
          probe && ((kept) => probe('classifier.dropout', kept)),
        );
      }
      return this.linear.apply(x) as tf.Tensor2D; // [B, numLabels]
    });
  }

  variables(): Map<string, tf.Variable> {
    return this.vars;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }
}
