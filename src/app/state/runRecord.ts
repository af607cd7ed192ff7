/**
 * Runs as plain data, and the pure operations on them that the store and IndexedDB share.
 * A run record is what the 'runs' store keeps: config, metrics, status, last checkpoint step.
 * The weights live in the worker's 'checkpoints' store under the same run id.
 */
import { dropUnknownKeys } from '../../engine/config/validate.ts';
import type { EvalEvent, ReadyEvent, StepEvent } from '../../engine/train/events.ts';

export type RunStatus =
  | 'idle'
  | 'loading'
  | 'running'
  | 'paused'
  | 'stopped'
  | 'finished'
  | 'failed'
  /** The page was closed or reloaded while the run trained; it can resume from its checkpoint. */
  | 'interrupted';

export interface RunError {
  message: string;
  kind: 'user' | 'divergence' | 'internal';
  step?: number;
  field?: string;
}

export type StepPoint = Omit<StepEvent, 'type'>;
export type EvalPoint = Omit<EvalEvent, 'type'>;

export interface RunData {
  id: string;
  name: string;
  config: unknown;
  createdAt: number;
  status: RunStatus;
  ready?: Omit<ReadyEvent, 'type'>;
  steps: StepPoint[];
  evals: EvalPoint[];
  logs: string[];
  error?: RunError;
  checkpointStep?: number;
  /** Download / parse progress while the run loads (cleared when it is ready). */
  loading?: { phase: string; loaded: number; total?: number };
}

export interface RunRecord extends RunData {
  version: 1;
}

/** Statuses of a run that a worker is (or was) working on. */
export const LIVE: readonly RunStatus[] = ['loading', 'running', 'paused'];

export function isLive(status: RunStatus): boolean {
  return LIVE.includes(status);
}

export function toRecord(run: RunData): RunRecord {
  return { ...run, version: 1 };
}

/** The note a restored run gets when its saved config had keys this version does not know. */
export function droppedKeysNote(dropped: readonly string[]): string {
  return `Restored with saved settings this version does not know left out: ${dropped.join(', ')}.`;
}

/**
 * A stored record back into a run; a run that was live when the page went away is interrupted.
 * Config keys this version does not know (a run saved by another version) are left out, so the
 * run loads and resumes, and a note in its log names them.
 */
export function fromRecord(value: unknown): RunData | null {
  if (!value || typeof value !== 'object') return null;
  const r = value as Partial<RunRecord>;
  if (typeof r.id !== 'string' || !Array.isArray(r.steps) || !Array.isArray(r.evals)) return null;
  const status: RunStatus = r.status && isLive(r.status) ? 'interrupted' : (r.status ?? 'stopped');
  const { config, dropped } = dropUnknownKeys(r.config ?? null);
  const logs = Array.isArray(r.logs) ? r.logs : [];
  const run: RunData = {
    id: r.id,
    name: typeof r.name === 'string' ? r.name : r.id,
    config,
    createdAt: typeof r.createdAt === 'number' ? r.createdAt : 0,
    status,
    steps: r.steps,
    evals: r.evals,
    logs: dropped.length ? [...logs, droppedKeysNote(dropped)] : logs,
  };
  if (r.ready) run.ready = r.ready;
  if (r.error) run.error = r.error;
  if (typeof r.checkpointStep === 'number') run.checkpointStep = r.checkpointStep;
  return run;
}

/** Drops the metrics after `step` (a resumed run continues from its checkpoint's step). */
export function truncateAfter(run: RunData, step: number): RunData {
  return {
    ...run,
    steps: run.steps.filter((s) => s.step <= step),
    evals: run.evals.filter((e) => e.step <= step),
  };
}

/**
 * The checkpoint step up to which a run lacks metrics, when `next` is the 'ready' of a resumed
 * run whose kept steps end before the step it resumed from; else null.
 */
export function gapToFill(prev: RunData | undefined, next: RunData): number | null {
  const start = next.ready?.startStep ?? 0;
  if (next.ready === prev?.ready || start === 0) return null;
  return (next.steps.at(-1)?.step ?? 0) < start ? start : null;
}

/**
 * The run with the points of `steps` / `evals` it lacks up to step `upTo` put back in step order:
 * a run resumed from a checkpoint newer than its saved record (the page went away between the
 * worker saving the checkpoint and the page saving the run) gets them from the checkpoint.
 */
export function fillUpTo(
  run: RunData,
  upTo: number,
  steps: readonly StepPoint[],
  evals: readonly EvalPoint[],
): RunData {
  const hasStep = new Set(run.steps.map((s) => s.step));
  const hasEval = new Set(run.evals.map((e) => e.step));
  const moreSteps = steps.filter((s) => s.step <= upTo && !hasStep.has(s.step));
  const moreEvals = evals.filter((e) => e.step <= upTo && !hasEval.has(e.step));
  if (moreSteps.length === 0 && moreEvals.length === 0) return run;
  const byStep = (a: { step: number }, b: { step: number }) => a.step - b.step;
  return {
    ...run,
    steps: [...run.steps, ...moreSteps].sort(byStep),
    evals: appendEvals([], [...run.evals, ...moreEvals].sort(byStep)),
  };
}

/**
 * Appends eval points, keeping the heavy fields (the cosine matrix, the projection) only on the
 * newest eval that has each: the charts show the latest, and the stored run stays small.
 */
export function appendEvals(evals: readonly EvalPoint[], more: readonly EvalPoint[]): EvalPoint[] {
  const all = [...evals, ...more];
  let seenCosine = false;
  let seenProjection = false;
  for (let i = all.length - 1; i >= 0; i--) {
    const e = all[i]!;
    if (e.cosine && seenCosine) {
      const { cosine: _c, ...rest } = e;
      all[i] = rest;
    }
    if (all[i]!.projection && seenProjection) {
      const { projection: _p, ...rest } = all[i]!;
      all[i] = rest;
    }
    if (e.cosine) seenCosine = true;
    if (e.projection) seenProjection = true;
  }
  return all;
}

/** The newest eval that has `field`. */
export function latestWith<K extends keyof EvalPoint>(
  run: RunData,
  field: K,
): (EvalPoint & Required<Pick<EvalPoint, K>>) | undefined {
  for (let i = run.evals.length - 1; i >= 0; i--) {
    const e = run.evals[i]!;
    if (e[field] !== undefined) return e as EvalPoint & Required<Pick<EvalPoint, K>>;
  }
  return undefined;
}

/** The step a run last reached. */
export function lastStep(run: RunData): number {
  return run.steps[run.steps.length - 1]?.step ?? run.ready?.startStep ?? 0;
}

/** Whether a run can continue from its last checkpoint in a fresh worker. */
export function canResumeFromCheckpoint(run: RunData): boolean {
  return (
    (run.status === 'interrupted' || run.status === 'stopped' || run.status === 'failed') &&
    (run.checkpointStep ?? 0) > 0 &&
    (run.ready ? (run.checkpointStep ?? 0) < run.ready.totalSteps : true)
  );
}
