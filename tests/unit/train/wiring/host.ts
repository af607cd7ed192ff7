/**
 * Shared by the wiring tests and tests/fixtures/wiring/dump_masks.ts: a trainer on the cpu backend
 * whose sources resolve from the repository root, with a probe that records what each training
 * step feeds the encoder and the loss (src/engine/model/probe.ts), and readers for the PyTorch
 * goldens in tests/fixtures/wiring.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExperimentInput } from '../../../../src/engine/config/schema.ts';
import type { Probe } from '../../../../src/engine/model/index.ts';
import { installNodeAssetLoader } from '../../../../src/engine/node/assets.ts';
import { nodeDataIO } from '../../../../src/engine/node/fileIO.ts';
import { folderSource } from '../../../../src/engine/node/folderSource.ts';
import * as tf from '../../../../src/engine/tf.ts';
import type { CheckpointStore } from '../../../../src/engine/train/checkpoint.ts';
import type { TrainEvent } from '../../../../src/engine/train/events.ts';
import { Trainer } from '../../../../src/engine/train/trainer.ts';
import { readSafetensors, toFloat32 } from '../../../../src/engine/weights/safetensors.ts';
import { FIXTURES, REPO_ROOT } from '../../../helpers/paths.ts';

export const WIRING = join(FIXTURES, 'wiring');

/** One probe call: its name and a copy of the tensor's values. */
export interface ProbeRecord {
  name: string;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** A probe that copies every call whose name `keep` accepts (all by default). */
export function recorder(keep: (name: string) => boolean = () => true): {
  probe: Probe;
  records: ProbeRecord[];
  named(name: string): ProbeRecord[];
  clear(): void;
} {
  const records: ProbeRecord[] = [];
  return {
    records,
    probe: (name, value) => {
      if (!keep(name)) return;
      const data = value.dataSync() as Float32Array | Int32Array;
      records.push({ name, shape: [...value.shape], data: data.slice() });
    },
    named: (name) => records.filter((r) => r.name === name),
    clear: () => {
      records.length = 0;
    },
  };
}

export async function wiringTrainer(
  config: ExperimentInput,
  opts: { probe?: Probe; store?: CheckpointStore; resume?: boolean; runId?: string } = {},
): Promise<{ trainer: Trainer; events: TrainEvent[] }> {
  installNodeAssetLoader();
  await tf.setBackend('cpu');
  const events: TrainEvent[] = [];
  const trainer = await Trainer.create(config, {
    emit: (e) => events.push(e),
    runId: opts.runId ?? 'wiring',
    io: {
      ...nodeDataIO(REPO_ROOT),
      openModel: (source: string) => folderSource(resolve(REPO_ROOT, source)),
    },
    keepBackend: true,
    ...(opts.probe ? { probe: opts.probe } : {}),
    ...(opts.store ? { checkpoints: opts.store } : {}),
    ...(opts.resume ? { resume: true } : {}),
  });
  return { trainer, events };
}

/** tests/fixtures/wiring/cases.json: one experiment per case; `masked` ones have dropout on. */
export function wiringCases(): { masked: string[]; cases: Record<string, ExperimentInput> } {
  return JSON.parse(readFileSync(join(WIRING, 'cases.json'), 'utf8'));
}

export function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(WIRING, name), 'utf8')) as T;
}

/** Float tensors of a safetensors file by name (PyTorch layout). */
export function readTensors(path: string): Map<string, { shape: number[]; data: Float32Array }> {
  const f = readSafetensors(new Uint8Array(readFileSync(path)), path);
  const m = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, entry] of f.tensors) {
    if (entry.dtype.startsWith('F'))
      m.set(name, { shape: [...entry.shape], data: toFloat32(entry, name, path) });
  }
  return m;
}

/**
 * The trainer's weights in PyTorch's layout: Linear weights are stored [in, out] here
 * (src/engine/model/params.ts) and [out, in] by PyTorch; embedding tables and vectors are alike.
 */
export function weightsAsPyTorch(trainer: Trainer): Map<string, Float32Array> {
  const vars = new Map<string, tf.Variable>([
    ...trainer.bundle.model.variables(),
    ...(trainer.bundle.classifier?.variables() ?? []),
  ]);
  const out = new Map<string, Float32Array>();
  for (const [name, v] of vars) {
    const linear = v.rank === 2 && !name.startsWith('embeddings.');
    const t = linear ? tf.transpose(v) : v;
    out.set(name, t.dataSync() as Float32Array);
    if (linear) t.dispose();
  }
  return out;
}

/** Largest |a_i − b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Bit-packs a 0/1 mask, least significant bit first (numpy's unpackbits bitorder 'little'). */
export function packBits(mask: ArrayLike<number>): string {
  const bytes = new Uint8Array(Math.ceil(mask.length / 8));
  for (let i = 0; i < mask.length; i++) if (mask[i]) bytes[i >> 3]! |= 1 << (i & 7);
  return Buffer.from(bytes).toString('base64');
}

export function unpackBits(b64: string, n: number): Uint8Array {
  const bytes = Buffer.from(b64, 'base64');
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bytes[i >> 3]! >> (i & 7)) & 1;
  return out;
}

/** Rows of an int32 [rows, L] record as number arrays. */
export function rowsOf(r: ProbeRecord): number[][] {
  const [rows, L] = r.shape as [number, number];
  return Array.from({ length: rows }, (_, i) => Array.from(r.data.subarray(i * L, (i + 1) * L)));
}
