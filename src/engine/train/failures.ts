/** Failures of a run that the user should read in plain words. */

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
