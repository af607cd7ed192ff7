import * as tf from '../tf.ts';

/**
 * Embedding lookup `table[ids]` with a gradient that is fast and exact on every backend.
 *
 * `tf.gather`'s gradient is `UnsortedSegmentSum`, which the WASM backend lacks and the
 * CPU backend evaluates once per vocabulary row. Here the gradient is a scatter-add
 * (`tf.scatterND`, which sums duplicate indices) of the upstream rows into a zero
 * `[V, H]` table: O(N·H) work for N looked-up tokens, present on cpu, wasm, webgl and webgpu.
 *
 * @param table [V, H] float32 embedding matrix (usually a tf.Variable)
 * @param ids   int32 ids of any shape S, values in [0, V)
 * @returns     [...S, H]
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const [vocab, hidden] = table.shape;
  const outShape = [...ids.shape, hidden];
  const flatIds = (ids.dtype === 'int32' ? ids : ids.toInt()).reshape([-1]) as tf.Tensor1D; // [N]
  const forward = (t: tf.Tensor, save: tf.GradSaveFunc) => {
    save([flatIds]);
    const value = tf.gather(t as tf.Tensor2D, flatIds); // [N, H]
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const idx = (saved[0] as tf.Tensor1D).expandDims(1) as tf.Tensor2D; // [N, 1]
      return tf.scatterND(idx, dy.reshape([-1, hidden]), [vocab, hidden]); // [V, H]
    };
    return { value, gradFunc };
  };
  const lookup = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return (lookup(table) as tf.Tensor).reshape(outShape);
}
