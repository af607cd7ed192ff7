/** Failures of a run that the user should read in plain words. */
import { isUserError } from '../errors.ts';
import type { ErrorEvent } from './events.ts';

/**
 * The event of a run that failed with `e` at `step`: the user's error as it is, a backend's
 * failure in plain words (explainRuntimeFailure), anything else as an internal error.
 */
export function failureEvent(e: unknown, step: number, checkpointStep: number): ErrorEvent {
  const user = isUserError(e);
  const plain = user ? null : explainRuntimeFailure(e, step, checkpointStep);
  return {
    type: 'error',
    kind: user ? 'user' : 'internal',
    message: plain?.message ?? describeError(e),
    ...(plain ? { field: plain.field } : {}),
    step,
  };
}

/** The event of step `step` (1-based) that diverged: its update was not applied. */
export function divergenceEvent(
  step: number,
  r: { loss: number; gradNorm: number },
  checkpointStep: number,
): ErrorEvent {
  const what = !Number.isFinite(r.loss)
    ? `the loss is ${r.loss}`
    : `the gradient norm is ${r.gradNorm}`;
  return {
    type: 'error',
    kind: 'divergence',
    step,
    message: `Training diverged at step ${step}: ${what}. The update was not applied; the last good checkpoint (step ${checkpointStep}) is kept. Try a lower learning rate, clipping, or a higher temperature.`,
  };
}

/**
 * Backend failures in plain words: running out of memory and a lost GPU device arrive from TF.js
 * and the browser as low-level messages; say what happened and what to do. Null for other errors.
 */
export function explainRuntimeFailure(
  e: unknown,
  step: number,
  checkpointStep: number,
): { message: string; field: string } | null {
  const raw = describeError(e);
  const kept = checkpointStep > 0 ? ` The checkpoint at step ${checkpointStep} is kept.` : '';
  if (
    /out of memory|failed to allocate|allocation failed|could not allocate|memory access out of bounds|Array buffer allocation/i.test(
      raw,
    )
  ) {
    return {
      field: 'batchSize',
      message: `The backend ran out of memory at step ${step + 1}: lower batchSize or encoder.maxLength, or turn on GradCache with a small chunk.${kept} (${raw})`,
    };
  }
  if (/device (was |is )?lost|GPUDevice.*lost|context lost|CONTEXT_LOST/i.test(raw)) {
    return {
      field: 'backend',
      message: `The GPU device was lost at step ${step + 1} (the browser or driver reset it): reload the page and resume, or choose another backend.${kept} (${raw})`,
    };
  }
  return null;
}

export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
