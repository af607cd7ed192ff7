/**
 * Checkpoints in a folder (Node): `<dir>/<runId>.ckpt.json` holds everything but the float data,
 * `<dir>/<runId>.ckpt.bin` the float32 data of weights, optimiser slots and the queue, in the
 * order the JSON lists them. Written to temporary names and renamed, so a crash mid-write keeps
 * the previous checkpoint.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint, CheckpointStore } from '../train/checkpoint.ts';

type Json = unknown;

/** Replaces every Float32Array in `value` by {"$f32": index} and collects the arrays. */
function split(value: Json, arrays: Float32Array[]): Json {
  if (value instanceof Float32Array) {
    arrays.push(value);
    return { $f32: arrays.length - 1, length: value.length };
  }
  if (Array.isArray(value)) return value.map((v) => split(v, arrays));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, split(v, arrays)]));
  }
  return value;
}

function join32(value: Json, arrays: Float32Array[]): Json {
  if (Array.isArray(value)) return value.map((v) => join32(v, arrays));
  if (value && typeof value === 'object') {
    const o = value as Record<string, Json>;
    if (typeof o.$f32 === 'number') {
      const a = arrays[o.$f32];
      if (!a) throw new Error(`checkpoint data is missing array ${o.$f32}`);
      return a;
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, join32(v, arrays)]));
  }
  return value;
}

export function folderCheckpointStore(dir: string): CheckpointStore {
  const paths = (runId: string) => ({
    json: join(dir, `${runId}.ckpt.json`),
    bin: join(dir, `${runId}.ckpt.bin`),
  });
  return {
    async save(runId, ckpt) {
      await mkdir(dir, { recursive: true });
      const arrays: Float32Array[] = [];
      const meta = split(ckpt, arrays);
      const total = arrays.reduce((n, a) => n + a.length, 0);
      const bin = new Float32Array(total);
      let at = 0;
      for (const a of arrays) {
        bin.set(a, at);
        at += a.length;
      }
      const p = paths(runId);
      await writeFile(`${p.bin}.tmp`, new Uint8Array(bin.buffer));
      await writeFile(
        `${p.json}.tmp`,
        JSON.stringify({ meta, lengths: arrays.map((a) => a.length) }),
      );
      await rename(`${p.bin}.tmp`, p.bin);
      await rename(`${p.json}.tmp`, p.json);
    },
    async load(runId) {
      const p = paths(runId);
      let text: string;
      try {
        text = await readFile(p.json, 'utf8');
      } catch {
        return null;
      }
      const { meta, lengths } = JSON.parse(text) as { meta: Json; lengths: number[] };
      const buf = await readFile(p.bin);
      const all = new Float32Array(
        buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
      );
      const arrays: Float32Array[] = [];
      let at = 0;
      for (const n of lengths) {
        arrays.push(all.slice(at, at + n));
        at += n;
      }
      return join32(meta, arrays) as Checkpoint;
    },
    async remove(runId) {
      const p = paths(runId);
      await rm(p.json, { force: true });
      await rm(p.bin, { force: true });
    },
  };
}
