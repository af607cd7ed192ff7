import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { setWasmKernelsEnabled } from '../../src/engine/kernels/wasmKernels.ts';
import * as tf from '../../src/engine/tf.ts';

/**
 * Registers the real TF.js WASM backend in Node (its .wasm files come from node_modules)
 * and switches to it. Returns a function that switches back to the previous backend.
 */
export async function useNodeWasmBackend(): Promise<() => Promise<void>> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  const dist = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
  wasm.setWasmPaths(dist);
  const previous = tf.getBackend();
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('the wasm backend failed to initialise in Node');
  return async () => {
    await tf.setBackend(previous);
  };
}

/**
 * The enclosing suite runs on the real wasm backend: switched to before its tests (from cpu, so
 * a fresh backend is set even if wasm already was) and back after, with the own kernels turned
 * back on in case a test turned them off.
 */
export function onWasmBackend(): void {
  let restore: () => Promise<void>;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    restore = await useNodeWasmBackend();
  });
  afterAll(async () => {
    setWasmKernelsEnabled(true);
    await restore();
  });
}
