/**
 * The page's queue driver: watches the lab queue and the run store and, one run at a time,
 * starts the next item through the ordinary run path (it lands in the run list like any run),
 * resumes an interrupted one from its checkpoint, and moves on when a run ends.
 */
import { useEffect } from 'react';
import { resumeFromCheckpoint, startRun } from '../panels/runActions.ts';
import { MAX_OVERLAY, useRunStore } from '../state/runStore.ts';
import type { WorkerClient } from '../workerClient.ts';
import { useLabStore } from './labStore.ts';
import { type DriverAction, nextAction } from './queue.ts';

function apply(client: WorkerClient, a: DriverAction): void {
  const lab = useLabStore.getState();
  if (a.type === 'wait') return;
  const item = lab.items.find((i) => i.key === a.key);
  if (!item) return;
  if (a.type === 'finish') {
    lab.update(a.key, { state: 'done' });
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
}

/** Runs the queue while the page is open (mounted once, with the page's worker client). */
export function useLabDriver(client: WorkerClient | null): void {
  useEffect(() => {
    if (!client) return;
    let busy = false;
    const tick = () => {
      if (busy) return;
      busy = true;
      try {
        // Each action changes the queue or a run's status, so this settles in a few rounds.
        for (let round = 0; round < 8; round++) {
          const runs = useRunStore.getState();
          if (!runs.hydrated) return;
          const a = nextAction(useLabStore.getState().items, runs.runs);
          if (a.type === 'wait') return;
          apply(client, a);
        }
      } finally {
        busy = false;
      }
    };
    const offRuns = useRunStore.subscribe(tick);
    const offLab = useLabStore.subscribe(tick);
    tick();
    return () => {
      offRuns();
      offLab();
    };
  }, [client]);
}
