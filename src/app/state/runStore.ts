/**
 * Page-side state of runs (zustand). Holds only what the worker reported: plain numbers.
 * Events arrive at step rate; the store publishes them at most every PUBLISH_MS so charts
 * redraw smoothly while the worker trains.
 */
import { create } from 'zustand';
import type { WorkerMessage } from '../../worker/protocol.ts';
import {
  appendEvals,
  type EvalPoint,
  fillUpTo,
  isLive,
  type RunData,
  type RunError,
  type StepPoint,
  truncateAfter,
} from './runRecord.ts';

export type { RunData, RunError, RunStatus } from './runRecord.ts';

export interface RunState {
  runs: Record<string, RunData>;
  order: string[];
  activeId: string | null;
  /** Up to 4 runs drawn together on every chart (the active run is always drawn). */
  overlay: string[];
  crossOriginIsolated: boolean | null;
  /** The saved runs have been read back (journey lab: a queue resumes only after). */
  hydrated: boolean;
  addRun(run: RunData): void;
  /** Runs read back from IndexedDB at page load. */
  hydrate(runs: RunData[]): void;
  setActive(id: string | null): void;
  rename(id: string, name: string): void;
  remove(id: string): void;
  toggleOverlay(id: string): void;
  /** Marks a run as resuming; its metrics after the restored step go when 'ready' comes. */
  beginResume(id: string): void;
  /** Publishes the buffered metrics now (before the page goes away). */
  publish(): void;
  /** Puts back the points up to `upTo` a resumed run lacks (from its checkpoint's metrics). */
  fill(id: string, upTo: number, steps: readonly StepPoint[], evals: readonly EvalPoint[]): void;
  handle(message: WorkerMessage): void;
}

export const PUBLISH_MS = 200;
export const MAX_OVERLAY = 4;

// Mutable buffers filled by handle(), published into the store by flush().
const pending = new Map<string, { steps: StepPoint[]; evals: EvalPoint[] }>();
let flushTimer: ReturnType<typeof setTimeout> | null = null;

/** The runs drawn on the charts: the active run first, then the overlaid ones (at most 4). */
export function shownRuns(s: Pick<RunState, 'runs' | 'activeId' | 'overlay'>): RunData[] {
  const ids = [...(s.activeId ? [s.activeId] : []), ...s.overlay.filter((x) => x !== s.activeId)];
  return ids
    .slice(0, MAX_OVERLAY)
    .map((id) => s.runs[id])
    .filter((r): r is RunData => r !== undefined);
}

export const useRunStore = create<RunState>((set, get) => {
  const patch = (id: string, f: (r: RunData) => Partial<RunData>) =>
    set((s) => {
      const r = s.runs[id];
      return r ? { runs: { ...s.runs, [id]: { ...r, ...f(r) } } } : {};
    });

  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    const batches = [...pending.entries()];
    pending.clear();
    if (batches.length === 0) return;
    set((s) => {
      const runs = { ...s.runs };
      for (const [id, b] of batches) {
        const r = runs[id];
        if (!r) continue;
        runs[id] = {
          ...r,
          steps: b.steps.length ? [...r.steps, ...b.steps] : r.steps,
          evals: b.evals.length ? appendEvals(r.evals, b.evals) : r.evals,
        };
      }
      return { runs };
    });
  };

  const buffer = (id: string) => {
    let b = pending.get(id);
    if (!b) {
      b = { steps: [], evals: [] };
      pending.set(id, b);
    }
    if (!flushTimer) flushTimer = setTimeout(flush, PUBLISH_MS);
    return b;
  };

  return {
    runs: {},
    order: [],
    activeId: null,
    overlay: [],
    crossOriginIsolated: null,
    hydrated: false,
    addRun: (run) =>
      set((s) => ({
        runs: { ...s.runs, [run.id]: run },
        order: s.order.includes(run.id) ? s.order : [...s.order, run.id],
        activeId: run.id,
      })),
    hydrate: (list) =>
      set((s) => {
        const runs = { ...s.runs };
        const order = [...s.order];
        for (const r of [...list].sort((a, b) => a.createdAt - b.createdAt)) {
          if (runs[r.id]) continue;
          runs[r.id] = r;
          order.push(r.id);
        }
        order.sort((a, b) => (runs[a]?.createdAt ?? 0) - (runs[b]?.createdAt ?? 0));
        return {
          runs,
          order,
          activeId: s.activeId ?? order[order.length - 1] ?? null,
          hydrated: true,
        };
      }),
    setActive: (id) => set({ activeId: id }),
    rename: (id, name) => patch(id, () => ({ name })),
    remove: (id) =>
      set((s) => {
        const runs = { ...s.runs };
        delete runs[id];
        pending.delete(id);
        return {
          runs,
          order: s.order.filter((x) => x !== id),
          overlay: s.overlay.filter((x) => x !== id),
          activeId: s.activeId === id ? null : s.activeId,
        };
      }),
    toggleOverlay: (id) =>
      set((s) => {
        if (s.overlay.includes(id)) return { overlay: s.overlay.filter((x) => x !== id) };
        if (s.overlay.length >= MAX_OVERLAY) return {};
        return { overlay: [...s.overlay, id] };
      }),
    beginResume: (id) => {
      pending.delete(id);
      patch(id, () => ({ error: undefined, status: 'loading' }));
      set({ activeId: id });
    },
    publish: () => flush(),
    fill: (id, upTo, steps, evals) =>
      set((s) => {
        const r = s.runs[id];
        const next = r && fillUpTo(r, upTo, steps, evals);
        return next && next !== r ? { runs: { ...s.runs, [id]: next } } : {};
      }),
    handle: (m) => {
      if (m.type === 'hello') {
        set({ crossOriginIsolated: m.crossOriginIsolated });
        return;
      }
      if (!('runId' in m)) return;
      // A crashed worker reports with no run id: it belongs to the active run.
      const id = get().runs[m.runId] ? m.runId : m.type === 'error' ? get().activeId : null;
      if (!id || !get().runs[id]) return;
      switch (m.type) {
        case 'ready': {
          const { type: _t, runId: _r, ...ready } = m;
          flush();
          // A resumed run restarts at its checkpoint's step: what was recorded after it goes
          // (a fresh run has nothing yet, so this is a no-op there).
          patch(id, (r) => ({ ...truncateAfter(r, ready.startStep), ready, loading: undefined }));
          break;
        }
        case 'step': {
          const { type: _t, runId: _r, ...point } = m;
          buffer(id).steps.push(point);
          break;
        }
        case 'eval': {
          const { type: _t, runId: _r, ...point } = m;
          buffer(id).evals.push(point);
          break;
        }
        case 'state':
          flush();
          patch(id, () => ({ status: m.state }));
          break;
        case 'log':
          patch(id, (r) => ({ logs: [...r.logs.slice(-99), m.message] }));
          break;
        case 'progress': {
          const loading: RunData['loading'] = { phase: m.phase, loaded: m.loaded };
          if (m.total !== undefined) loading.total = m.total;
          patch(id, () => ({ loading }));
          break;
        }
        case 'checkpoint':
          // The worker reports a step before its checkpoint: publish the buffered steps first, so
          // the run (and the record saved at once for it) has every point up to the checkpoint.
          flush();
          patch(id, () => ({ checkpointStep: m.step }));
          break;
        case 'error': {
          const error: RunError = { message: m.message, kind: m.kind };
          if (m.step !== undefined) error.step = m.step;
          if (m.field !== undefined) error.field = m.field;
          patch(id, (r) => ({
            error,
            // A crashed worker sends no 'done': the run is over.
            ...(m.runId === '' ? { status: 'failed' as const } : { status: r.status }),
          }));
          break;
        }
        case 'done':
          flush();
          patch(id, () => ({ status: m.reason }));
          break;
        case 'worker-lost':
          // faults (Trust 4): the worker died under the run; it resumes from its checkpoint.
          flush();
          patch(id, (r) =>
            isLive(r.status)
              ? { status: 'interrupted', error: { message: m.message, kind: 'internal' } }
              : {},
          );
          break;
      }
    },
  };
});
