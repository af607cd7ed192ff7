/**
 * Node-side asset loader: reads `public/generated/` from the repository.
 * Only hosts that run in Node (CLI, tests, benchmarks) import this file.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AssetName, setAssetLoader } from '../assets.ts';

export const GENERATED_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'public',
  'generated',
);

export function installNodeAssetLoader(dir: string = GENERATED_DIR): void {
  setAssetLoader(async (name: AssetName) => {
    const path = join(dir, name);
    try {
      return await readFile(path, 'utf8');
    } catch {
      throw new Error(`Generated asset ${path} is missing: run \`npm run assets\` first.`);
    }
  });
}
