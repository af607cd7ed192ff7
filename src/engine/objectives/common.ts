import * as tf from '../tf.ts';

/**
 * Small tensor helpers shared by the objectives and the metrics. Every function here is a
 * pure function of its inputs and is differentiable wherever the losses need it to be.
 */

/** Integer class labels: an int32 tensor [N] or plain numbers (converted inside the caller's tidy). */
export type Labels = tf.Tensor1D | readonly number[];

/**
 * Row-wise L2 normalisation `x / max(‖x‖, 1e-12)`, the same guard as PyTorch's
 * `F.normalize(x, dim=1)`. A zero row stays zero instead of becoming NaN.
 *
 * @param x [N, D]
 * @returns [N, D] with unit-norm rows
 */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const sq = tf.sum(tf.square(x), 1, true); // [N, 1]
    const norm = tf.sqrt(tf.maximum(sq, 1e-24)); // [N, 1] = max(‖x‖, 1e-12)
    return tf.div(x, norm) as tf.Tensor2D; // [N, D]
  });
}

/**
 * Cosine similarity matrix divided by a temperature: `cos(a_i, b_j) / τ`.
 *
 * @param a [N, D]
 * @param b [M, D]
 * @returns [N, M]
 */
export function cosineLogits(a: tf.Tensor2D, b: tf.Tensor2D, temperature: number): tf.Tensor2D {
  assertTemperature(temperature);
  return tf.tidy(() => {
    const sim = tf.matMul(l2Normalize(a), l2Normalize(b), false, true); // [N, M]
    return tf.div(sim, temperature) as tf.Tensor2D;
  });
}

/**
 * Mean softmax cross-entropy `-1/N Σ_i log softmax(logits_i)[labels_i]`, identical to
 * PyTorch's `F.cross_entropy(logits, labels)` (reduction 'mean', no label smoothing).
 *
 * @param logits [N, C]
 * @param labels [N] integers in [0, C)
 * @returns scalar
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: Labels): tf.Scalar {
  const [n, c] = logits.shape;
  return tf.tidy(() => {
    const y = labelTensor(labels, n, 'labels', c); // [N] int32
    const logProb = tf.logSoftmax(logits, -1); // [N, C]
    const picked = tf.sum(tf.mul(logProb, tf.oneHot(y, c)), 1); // [N]
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/**
 * Identity in the forward pass with a zero gradient: `x` is treated as a constant by
 * `tf.grads` / `tf.variableGrads` (PyTorch's `x.detach()`).
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return op(x) as T;
}

/**
 * `labels` as an int32 tensor [n]; throws when the count differs from `n` and, for plain
 * numbers, when a value is not an integer in [0, numClasses) (tensors are not read back).
 */
export function labelTensor(
  labels: Labels,
  n: number,
  what: string,
  numClasses = Number.POSITIVE_INFINITY,
): tf.Tensor1D {
  if (labels instanceof tf.Tensor) {
    if (labels.rank !== 1 || labels.shape[0] !== n) {
      throw new Error(`${what} must have shape [${n}], got [${labels.shape.join(', ')}]`);
    }
    return (labels.dtype === 'int32' ? tf.clone(labels) : tf.cast(labels, 'int32')) as tf.Tensor1D;
  }
  if (labels.length !== n) {
    throw new Error(`${what} must have ${n} entries, got ${labels.length}`);
  }
  for (const v of labels) {
    if (!Number.isInteger(v)) throw new Error(`${what} must be integers, got ${v}`);
    if (v < 0 || v >= numClasses) {
      throw new Error(`${what} must lie in [0, ${numClasses}), got ${v}`);
    }
  }
  return tf.tensor1d(labels as number[], 'int32');
}

export function assertTemperature(temperature: number): void {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(`temperature must be a finite number > 0, got ${temperature}`);
  }
}

export function assertRank2(x: tf.Tensor, what: string): asserts x is tf.Tensor2D {
  if (x.rank !== 2)
    throw new Error(`${what} must be a 2-D tensor [N, D], got [${x.shape.join(', ')}]`);
}

export function assertSameShape(a: tf.Tensor, b: tf.Tensor, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${what}: shapes differ, [${a.shape.join(', ')}] vs [${b.shape.join(', ')}]`);
  }
}
