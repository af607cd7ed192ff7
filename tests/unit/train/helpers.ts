import { resolve } from 'node:path';
import type { ExperimentInput } from '../../../src/engine/config/schema.ts';
import { installNodeAssetLoader } from '../../../src/engine/node/assets.ts';
import { nodeDataIO } from '../../../src/engine/node/fileIO.ts';
import { folderSource } from '../../../src/engine/node/folderSource.ts';
import * as tf from '../../../src/engine/tf.ts';
import type { Checkpoint, CheckpointStore } from '../../../src/engine/train/checkpoint.ts';
import type { TrainEvent } from '../../../src/engine/train/events.ts';
import { Trainer, type TrainerHost } from '../../../src/engine/train/trainer.ts';
import { REPO_ROOT } from '../../helpers/paths.ts';

/** A tiny built-in encoder on the built-in corpus: hidden 32, one layer, batch 8. */
export const TINY: ExperimentInput = {
  seed: 3,
  backend: 'cpu',
  encoder: { builtin: { layers: 1, hidden: 32, heads: 2, intermediate: 64 }, maxLength: 16 },
  data: { train: { source: 'builtin:default', kind: 'sentences', limit: 400 } },
  optimizer: { kind: 'adamw', lr: 1e-3 },
  batchSize: 8,
  maxSteps: 10,
  evalEvery: 1000,
  checkpointEvery: 1000,
};

/** Checkpoints kept in memory, deep-copied like IndexedDB's structured clone. */
export function memoryStore(): CheckpointStore & { saved: Map<string, Checkpoint> } {
  const saved = new Map<string, Checkpoint>();
  return {
    saved,
    save: async (id, c) => {
      saved.set(id, structuredClone(c));
    },
    load: async (id) => (saved.has(id) ? structuredClone(saved.get(id)!) : null),
    remove: async (id) => {
      saved.delete(id);
    },
  };
}

export async function makeTrainer(
  config: ExperimentInput,
  opts: {
    store?: CheckpointStore;
    resume?: boolean;
    runId?: string;
    replicas?: TrainerHost['replicas'];
    probe?: TrainerHost['probe'];
  } = {},
): Promise<{ trainer: Trainer; events: TrainEvent[] }> {
  installNodeAssetLoader();
  await tf.setBackend('cpu');
  const events: TrainEvent[] = [];
  const trainer = await Trainer.create(config, {
    emit: (e) => events.push(e),
    runId: opts.runId ?? 'test',
    io: {
      ...nodeDataIO(REPO_ROOT),
      openModel: (source: string) => folderSource(resolve(REPO_ROOT, source)),
    },
    keepBackend: true,
    ...(opts.store ? { checkpoints: opts.store } : {}),
    ...(opts.resume ? { resume: true } : {}),
    ...(opts.replicas ? { replicas: opts.replicas } : {}),
    ...(opts.probe ? { probe: opts.probe } : {}),
  });
  return { trainer, events };
}

export function losses(events: TrainEvent[]): number[] {
  return events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
}
