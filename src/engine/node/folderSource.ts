/**
 * A model folder on disk as a FileSource (Node hosts only: CLI, tests, benchmarks).
 */
import { statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import type { FileSource } from '../weights/fileSources.ts';

export function folderSource(dir: string): FileSource {
  const root = resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    throw new UserError(`Model folder ${dir} does not exist.`);
  }
  if (!isDir)
    throw new UserError(
      `${dir} is not a folder; --model needs a model folder (config.json, model.safetensors, vocab.txt).`,
    );
  const pathOf = (path: string) => {
    const rel = normalize(path);
    if (isAbsolute(rel) || rel.startsWith('..'))
      throw new Error(`path ${path} leaves the model folder`);
    return join(root, rel);
  };
  return {
    describe: dir,
    async read(path) {
      try {
        return new Uint8Array(await readFile(pathOf(path)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new UserError(`Cannot read ${join(dir, path)}: ${(e as Error).message}.`);
      }
    },
    async has(path) {
      try {
        return (await stat(pathOf(path))).isFile();
      } catch {
        return false;
      }
    },
  };
}
