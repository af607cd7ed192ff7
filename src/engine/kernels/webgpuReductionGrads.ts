/**
 * The gradients of Sum and Mean without a CPU-built tensor of ones (issue 12, point 4).
 *
 * tfjs-core's own gradients (gradients/Sum_grad.js, Mean_grad.js) spread dy back over the reduced
 * axes as `dy · ones(x.shape)`: `ones` fills a JS array of x's size, so on WebGPU every backward
 * pass of a reduction uploads a tensor as large as its input. LayerNorm's `moments` holds two
 * means per call, so a bench step (bert-tiny, 128 rows × 32 tokens, 5 LayerNorms) uploaded
 * 10 × 2 MiB of ones. Here dy is broadcast instead (`broadcastTo`: a Tile kernel on the tensor's
 * own backend, one pass, nothing uploaded). The values are bit for bit tfjs-core's: dy · 1 = dy,
 * and the mean's division by the reduced size is the same division.
 *
 * Registered once, over tfjs-core's (the gradient registry is shared by every backend).
 */
import * as tf from '../tf.ts';

/** The axes of `x` a reduction with attribute `axis` reduces, as tfjs's parseAxisParam. */
function axesOf(axis: unknown, rank: number): number[] {
  const list = axis == null ? [...Array(rank).keys()] : Array.isArray(axis) ? axis : [axis];
  return (list as number[]).map((a) => (a < 0 ? rank + a : a));
}

/**
 * dy [reduced shape] → [x.shape]: dy with the reduced axes restored as 1, broadcast to x. Only
 * WebGPU uploads the ones; elsewhere tfjs-core's own `dy · ones` stays (on wasm the stock Tile
 * behind broadcastTo is slower than the multiply).
 */
function spread(dy: tf.Tensor, x: tf.Tensor, axes: number[]): tf.Tensor {
  const expanded = tf.reshape(
    dy,
    x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
  );
  return tf.getBackend() === 'webgpu'
    ? tf.broadcastTo(expanded, x.shape)
    : tf.mul(expanded, tf.ones(x.shape));
}

let registered = false;

export function registerReductionGrads(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const axes = axesOf((attrs as { axis?: unknown }).axis, x.rank);
      return { x: () => spread(dy as tf.Tensor, x, axes) };
    },
  });
  tf.registerGradient({
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const axes = axesOf((attrs as { axis?: unknown }).axis, x.rank);
      const size = axes.reduce((p, a) => p * x.shape[a]!, 1);
      return { x: () => tf.div(spread(dy as tf.Tensor, x, axes), size) };
    },
  });
}

registerReductionGrads();
