import { transpose2D, wasmKernelsReady } from '../kernels/index.ts';
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
 * plainly; the values are the same products. The bias gradient rides on the weight product as a
 * row of ones (wasm sums over rows through a transpose). Other backends keep tf.fused.matMul and
 * its own gradient (their transposed products are native, an explicit transpose only adds work).
 * Checked against the stock gradient by `npx tsx bench/verify.ts`.
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
      const [n, inF] = xs.shape;
      // The bias gradient (a column sum of dy, which wasm reduces through a transpose) rides on
      // the weight product as one more row of ones: [xᵀ; 1]·dy = [dW; db].
      // PERF (issue 12): the own transpose kernel (../kernels/wasmKernels.ts) writes [xᵀ; 1] in
      // one pass; the stock Transpose ran at ~13 ns an element here (and a concat copied it again).
      const own = wasmKernelsReady();
      const xt1 = own ? transpose2D(xs, true) : tf.concat([tf.transpose(xs), tf.ones([1, n])], 0); // [in + 1, N]
      const dwb = tf.matMul(xt1, dy); // [in + 1, out]
      return [
        tf.matMul(dy, own ? transpose2D(ws) : tf.transpose(ws)), // [N, in]  = dy·Wᵀ
        tf.slice(dwb, [0, 0], [inF, -1]), // [in, out] = xᵀ·dy
        tf.reshape(tf.slice(dwb, [inF, 0], [1, -1]), [-1]), // [out] = Σ_rows dy
      ];
    };
    return { value, gradFunc };
  };
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, w, b) as tf.Tensor2D;
}
