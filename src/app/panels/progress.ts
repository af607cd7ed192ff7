/** Progress figures from step events (pure). */
import type { RunData } from '../state/runRecord.ts';

export interface Progress {
  step: number;
  total: number;
  sentencesPerSec: number | null;
  /** Seconds left at the recent pace, null when unknown. */
  secondsLeft: number | null;
}

export function progressOf(run: RunData, window = 20): Progress {
  const last = run.steps[run.steps.length - 1];
  const total = run.ready?.totalSteps ?? 0;
  const step = last?.step ?? run.ready?.startStep ?? 0;
  const recent = run.steps.slice(-window);
  const msPerStep = recent.length ? recent.reduce((a, s) => a + s.stepMs, 0) / recent.length : 0;
  const sps = recent.length
    ? recent.reduce((a, s) => a + s.sentencesPerSec, 0) / recent.length
    : null;
  return {
    step,
    total,
    sentencesPerSec: sps,
    secondsLeft: total > step && msPerStep > 0 ? ((total - step) * msPerStep) / 1000 : null,
  };
}

/** 75 → '1:15', 3725 → '1:02:05'. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
