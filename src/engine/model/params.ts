import { UserError } from '../errors.ts';
import { mixSeed } from '../rng.ts';
import * as tf from '../tf.ts';

/** How a parameter starts in a fresh model (BERT's `_init_weights`). */
export type ParamInit = 'normal' | 'zeros' | 'ones';

/**
 * Creates a module's `tf.Variable`s under their Hugging Face names (no `bert.` prefix), either
 * freshly initialised or from given tensors, so one constructor path serves both
 * `BertModel.random` and `BertModel.fromWeights`.
 *
 * Layout: names are Hugging Face's, values are TF.js's — a Linear weight is stored `[in, out]`
 * (so `x · W`), the transpose of PyTorch's `[out, in]`; `weights/hfNames.ts` transposes on the way
 * in and out.
 */
export class ParamStore {
  readonly variables = new Map<string, tf.Variable>();
  private count = 0;

  private constructor(
    private readonly source:
      | { kind: 'random'; seed: number; std: number }
      | { kind: 'weights'; tensors: Map<string, tf.Tensor>; owner: string },
  ) {}

  /** normal(0, std) weights (std = config.initializer_range), zero biases, LayerNorm 1 / 0. */
  static random(seed: number, std: number): ParamStore {
    return new ParamStore({ kind: 'random', seed, std });
  }

  /**
   * Variables that share the given tensors' data (the caller still owns and disposes its tensors).
   * A missing tensor or a wrong shape is a UserError naming the weight.
   */
  static fromWeights(tensors: Map<string, tf.Tensor>, owner: string): ParamStore {
    return new ParamStore({ kind: 'weights', tensors, owner });
  }

  /**
   * @param paddingRow for embedding tables: the row zeroed at init (HF zeroes `padding_idx`).
   */
  create(name: string, shape: number[], init: ParamInit, paddingRow?: number): tf.Variable {
    if (this.variables.has(name)) throw new Error(`parameter ${name} created twice`);
    const index = this.count++;
    const variable = tf.tidy(() =>
      tf.variable(this.initialValue(name, shape, init, index, paddingRow)),
    );
    this.variables.set(name, variable);
    return variable;
  }

  private initialValue(
    name: string,
    shape: number[],
    init: ParamInit,
    index: number,
    paddingRow: number | undefined,
  ): tf.Tensor {
    const src = this.source;
    if (src.kind === 'weights') {
      const t = src.tensors.get(name);
      if (!t) throw new UserError(`${src.owner}: weight ${name} is missing.`);
      if (!tf.util.arraysEqual(t.shape, shape)) {
        throw new UserError(
          `${src.owner}: weight ${name} has shape [${t.shape.join(', ')}] but the config needs [${shape.join(', ')}].`,
        );
      }
      return t.dtype === 'float32' ? t : t.toFloat();
    }
    if (init === 'zeros') return tf.zeros(shape);
    if (init === 'ones') return tf.ones(shape);
    const w = tf.randomNormal(shape, 0, src.std, 'float32', mixSeed(src.seed, index));
    if (paddingRow === undefined) return w;
    const rows = shape[0]!;
    const keep = tf.oneHot(tf.tensor1d([paddingRow], 'int32'), rows).reshape([rows, 1]); // [V, 1]
    return w.mul(tf.scalar(1).sub(keep));
  }
}
