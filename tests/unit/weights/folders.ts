/** Helpers for the weights tests: model folders held in memory, edited copies of tiny-bert. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  type FileSource,
  type PickedFile,
  pickedFilesSource,
} from '../../../src/engine/weights/fileSources.ts';
import {
  readSafetensors,
  toFloat32,
  writeSafetensors,
} from '../../../src/engine/weights/safetensors.ts';
import { TINY_BERT } from '../model/golden.ts';

/** Every file under `dir`, by relative path. */
export function readFolder(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split('\\').join('/'), new Uint8Array(readFileSync(p)));
    }
  };
  walk(dir);
  return out;
}

/** Files as a browser folder pick would give them (`webkitRelativePath` under a root folder). */
export function pickedFiles(files: Map<string, Uint8Array>, root = 'my-model'): PickedFile[] {
  return [...files].map(([path, bytes]) => ({
    name: path.split('/').pop()!,
    webkitRelativePath: `${root}/${path}`,
    arrayBuffer: async () => bytes.slice().buffer,
  }));
}

export function memorySource(files: Map<string, Uint8Array>): FileSource {
  return pickedFilesSource(pickedFiles(files), 'my-model');
}

export function tinyBertFiles(): Map<string, Uint8Array> {
  return readFolder(TINY_BERT);
}

const enc = new TextEncoder();

/** tiny-bert with config.json fields replaced. */
export function withConfig(
  files: Map<string, Uint8Array>,
  patch: Record<string, unknown>,
): Map<string, Uint8Array> {
  const config = JSON.parse(new TextDecoder().decode(files.get('config.json')!));
  const out = new Map(files);
  out.set('config.json', enc.encode(JSON.stringify({ ...config, ...patch })));
  return out;
}

/** tiny-bert with its checkpoint rewritten: `edit` maps each (name, F32 data, shape) to a new entry or null (drop). */
export function withTensors(
  files: Map<string, Uint8Array>,
  edit: (
    name: string,
    t: { shape: number[]; data: Float32Array },
  ) => [string, { shape: number[]; data: Float32Array }][] | null,
): Map<string, Uint8Array> {
  const st = readSafetensors(files.get('model.safetensors')!);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, e] of st.tensors) {
    if (e.dtype !== 'F32') continue;
    const res = edit(name, { shape: e.shape, data: toFloat32(e, name, st.file) });
    for (const [n, t] of res ?? []) tensors.set(n, t);
  }
  const out = new Map(files);
  out.set('model.safetensors', writeSafetensors(tensors));
  return out;
}
