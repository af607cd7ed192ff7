/**
 * Page-side state of runs (zustand). Holds only what the worker reported: plain numbers.
 * Events arrive at step rate; the store publishes them at most every PUBLISH_MS so charts
 * redraw smoothly while the worker trains.
 */
import { create } from 'zustand';
import type { EvalEvent, ReadyEvent, StepEvent } from '../../engine/train/events.ts';
import type { WorkerMessage } from '../../worker/protocol.ts';

export type RunStatus = 'idle' | 'loading' | 'running' | 'paused' | 'stopped' | 'finished' | 'failed';

export interface RunError {
  message: string;
  kind: 'user' | 'divergence' | 'internal';
  step?: number;
  field?: string;
}

export interface RunData {
  id: string;
  name: string;
  config: unknown;
  createdAt: number;
  status: RunStatus;
  ready?: Omit<ReadyEvent, 'type'>;
  steps: Omit<StepEvent, 'type'>[];
  evals: Omit<EvalEvent, 'type'>[];
  logs: string[];
  error?: RunError;
  checkpointStep?: number;
}

export interface RunState {
  runs: Record<string, RunData>;
  order: string[];
  activeId: string | null;
  /** Up to 4 runs drawn together on every chart. */
  overlay: string[];
  crossOriginIsolated: boolean | null;
  addRun(run: RunData): void;
  setActive(id: string | null): void;
  rename(id: string, name: string): void;
  remove(id: string): void;
  toggleOverlay(id: string): void;
  handle(message: WorkerMessage): void;
}

export const PUBLISH_MS = 200;
export const MAX_OVERLAY = 4;

// Mutable buffers filled by handle(), published into the store by flush().
const pending = new Map<string, { steps: RunData['steps']; evals: RunData['evals'] }>();
let flushTimer: ReturnType<typeof setTimeout> | null = null;

export const useRunStore = create<RunState>((set, get) => {
  const patch = (id: string, f: (r: RunData) => Partial<RunData>) =>
    set((s) => {
      const r = s.runs[id];
      return r ? { runs: { ...s.runs, [id]: { ...r, ...f(r) } } } : {};
    });

  const flush = () => {
    flushTimer = null;
    const batches = [...pending.entries()];
    pending.clear();
    set((s) => {
      const runs = { ...s.runs };
      for (const [id, b] of batches) {
        const r = runs[id];
        if (!r) continue;
        runs[id] = {
          ...r,
          steps: b.steps.length ? [...r.steps, ...b.steps] : r.steps,
          evals: b.evals.length ? [...r.evals, ...b.evals] : r.evals,
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
    addRun: (run) =>
      set((s) => ({
        runs: { ...s.runs, [run.id]: run },
        order: s.order.includes(run.id) ? s.order : [...s.order, run.id],
        activeId: run.id,
      })),
    setActive: (id) => set({ activeId: id }),
    rename: (id, name) => patch(id, () => ({ name })),
    remove: (id) =>
      set((s) => {
        const runs = { ...s.runs };
        delete runs[id];
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
    handle: (m) => {
      if (m.type === 'hello') {
        set({ crossOriginIsolated: m.crossOriginIsolated });
        return;
      }
      if (!('runId' in m) || !get().runs[m.runId]) return;
      const id = m.runId;
      switch (m.type) {
        case 'ready': {
          const { type: _t, runId: _r, ...ready } = m;
          patch(id, () => ({ ready }));
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
          patch(id, () => ({ status: m.state }));
          break;
        case 'log':
          patch(id, (r) => ({ logs: [...r.logs.slice(-99), m.message] }));
          break;
        case 'checkpoint':
          patch(id, () => ({ checkpointStep: m.step }));
          break;
        case 'error': {
          const error: RunError = { message: m.message, kind: m.kind };
          if (m.step !== undefined) error.step = m.step;
          if (m.field !== undefined) error.field = m.field;
          patch(id, () => ({ error }));
          break;
        }
        case 'done':
          flush();
          patch(id, () => ({ status: m.reason === 'failed' ? 'failed' : m.reason }));
          break;
      }
    },
  };
});
