/**
 * Node-side `DataIO` for the CLI, tests and benchmarks: files are opened relative to a base
 * folder as lazy Blobs (`fs.openAsBlob`, so big files are read in chunks, never whole), and an
 * optional folder cache keeps Hub downloads between runs.
 */
import { createHash } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { DataCache, DataIO } from '../data/types.ts';
import { UserError } from '../errors.ts';

/** A cache in a folder: one file per key, named by the key's SHA-256. */
export function folderDataCache(dir: string): DataCache {
  const pathOf = (key: string) => join(dir, createHash('sha256').update(key).digest('hex'));
  return {
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch {
        return undefined;
      }
    },
    async put(key, bytes) {
      await mkdir(dir, { recursive: true });
      const path = pathOf(key);
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    },
  };
}

export interface NodeDataIOOptions extends Omit<DataIO, 'openFile' | 'cache'> {
  /** Folder for the download cache (none when omitted). */
  cacheDir?: string;
}

/** A DataIO whose `openFile` reads paths relative to `baseDir` (absolute paths as they are). */
export function nodeDataIO(baseDir: string, opts: NodeDataIOOptions = {}): DataIO {
  const { cacheDir, ...rest } = opts;
  const io: DataIO = {
    ...rest,
    async openFile(source: string) {
      const path = isAbsolute(source) ? source : resolve(baseDir, source);
      let info: Awaited<ReturnType<typeof stat>>;
      try {
        info = await stat(path);
      } catch {
        throw new UserError(`The data file ${source} was not found (looked for ${path}).`);
      }
      if (!info.isFile()) throw new UserError(`The data source ${source} is a folder, not a file.`);
      return openAsBlob(path);
    },
  };
  if (cacheDir) io.cache = folderDataCache(cacheDir);
  return io;
}
