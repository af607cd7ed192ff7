import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseBackend } from '../../src/engine/backend.ts';
import * as tf from '../../src/engine/tf.ts';

const require = createRequire(import.meta.url);
const wasmPaths = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;

describe('chooseBackend in Node', () => {
  it('auto falls back past WebGPU and WebGL with reasons in words, and lands on wasm', async () => {
    const choice = await chooseBackend('auto', { wasmPaths });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.reasons.some((r) => r.startsWith('WebGPU: navigator.gpu is missing'))).toBe(true);
    expect(choice.reasons.some((r) => r.startsWith('WebGL:'))).toBe(true);
    expect(choice.wasmThreads).toBeGreaterThanOrEqual(1);
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
