/** Chart series from a run's events (pure, so they are tested in Node). */
import type { RunData } from '../state/runRecord.ts';
import { downsample, smooth } from './series.ts';

/** Points per line at most: readable and quick to redraw at 10k steps. */
export const MAX_POINTS = 600;

export interface LossPoint {
  step: number;
  raw: number;
  smooth: number;
}

/** Raw and smoothed loss (EMA 0.9 over every step, then downsampled). */
export function lossSeries(run: RunData, max = MAX_POINTS): LossPoint[] {
  const sm = smooth(
    run.steps.map((s) => s.loss),
    0.9,
  );
  return downsample(
    run.steps.map((s, i) => ({ step: s.step, raw: s.loss, smooth: sm[i]! })),
    max,
  );
}

export interface PlanePoint {
  /** uniformity */
  x: number;
  /** alignment */
  y: number;
  step: number;
  run: string;
}

/** The run's trajectory on the alignment–uniformity plane, one point per evaluation. */
export function planeSeries(run: RunData): PlanePoint[] {
  return run.evals
    .filter((e) => Number.isFinite(e.alignment) && Number.isFinite(e.uniformity))
    .map((e) => ({ x: e.uniformity!, y: e.alignment!, step: e.step, run: run.name }));
}
