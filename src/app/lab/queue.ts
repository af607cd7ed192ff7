/**
 * The journey's run queue as plain data, and the one decision the page's driver takes from it:
 * what to do next, given the queue and the runs' statuses. Runs go one after another through the
 * page's one worker; each is an ordinary run in the run list. Pure: no store, no worker, no DOM.
 */
import type { ExperimentConfig } from '../../engine/config/schema.ts';
import type { ChapterId, LabLength } from '../../engine/lab/chapters.ts';
import { canResumeFromCheckpoint, isLive, type RunData } from '../state/runRecord.ts';

export type ItemState = 'waiting' | 'running' | 'done' | 'cancelled';

export interface QueueItem {
  key: string;
  /** A journey chapter (and its setting), or one value of a sweep. */
  chapter?: ChapterId;
  length?: LabLength;
  sweep?: { id: string; fields: string[]; value: number };
  name: string;
  config: ExperimentConfig;
  state: ItemState;
  /** The run it started (set when it starts; a restarted item gets a new one). */
  runId?: string;
  /** Fresh starts so far (a run that keeps dying is given up after MAX_STARTS). */
  starts: number;
  /**
   * Cancel was pressed while this item ran: its run is stopped as soon as it trains (a stop
   * sent while the worker still loads the run would be lost), then the item is done.
   */
  cancel?: 'requested' | 'sent';
}

export const MAX_STARTS = 3;

export type DriverAction =
  | { type: 'start'; key: string }
  | { type: 'resume'; key: string; runId: string }
  | { type: 'finish'; key: string }
  | { type: 'stop'; key: string }
  | { type: 'wait' };

type RunView = Pick<RunData, 'status'> & Partial<RunData>;

/**
 * What the driver does now. The running item waits while its run is live, moves on when the run
 * ended (finished, stopped, failed), resumes from its checkpoint when it was interrupted (a
 * reload, a lost worker) and starts again when it cannot. With no running item, the first
 * waiting one starts, unless some other run is live (the worker runs one at a time).
 */
export function nextAction(
  items: readonly QueueItem[],
  runs: Readonly<Record<string, RunView>>,
): DriverAction {
  const running = items.find((i) => i.state === 'running');
  if (running) {
    const run = running.runId ? runs[running.runId] : undefined;
    if (run && isLive(run.status)) {
      const trains = run.status === 'running' || run.status === 'paused';
      return running.cancel === 'requested' && trains
        ? { type: 'stop', key: running.key }
        : { type: 'wait' };
    }
    // A cancelled item never starts (or resumes) again.
    if (running.cancel) return { type: 'finish', key: running.key };
    if (run && run.status === 'interrupted') {
      if (canResumeFromCheckpoint(run as RunData))
        return { type: 'resume', key: running.key, runId: running.runId! };
      return running.starts < MAX_STARTS
        ? { type: 'start', key: running.key }
        : { type: 'finish', key: running.key };
    }
    if (run) return { type: 'finish', key: running.key };
    // Its run is gone (deleted, or never recorded): start it again.
    return running.starts < MAX_STARTS
      ? { type: 'start', key: running.key }
      : { type: 'finish', key: running.key };
  }
  if (Object.values(runs).some((r) => isLive(r.status))) return { type: 'wait' };
  const next = items.find((i) => i.state === 'waiting');
  return next ? { type: 'start', key: next.key } : { type: 'wait' };
}

/** Items with one changed (by key). */
export function updateItem(
  items: readonly QueueItem[],
  key: string,
  patch: Partial<QueueItem>,
): QueueItem[] {
  return items.map((i) => (i.key === key ? { ...i, ...patch } : i));
}

/** Cancelling: nothing waiting starts; the running item's run is stopped, then it is done. */
export function cancelWaiting(items: readonly QueueItem[]): QueueItem[] {
  return items.map((i) =>
    i.state === 'waiting'
      ? { ...i, state: 'cancelled' }
      : i.state === 'running' && !i.cancel
        ? { ...i, cancel: 'requested' }
        : i,
  );
}

/** The newest item of each chapter that has a run: the run its results row reads. */
export function chapterRuns(items: readonly QueueItem[]): Map<ChapterId, QueueItem> {
  const out = new Map<ChapterId, QueueItem>();
  for (const i of items) if (i.chapter && (i.runId || i.state === 'waiting')) out.set(i.chapter, i);
  return out;
}

/** Queue items from the persisted JSON, dropping anything malformed. */
export function reviveItems(value: unknown): QueueItem[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (i): i is QueueItem =>
      !!i &&
      typeof i === 'object' &&
      typeof i.key === 'string' &&
      typeof i.name === 'string' &&
      !!i.config &&
      typeof i.config === 'object' &&
      ['waiting', 'running', 'done', 'cancelled'].includes(i.state) &&
      typeof i.starts === 'number',
  );
}
