import type { EvalPoint, RunData, StepPoint } from '../../../src/app/state/runRecord.ts';

export function stepPoint(step: number, loss = 1 / step): StepPoint {
  return {
    step,
    epoch: 0,
    loss,
    lr: 1e-3,
    gradNorm: 1,
    sentencesPerSec: 100,
    stepMs: 80,
    elapsedMs: step * 80,
    tensors: 10,
    bytes: 1000,
  };
}

export function run(over: Partial<RunData> = {}): RunData {
  return {
    id: 'run-1',
    name: 'test run',
    config: { seed: 0 },
    createdAt: 1_700_000_000_000,
    status: 'running',
    steps: [],
    evals: [],
    logs: [],
    ...over,
  };
}

export function evalPoint(step: number, extra: Partial<EvalPoint> = {}): EvalPoint {
  return { step, alignment: 0.5, uniformity: -2, protocol: 'held-out-views', ...extra };
}
