/**
 * The page's queue driver: watches the lab queue and the run store and, one run at a time,
 * starts the next item through the ordinary run path (it lands in the run list like any run),
 * resumes an interrupted one from its checkpoint, and moves on when a run ends.
 *
 * Order of what survives a reload: the queue is in localStorage (written at once), the runs in
 * IndexedDB (written a moment later). So an item is marked done only once its run's ending is
 * committed to IndexedDB: a reload in between finds the item still running and its run
 * interrupted (it runs again), never a done item whose saved run still says "running" (that row
 * would read "stopped" for good while the queue went on without it).
 */
import { useEffect } from 'react';
import { dbPut } from '../../worker/db.ts';
import { resumeFromCheckpoint, startRun } from '../panels/runActions.ts';
import { isLive, type RunData, toRecord } from '../state/runRecord.ts';
import { MAX_OVERLAY, useRunStore } from '../state/runStore.ts';
import type { WorkerClient } from '../workerClient.ts';
import { useLabStore } from './labStore.ts';
import { type DriverAction, nextAction } from './queue.ts';

/** Writes a run's record now; resolves once it is committed (rejects when it could not be). */
export type SaveRun = (run: RunData) => Promise<void>;

/** The run store's own record (state/persistence.ts keeps writing it too), in IndexedDB. */
export const saveRunRecord: SaveRun = (run) => dbPut('runs', run.id, toRecord(run));

/** The page's queue driver; returns the function that stops it. */
export function startLabDriver(client: WorkerClient, saveRun: SaveRun = saveRunRecord): () => void {
  /** Items whose run ended and whose record is being committed before they are marked done. */
  const ending = new Set<string>();

  const finish = (key: string, runId: string | undefined) => {
    const run = runId ? useRunStore.getState().runs[runId] : undefined;
    if (!run) {
      useLabStore.getState().update(key, { state: 'done' });
      return;
    }
    ending.add(key);
    const settle = () => {
      ending.delete(key);
      const item = useLabStore.getState().items.find((i) => i.key === key);
      const now = useRunStore.getState().runs[run.id];
      // Restarted meanwhile (Retry in the run list): the queue waits for that ending instead.
      if (item?.state !== 'running' || item.runId !== run.id || (now && isLive(now.status))) {
        tick();
        return;
      }
      useLabStore.getState().update(key, { state: 'done' });
    };
    // A write that fails (storage full, said by the run store's own saving) does not hold the
    // queue: the run is whole in this tab, only a reload could find it interrupted.
    saveRun(run).then(settle, settle);
  };

  const apply = (a: Exclude<DriverAction, { type: 'wait' }>) => {
    const lab = useLabStore.getState();
    const item = lab.items.find((i) => i.key === a.key);
    if (!item) return;
    if (a.type === 'finish') {
      finish(a.key, item.runId);
      return;
    }
    if (a.type === 'stop') {
      lab.update(a.key, { cancel: 'sent' });
      client.send({ type: 'stop' });
      return;
    }
    if (a.type === 'resume') {
      resumeFromCheckpoint(client, a.runId);
      return;
    }
    const runs = useRunStore.getState();
    // The sweep's runs drawn together: the new run is active, its siblings overlaid.
    const siblings = item.sweep
      ? lab.items
          .filter((i) => i.sweep?.id === item.sweep?.id && i.runId && runs.runs[i.runId])
          .map((i) => i.runId!)
      : [];
    const id = startRun(client, item.config);
    lab.update(a.key, { state: 'running', runId: id, starts: item.starts + 1 });
    const store = useRunStore.getState();
    store.rename(id, item.name);
    for (const s of siblings) {
      const { overlay } = useRunStore.getState();
      if (!overlay.includes(s) && overlay.length < MAX_OVERLAY) store.toggleOverlay(s);
    }
  };

  let busy = false;
  let stopped = false;
  function tick(): void {
    if (busy || stopped) return;
    busy = true;
    try {
      // Each action changes the queue or a run's status, so this settles in a few rounds.
      for (let round = 0; round < 8; round++) {
        const runs = useRunStore.getState();
        if (!runs.hydrated) return;
        const a = nextAction(useLabStore.getState().items, runs.runs);
        // The running item's ending is being saved: nothing else starts until it is.
        if (a.type === 'wait' || (a.type === 'finish' && ending.has(a.key))) return;
        apply(a);
      }
    } finally {
      busy = false;
    }
  }

  const offRuns = useRunStore.subscribe(tick);
  const offLab = useLabStore.subscribe(tick);
  tick();
  return () => {
    stopped = true;
    offRuns();
    offLab();
  };
}

/** Runs the queue while the page is open (mounted once, with the page's worker client). */
export function useLabDriver(client: WorkerClient | null): void {
  useEffect(() => (client ? startLabDriver(client) : undefined), [client]);
}
