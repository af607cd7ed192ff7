/**
 * LayerNorm over the last axis, ((x − mean)·(var + eps)^(−½))·γ + β with the biased variance
 * (PyTorch's). On wasm (when the own kernels run, see wasmKernels.ts) one kernel forward and one
 * for all three gradients, each a pass over the rows: the tf ops take about ten kernels forward
 * and twenty backward, among them the sums of γ's and β's gradients over every row, which
 * tfjs-backend-wasm runs as a transpose and a sum (~0.7 ms each at [4096, 128], ×10 a step).
 * The kernels sum in another order than the ops, so the two paths agree to float rounding
 * (tests/unit/kernels/layerNorm.test.ts), not bit for bit. Elsewhere the tf ops, as before.
 */
import * as tf from '../tf.ts';
import { setup, wasmKernelsReady } from './wasmKernels.ts';

export const LAYER_NORM = 'CplayLayerNorm';
export const LAYER_NORM_GRAD = 'CplayLayerNormGrad';

interface Attrs {
  eps: number;
}

function dims(x: tf.TensorInfo, w: tf.TensorInfo, what: string): { rows: number; H: number } {
  const H = x.shape[x.shape.length - 1] ?? 0;
  if (x.dtype !== 'float32' || x.shape.length < 1 || w.shape.length !== 1 || w.shape[0] !== H)
    throw new Error(`${what}: x [${x.shape}] ${x.dtype} with γ [${w.shape}]`);
  return { rows: x.shape.slice(0, -1).reduce((a, d) => a * d, 1), H };
}

tf.registerKernel({
  kernelName: LAYER_NORM,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, weight, bias } = inputs as Record<'x' | 'weight' | 'bias', tf.TensorInfo>;
    const { eps } = attrs as unknown as Attrs;
    const { rows, H } = dims(x, weight, LAYER_NORM);
    if (bias.shape.length !== 1 || bias.shape[0] !== H)
      throw new Error(`${LAYER_NORM}: β [${bias.shape}] for H = ${H}`);
    const { b, k, ptr } = setup(backend);
    const y = b.makeOutput([...x.shape], 'float32');
    k.layer_norm(ptr(x), ptr(weight), ptr(bias), ptr(y), rows, H, eps);
    return y;
  },
});

tf.registerKernel({
  kernelName: LAYER_NORM_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, weight, dy } = inputs as Record<'x' | 'weight' | 'dy', tf.TensorInfo>;
    const { eps } = attrs as unknown as Attrs;
    const { rows, H } = dims(x, weight, LAYER_NORM_GRAD);
    if (dy.shape.join() !== x.shape.join())
      throw new Error(`${LAYER_NORM_GRAD}: dy [${dy.shape}] vs x [${x.shape}]`);
    const { b, k, ptr } = setup(backend);
    const dx = b.makeOutput([...x.shape], 'float32');
    const dw = b.makeOutput([H], 'float32');
    const db = b.makeOutput([H], 'float32');
    k.layer_norm_grad(ptr(x), ptr(weight), ptr(dy), ptr(dx), ptr(dw), ptr(db), rows, H, eps);
    return [dx, dw, db];
  },
});

tf.registerGradient({
  kernelName: LAYER_NORM,
  inputsToSave: ['x', 'weight'],
  gradFunc: (dy, saved, attrs) => {
    const [x, weight] = saved as [tf.Tensor, tf.Tensor];
    const { eps } = attrs as unknown as Attrs;
    // One kernel gives all three; the tape keeps what it uses (its tidy frees the rest).
    const [dx, dw, db] = tf
      .engine()
      .runKernel(LAYER_NORM_GRAD, { x, weight, dy: dy as tf.Tensor }, {
        eps,
      } as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return { x: () => dx!, weight: () => dw!, bias: () => db! };
  },
});

/** The tf-op definition (every backend; the reference the kernels follow). */
export function layerNormOps(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number) {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true); // [..., 1] each
    const normed = x.sub(mean).mul(tf.rsqrt(variance.add(eps)));
    return normed.mul(weight).add(bias);
  });
}

/** LayerNorm of float32 `x` [..., H] with γ, β [H]: the own kernels on wasm, the tf ops elsewhere. */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number) {
  if (x.dtype !== 'float32' || !wasmKernelsReady()) return layerNormOps(x, weight, bias, eps);
  const attrs = { eps } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(LAYER_NORM, { x, weight, bias }, attrs) as tf.Tensor;
}
