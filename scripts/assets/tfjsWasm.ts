/**
 * Copies tfjs-backend-wasm's .wasm binaries into public/generated/tfjs-wasm/ so that Vite serves
 * them from the app's own origin (never a CDN): dev, preview and the production build.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AssetBuilder } from '../build-assets.ts';

const FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];

export const builder: AssetBuilder = {
  outputs: FILES.map((f) => `tfjs-wasm/${f}`),
  async build(outDir) {
    const require = createRequire(import.meta.url);
    const dist = dirname(
      require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'),
    );
    mkdirSync(join(outDir, 'tfjs-wasm'), { recursive: true });
    for (const f of FILES) copyFileSync(join(dist, f), join(outDir, 'tfjs-wasm', f));
  },
};
