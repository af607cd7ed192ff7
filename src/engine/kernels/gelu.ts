/**
 * GELU with the error function, 0.5·x·(1 + erf(x/√2)) (PyTorch `F.gelu`, BERT's `gelu`). On wasm
 * (when the own kernels run, see wasmKernels.ts) one kernel forward and one for the gradient,
 * each a single pass over memory, where the tf ops take five passes forward and about ten
 * backward over the FFN's [B·L, 4H] activations. They compute the ops' own float32 operations in
 * the same order (wasmKernels.c gelu4 / gelu_grad4), so both paths give the same bits
 * (tests/unit/kernels/gelu.test.ts). Elsewhere the tf ops, as before.
 */
import * as tf from '../tf.ts';
import { setup, wasmKernelsReady } from './wasmKernels.ts';

export const GELU = 'CplayGelu';
export const GELU_GRAD = 'CplayGeluGrad';

const numel = (t: tf.TensorInfo) => t.shape.reduce((a, d) => a * d, 1);

tf.registerKernel({
  kernelName: GELU,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') throw new Error(`${GELU} takes float32, got ${x.dtype}`);
    const { b, k, ptr } = setup(backend);
    const out = b.makeOutput([...x.shape], 'float32');
    k.gelu_f32(ptr(x), ptr(out), numel(x));
    return out;
  },
});

tf.registerKernel({
  kernelName: GELU_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    if (numel(dy) !== numel(x)) throw new Error(`${GELU_GRAD}: dy [${dy.shape}] vs x [${x.shape}]`);
    const { b, k, ptr } = setup(backend);
    const out = b.makeOutput([...x.shape], 'float32');
    k.gelu_grad_f32(ptr(x), ptr(dy), ptr(out), numel(x));
    return out;
  },
});

tf.registerGradient({
  kernelName: GELU,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    return { x: () => tf.engine().runKernel(GELU_GRAD, { x, dy: dy as tf.Tensor }) as tf.Tensor };
  },
});

/** The tf-op definition (every backend; the reference the kernels follow). */
export function geluOps(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)));
}

/** GELU (erf) of a float32 tensor: the own kernel on wasm, the tf ops elsewhere. */
export function geluErf(x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && wasmKernelsReady())
    return tf.engine().runKernel(GELU, { x }) as tf.Tensor;
  return geluOps(x);
}
