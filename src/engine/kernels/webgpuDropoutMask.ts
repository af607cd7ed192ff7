/**
 * The dropout kernels of dropoutMask.ts on WebGPU: WGSL programs in tfjs-backend-webgpu's own
 * program shape (as its FillProgram: a flat dispatch of 64-wide workgroups, `main(index)`,
 * `setOutputAtIndex`, scalars as uniforms), run through the backend's `runWebGPUProgram`. The
 * mask is hashed on the GPU from (seed, flat index), so a dropout costs one dispatch and no
 * upload; the program depends on the rank only, so its pipeline is compiled once per rank.
 *
 * Nothing is imported from @tensorflow/tfjs-backend-webgpu: the kernel receives the backend
 * object and calls its method, so registering these (a table entry keyed 'webgpu') is harmless
 * where that backend never starts (Node, tests).
 */
import * as tf from '../tf.ts';
import type { DropoutKeys } from './dropoutMask.ts';

/** The part of tfjs-backend-webgpu's WebGPUProgram these programs fill in. */
interface WebgpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms: string;
  getUserCode(): string;
}

interface WebgpuBackendLike {
  runWebGPUProgram(
    program: WebgpuProgram,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    programUniforms?: { type: string; data: number[] }[],
  ): tf.TensorInfo;
}

const WORKGROUP = 64;

/** The WGSL twin of dropoutMask.ts's mix32 / dropoutBits (u32 multiplies and adds wrap). */
const HASH = `
  fn cplayMix32(v : u32) -> u32 {
    var x = v;
    x = x ^ (x >> 16u);
    x = x * 0x7feb352du;
    x = x ^ (x >> 15u);
    x = x * 0x846ca68bu;
    x = x ^ (x >> 16u);
    return x;
  }
  fn cplayKeep(index : i32) -> bool {
    let bits = cplayMix32(cplayMix32(u32(index) ^ uniforms.k0) + uniforms.k1);
    return bits >= uniforms.threshold;
  }
`;

/** `withInput`: out = x · (keep ? scale : 0); else out = keep ? 1 : 0 (the mask). */
function program(shape: number[], withInput: boolean): WebgpuProgram {
  const size = shape.reduce((p, d) => p * d, 1);
  const value = withInput
    ? 'x[index] * select(0.0, uniforms.scale, cplayKeep(index))'
    : 'select(0.0, 1.0, cplayKeep(index))';
  return {
    variableNames: withInput ? ['x'] : [],
    outputShape: [...shape],
    shaderKey: withInput ? 'cplayDropout' : 'cplayDropoutMask',
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: [Math.ceil(size / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    uniforms: 'k0 : u32, k1 : u32, threshold : u32, scale : f32,',
    getUserCode: () => `
      ${HASH}
      fn main(index : i32) {
        if (index < uniforms.size) {
          setOutputAtIndex(index, ${value});
        }
      }
    `,
  };
}

function uniforms(k: DropoutKeys): { type: string; data: number[] }[] {
  return [
    { type: 'uint32', data: [k.k0] },
    { type: 'uint32', data: [k.k1] },
    { type: 'uint32', data: [k.threshold] },
    { type: 'float32', data: [k.scale] },
  ];
}

/** Registers both kernels for 'webgpu' (unless already there). */
export function registerWebgpuDropout(
  dropoutKernel: string,
  maskKernel: string,
  keysOf: (seed: number, rate: number) => DropoutKeys,
): void {
  if (!tf.getKernel(dropoutKernel, 'webgpu')) {
    tf.registerKernel({
      kernelName: dropoutKernel,
      backendName: 'webgpu',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const x = inputs.x as tf.TensorInfo;
        const { seed, rate } = attrs as unknown as { seed: number; rate: number };
        return (backend as unknown as WebgpuBackendLike).runWebGPUProgram(
          program([...x.shape], true),
          [x],
          'float32',
          uniforms(keysOf(seed, rate)),
        );
      },
    });
  }
  if (!tf.getKernel(maskKernel, 'webgpu')) {
    tf.registerKernel({
      kernelName: maskKernel,
      backendName: 'webgpu',
      kernelFunc: ({ backend, attrs }) => {
        const { seed, rate, shape } = attrs as unknown as {
          seed: number;
          rate: number;
          shape: number[];
        };
        return (backend as unknown as WebgpuBackendLike).runWebGPUProgram(
          program([...shape], false),
          [],
          'float32',
          uniforms(keysOf(seed, rate)),
        );
      },
    });
  }
}
