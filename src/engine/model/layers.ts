/**
 * The building blocks under BERT: Linear, LayerNorm, the activations of `hidden_act`, and
 * replayable dropout.
 */
import { dropoutApply, dropoutMask } from '../kernels/dropoutMask.ts';
import { geluErf } from '../kernels/gelu.ts';
import { layerNorm } from '../kernels/layerNorm.ts';
// LayerNorm's backward (moments' means) without a CPU-built tensor of ones: no WebGPU upload.
import '../kernels/webgpuReductionGrads.ts';
import { mixSeed } from '../rng.ts';
import * as tf from '../tf.ts';
import type { HiddenAct } from './config.ts';
import { denseMatMul } from './denseMatMul.ts';
import type { ParamStore } from './params.ts';
import type { Probe } from './probe.ts';

/** y = x·W + b, W stored [in, out] (PyTorch's nn.Linear stores the transpose). */
export class Linear {
  readonly weight: tf.Variable; // [in, out]
  readonly bias: tf.Variable; // [out]

  constructor(
    params: ParamStore,
    name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
  ) {
    this.weight = params.create(`${name}.weight`, [inFeatures, outFeatures], 'normal');
    this.bias = params.create(`${name}.bias`, [outFeatures], 'zeros');
  }

  /** [..., in] → [..., out] */
  apply(x: tf.Tensor): tf.Tensor {
    const lead = x.shape.slice(0, -1);
    const x2 = x.reshape([-1, this.inFeatures]) as tf.Tensor2D; // [N, in]
    // PERF (issue 8): denseMatMul keeps the WASM backend's gradient products on XNNPACK.
    const y = denseMatMul(x2, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D); // [N, out]
    return y.reshape([...lead, this.outFeatures]);
  }
}

/** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) · γ + β, biased variance as PyTorch. */
export class LayerNorm {
  readonly weight: tf.Variable; // [H] γ
  readonly bias: tf.Variable; // [H] β

  constructor(
    params: ParamStore,
    name: string,
    hidden: number,
    readonly eps: number,
  ) {
    this.weight = params.create(`${name}.weight`, [hidden], 'ones');
    this.bias = params.create(`${name}.bias`, [hidden], 'zeros');
  }

  /** [..., H] → [..., H] */
  apply(x: tf.Tensor): tf.Tensor {
    // One kernel each way on wasm (kernels/layerNorm.ts); the tf ops elsewhere.
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** transformers' ACT2FN, elementwise. */
export function activation(name: HiddenAct): (x: tf.Tensor) => tf.Tensor {
  switch (name) {
    case 'gelu': // exact: 0.5·x·(1 + erf(x/√2)); one kernel each way on wasm (kernels/gelu.ts)
      return geluErf;
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
    case 'gelu_fast': // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      return (x) => {
        const cube = x.mul(x).mul(x); // x³ (pow of a negative base is unsafe on some backends)
        return x.mul(0.5).mul(tf.tanh(x.add(cube.mul(0.044715)).mul(SQRT_2_OVER_PI)).add(1));
      };
    case 'quick_gelu':
      return (x) => x.mul(tf.sigmoid(x.mul(1.702)));
    case 'relu':
      return (x) => tf.relu(x);
    case 'silu':
    case 'swish':
      return (x) => x.mul(tf.sigmoid(x));
    case 'tanh':
      return (x) => tf.tanh(x);
  }
}

/**
 * Inverted dropout with a replayable mask: element i kept where a counter-based hash of
 * (seed, i) clears the rate (../kernels/dropoutMask.ts), kept values scaled by 1/(1-rate)
 * (PyTorch's `nn.Dropout`). One kernel on the tensor's own backend: on WebGPU the mask is hashed
 * in the shader, nothing is uploaded. The same seed and shape always give the same mask, on every
 * backend bit for bit.
 */
export function dropout(
  x: tf.Tensor,
  rate: number,
  seed: number,
  onMask?: (kept: tf.Tensor) => void,
): tf.Tensor {
  if (rate <= 0) return x;
  if (!(rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${rate}`);
  if (onMask) {
    // A probe (tests): the 0/1 mask this call applies; only drawn when someone looks.
    const kept = dropoutMask([...x.shape], rate, seed);
    onMask(kept);
    kept.dispose();
  }
  return dropoutApply(x, rate, seed);
}

/**
 * Which dropout to apply in one pass. `seed` is the pass's seed; every dropout site derives its
 * own mask seed as `mixSeed(seed, site)`, so a pass replays exactly (GradCache) and two passes
 * with different seeds (SimCSE's two views) differ.
 */
export interface DropoutPlan {
  hidden: number;
  attention: number;
  seed: number;
  /** Receives each site's 0/1 keep mask as `dropout.<site>` (see ./probe.ts). */
  probe?: Probe;
}

/** Dropout at site `site` of a pass, or x unchanged when the pass has none (eval mode). */
export function siteDropout(
  x: tf.Tensor,
  plan: DropoutPlan | null,
  rate: 'hidden' | 'attention',
  site: number,
): tf.Tensor {
  if (!plan) return x;
  const probe = plan.probe;
  return dropout(
    x,
    plan[rate],
    mixSeed(plan.seed, site),
    probe && ((kept) => probe(`dropout.${site}`, kept)),
  );
}
