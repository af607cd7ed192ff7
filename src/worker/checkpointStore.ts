import type { Checkpoint, CheckpointStore } from '../engine/train/checkpoint.ts';
import { dbDelete, dbGet, dbPut } from './db.ts';

/** Checkpoints in IndexedDB, one per run (the last one), keyed by run id. */
export function idbCheckpointStore(): CheckpointStore {
  return {
    save: (runId: string, ckpt: Checkpoint) => dbPut('checkpoints', runId, ckpt),
    load: async (runId: string) => (await dbGet<Checkpoint>('checkpoints', runId)) ?? null,
    remove: (runId: string) => dbDelete('checkpoints', runId),
  };
}
