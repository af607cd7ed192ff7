/**
 * Sentence embeddings from encoder outputs, with SimCSE's pooler definitions
 * (SimCSE `simcse/models.py`, class `Pooler`; `cls` is BERT's pooler output as SimCSE's
 * `evaluation.py` uses it), and SimCSE's MLP head.
 */
import { UserError } from '../errors.ts';
import * as tf from '../tf.ts';
import type { EncoderOutput } from './bert.ts';
import { Linear } from './layers.ts';
import { ParamStore } from './params.ts';

export const POOLINGS = ['cls', 'cls_before_pooler', 'mean', 'avg_first_last', 'avg_top2'] as const;

/**
 * - `cls`: BERT's pooler output, tanh(dense(h_L[:, 0])).
 * - `cls_before_pooler`: h_L[:, 0], the last layer's [CLS] row.
 * - `mean`: masked mean of the last layer over real tokens.
 * - `avg_first_last`: masked mean of (hidden_states[0] + hidden_states[-1]) / 2; as in SimCSE's
 *   code, "first" is the embedding output, not layer 1.
 * - `avg_top2`: masked mean of (hidden_states[-1] + hidden_states[-2]) / 2.
 */
export type Pooling = (typeof POOLINGS)[number];

export function isPooling(s: string): s is Pooling {
  return (POOLINGS as readonly string[]).includes(s);
}

/** A pooling name from a user (CLI flag, config); a UserError lists the valid ones. */
export function parsePooling(s: string, where = 'pooling'): Pooling {
  if (!isPooling(s)) {
    throw new UserError(`Unknown ${where} "${s}"; choose one of ${POOLINGS.join(', ')}.`);
  }
  return s;
}

/**
 * Mean of x over the real tokens of each row.
 * @param x    [B, L, H]
 * @param mask [B, L] 1 for real tokens, 0 for padding (int32 or float32)
 * @returns    [B, H]
 */
export function maskedMean(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  // A batched matMul, not mul + sum over axis 1: fewer kernels, and on WebGPU a transpose of an
  // int32 mask cast to float32 (a relabel there, not a conversion) compiles a bad shader and reads 0.
  return tf.tidy(() => {
    const [B, , H] = x.shape;
    const m = mask.toFloat(); // [B, L]
    const sum = tf.matMul(m.expandDims(1) as tf.Tensor3D, x).reshape([B, H]); // [B, H]
    return sum.div(m.sum(1, true)) as tf.Tensor2D; // [B, H] / [B, 1]
  });
}

/**
 * The sentence embedding of each row.
 * @param out           the encoder's output for a batch
 * @param attentionMask [B, L] the mask the batch was encoded with
 * @returns             [B, H]
 */
export function pool(
  out: EncoderOutput,
  attentionMask: tf.Tensor2D,
  pooling: Pooling,
): tf.Tensor2D {
  const hs = out.hiddenStates;
  const last = out.lastHiddenState; // [B, L, H]
  switch (pooling) {
    case 'cls':
      return out.poolerOutput.clone();
    case 'cls_before_pooler': {
      const [B, , H] = last.shape;
      return tf.tidy(() => last.slice([0, 0, 0], [B, 1, H]).reshape([B, H]) as tf.Tensor2D);
    }
    case 'mean':
      return maskedMean(last, attentionMask);
    case 'avg_first_last':
      return tf.tidy(() => maskedMean(hs[0]!.add(last).div(2) as tf.Tensor3D, attentionMask));
    case 'avg_top2':
      if (hs.length < 2) throw new Error('avg_top2 needs at least two hidden states');
      return tf.tidy(() =>
        maskedMean(last.add(hs[hs.length - 2]!).div(2) as tf.Tensor3D, attentionMask),
      );
  }
}

/**
 * SimCSE's `MLPLayer` (dense H→H + tanh) over the pooled [CLS] representation, used in training
 * (`mlp_only_train`) and optionally kept at test time. Variables: `mlp.dense.weight` ([in, out]
 * here, PyTorch [out, in] on export) and `mlp.dense.bias`.
 */
export class MlpHead {
  private readonly dense: Linear;
  private readonly vars: Map<string, tf.Variable>;

  private constructor(
    params: ParamStore,
    readonly hidden: number,
  ) {
    this.dense = new Linear(params, 'mlp.dense', hidden, hidden);
    this.vars = params.variables;
  }

  /** normal(0, std) weight, zero bias (std: BERT's initializer_range). */
  static random(hidden: number, seed: number, std = 0.02): MlpHead {
    return new MlpHead(ParamStore.random(seed, std), hidden);
  }

  /** From `mlp.dense.weight` [in, out] and `mlp.dense.bias` [H] (shared, not copied). */
  static fromWeights(hidden: number, tensors: Map<string, tf.Tensor>): MlpHead {
    return new MlpHead(ParamStore.fromWeights(tensors, 'MlpHead'), hidden);
  }

  /** [B, H] → [B, H] */
  forward(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.tanh(this.dense.apply(x)) as tf.Tensor2D);
  }

  variables(): Map<string, tf.Variable> {
    return this.vars;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }
}
