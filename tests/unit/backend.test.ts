import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseBackend } from '../../src/engine/backend.ts';
import * as tf from '../../src/engine/tf.ts';

const require = createRequire(import.meta.url);
const wasmPaths = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;

describe('chooseBackend in Node', () => {
  it('auto: WebGPU is missing, so WASM is the one candidate; no probe, reasons in words', async () => {
    const choice = await chooseBackend('auto', { wasmPaths });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.reasons).toEqual([
      'WebGPU: navigator.gpu is missing (this browser or context has no WebGPU).',
      'WebGL: not tried (it runs only where neither WebGPU nor WASM starts).',
    ]);
    // Nothing to compare, so nothing measured (tests/unit/backendProbe.test.ts runs the probe).
    expect(choice.probe).toBeUndefined();
    expect(choice.wasmThreads).toBeGreaterThanOrEqual(1);
  });

  it('auto falls back to CPU (past WebGL, which needs OffscreenCanvas) when no candidate starts', async () => {
    const choice = await chooseBackend('auto', { candidates: ['webgpu'] });
    expect(choice.name).toBe('cpu');
    expect(choice.reasons).toEqual([
      'WebGPU: navigator.gpu is missing (this browser or context has no WebGPU).',
      'WebGL: no OffscreenCanvas here, so no WebGL context can be made.',
    ]);
  });

  it('a forced backend runs and says it was chosen', async () => {
    const choice = await chooseBackend('cpu');
    expect(choice).toEqual({ name: 'cpu', reasons: ['CPU was chosen by the user.'] });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('a forced backend that cannot start throws with the reason', async () => {
    await expect(chooseBackend('webgpu')).rejects.toThrow(/navigator\.gpu is missing/);
  });
});
