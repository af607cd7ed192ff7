/**
 * Node-side asset loader: generated assets from `public/generated/`, committed `builtin/…` ones
 * from `public/builtin/` of the repository (see src/engine/assets.ts for the names).
 * Only hosts that run in Node (CLI, tests, benchmarks) import this file.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AssetName, assetPath, setAssetLoader } from '../assets.ts';

export const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'public');
export const GENERATED_DIR = join(PUBLIC_DIR, 'generated');
export const BUILTIN_DIR = join(PUBLIC_DIR, 'builtin');

/**
 * @param dir where generated assets are read (tests pass a temporary build)
 * @param builtinDir the folder `builtin/…` names resolve in (tests pass a stand-in)
 */
export function installNodeAssetLoader(
  dir: string = GENERATED_DIR,
  builtinDir: string = BUILTIN_DIR,
): void {
  const fileOf = (name: AssetName) => {
    const rel = assetPath(name); // 'generated/x' or 'builtin/…' (checked: no '..')
    return rel.startsWith('builtin/')
      ? join(builtinDir, ...rel.split('/').slice(1))
      : join(dir, name);
  };
  const missing = (name: AssetName, path: string) =>
    name.startsWith('builtin/')
      ? `Built-in asset ${path} is missing: it is committed under public/builtin/; restore the checkout.`
      : `Generated asset ${path} is missing: run \`npm run assets\` first.`;
  setAssetLoader(
    async (name) => {
      const path = fileOf(name);
      try {
        return await readFile(path, 'utf8');
      } catch {
        throw new Error(missing(name, path));
      }
    },
    async (name) => {
      const path = fileOf(name);
      try {
        return new Uint8Array(await readFile(path));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw new Error(`Cannot read asset ${path}: ${(e as Error).message}`);
      }
    },
  );
}
