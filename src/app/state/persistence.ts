/**
 * Runs survive a reload: every run's record (config, metrics, status, checkpoint step) is kept
 * in IndexedDB's 'runs' store; the worker keeps the last checkpoint in 'checkpoints'.
 * Writes are batched: a changed run is saved at most every SAVE_MS, and at once when its
 * status changes or a checkpoint lands (so a reload never loses the resume point).
 */
import type { Checkpoint } from '../../engine/train/checkpoint.ts';
import { dbAll, dbDelete, dbGet, dbPut } from '../../worker/db.ts';
import { fromRecord, gapToFill, type RunData, toRecord } from './runRecord.ts';
import { useRunStore } from './runStore.ts';

export const SAVE_MS = 1000;

export async function loadRuns(): Promise<RunData[]> {
  const all = await dbAll<unknown>('runs');
  return all.map((r) => fromRecord(r.value)).filter((r): r is RunData => r !== null);
}

export async function deleteStoredRun(id: string): Promise<void> {
  await Promise.allSettled([dbDelete('runs', id), dbDelete('checkpoints', id)]);
}

/**
 * A run resumed from a checkpoint newer than its saved record (the page went away between the
 * worker saving the checkpoint and the page saving the run) lacks the steps in between: they are
 * read back from the checkpoint's metrics, so the chart and the exports have every step. (This
 * reads the whole checkpoint, weights too, but only in that rare case.)
 */
function fillFromCheckpoint(id: string, upTo: number): void {
  dbGet<Checkpoint>('checkpoints', id)
    .then((ckpt) => {
      if (!ckpt) return;
      useRunStore.getState().fill(
        id,
        upTo,
        ckpt.metrics.steps.map(({ type: _t, ...s }) => s),
        ckpt.metrics.evals.map(({ type: _t, ...e }) => e),
      );
    })
    .catch(() => {}); // the run keeps its gap; nothing else depends on it
}

/** Watches the run store and saves changed runs; returns a stop function. */
export function startPersistence(onError: (message: string) => void): () => void {
  const dirty = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let warned = false;

  const save = () => {
    timer = null;
    const { runs } = useRunStore.getState();
    for (const id of dirty) {
      const run = runs[id];
      if (!run) continue;
      dbPut('runs', id, toRecord(run)).then(
        () => {
          // Saved again (e.g. the storage quota has room again): the warning goes ('' clears it).
          if (warned) {
            warned = false;
            onError('');
          }
        },
        (e: unknown) => {
          // The run stays in this tab and is saved whole with the next save (faults: quota).
          dirty.add(id);
          if (!warned) {
            warned = true;
            onError(
              `Runs could not be saved in this browser: ${e instanceof Error ? e.message : String(e)}`,
            );
          }
        },
      );
    }
    dirty.clear();
  };

  const off = useRunStore.subscribe((next, prev) => {
    let urgent = false;
    for (const id of next.order) {
      const a = next.runs[id];
      const b = prev.runs[id];
      if (a && a !== b) {
        dirty.add(id);
        const gap = gapToFill(b, a);
        if (gap !== null) fillFromCheckpoint(id, gap);
        if (
          !b ||
          a.status !== b.status ||
          a.checkpointStep !== b.checkpointStep ||
          a.name !== b.name
        ) {
          urgent = true;
        }
      }
    }
    if (dirty.size === 0) return;
    if (urgent) {
      if (timer) clearTimeout(timer);
      save();
    } else if (!timer) {
      timer = setTimeout(save, SAVE_MS);
    }
  });
  const onHide = () => {
    useRunStore.getState().publish(); // the buffered steps too (marks the runs dirty)
    save();
  };
  window.addEventListener('pagehide', onHide);
  return () => {
    off();
    window.removeEventListener('pagehide', onHide);
    if (timer) clearTimeout(timer);
  };
}
