import * as tf from '../tf.ts';

/**
 * PERF (issue 8; measured with `npm run bench`, see docs/benchmarks.md): `x·W + b` whose gradient
 * stays on XNNPACK under the WASM backend.
 *
 * tfjs-backend-wasm (4.22, batch_mat_mul_impl.cc) multiplies through XNNPACK only when neither
 * operand is transposed and both have batch 1; any other BatchMatMul takes a naive blocked loop.
 * The stock gradient of `x·W` is `dy·Wᵀ` (transposeB) and `xᵀ·dy` (transposeA), so every backward
 * product of every Linear took the loop: 10–15× slower than XNNPACK at BERT's shapes, ~90% of a
 * training step. On wasm the gradient here transposes explicitly (a cheap copy) and multiplies
 * plainly; the values are the same products. Other backends keep tf.fused.matMul and its own
 * gradient (their transposed products are native, an explicit transpose would only add work).
 *
 * @param x [N, in]
 * @param w [in, out]
 * @param b [out]
 * @returns [N, out]
 */
export function denseMatMul(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D;
  const forward = (xi: tf.Tensor2D, wi: tf.Tensor2D, bi: tf.Tensor1D, save: tf.GradSaveFunc) => {
    save([xi, wi]);
    const value = tf.fused.matMul({ a: xi, b: wi, bias: bi }); // [N, out]
    const gradFunc = (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [
        tf.matMul(dy, tf.transpose(ws)), // [N, in]  = dy·Wᵀ
        tf.matMul(tf.transpose(xs), dy), // [in, out] = xᵀ·dy
        tf.sum(dy, 0), // [out]
      ];
    };
    return { value, gradFunc };
  };
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, w, b) as tf.Tensor2D;
}
