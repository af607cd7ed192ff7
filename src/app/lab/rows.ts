/** The journey's results rows and sweep points, from the queue and the run store. */
import { CHAPTERS, type LabMetric } from '../../engine/lab/chapters.ts';
import { pendingRow, type ResultRow, type RowStatus, resultRow } from '../../engine/lab/results.ts';
import type { RunData, RunStatus } from '../state/runRecord.ts';
import { chapterRuns, type QueueItem } from './queue.ts';

export function rowStatus(run: RunStatus, item: QueueItem): RowStatus {
  switch (run) {
    case 'finished':
    case 'stopped':
    case 'failed':
      return run;
    case 'loading':
    case 'running':
    case 'paused':
      return 'running';
    case 'interrupted':
      return item.state === 'running' ? 'running' : 'stopped';
    default:
      return 'waiting';
  }
}

/** One row per chapter that was queued, in the journey's order, filled as its run reports. */
export function journeyRows(
  items: readonly QueueItem[],
  runs: Readonly<Record<string, RunData>>,
): ResultRow[] {
  const by = chapterRuns(items);
  return CHAPTERS.flatMap((c) => {
    const item = by.get(c.id);
    if (!item) return [];
    const run = item.runId ? runs[item.runId] : undefined;
    if (!run) return [pendingRow(c, item.config, item.state === 'running' ? 'running' : 'waiting')];
    return [
      resultRow(
        c,
        item.config,
        run.steps,
        run.evals,
        rowStatus(run.status, item),
        run.error?.message,
      ),
    ];
  });
}

export interface SweepPoint {
  value: number;
  runId?: string;
  /** The metric at the run's last evaluation (null until it has one). */
  score: number | null;
  status: RowStatus;
}

export interface SweepSeries {
  id: string;
  fields: string[];
  metric: LabMetric | null;
  points: SweepPoint[];
}

/** Each sweep's points (value → final score), newest sweep first. */
export function sweepSeries(
  items: readonly QueueItem[],
  runs: Readonly<Record<string, RunData>>,
): SweepSeries[] {
  const out = new Map<string, SweepSeries>();
  for (const i of items) {
    if (!i.sweep) continue;
    let s = out.get(i.sweep.id);
    if (!s) {
      const kind = i.config.data.eval?.kind;
      const metric: LabMetric | null = kind === 'sts' ? 'spearman' : kind ? 'accuracy' : null;
      s = { id: i.sweep.id, fields: i.sweep.fields, metric, points: [] };
      out.set(i.sweep.id, s);
    }
    const run = i.runId ? runs[i.runId] : undefined;
    let score: number | null = null;
    if (run && s.metric) {
      const m = s.metric;
      for (let k = run.evals.length - 1; k >= 0; k--) {
        const v = run.evals[k]![m];
        if (v !== undefined) {
          score = v;
          break;
        }
      }
    }
    const point: SweepPoint = {
      value: i.sweep.value,
      score,
      status: run ? rowStatus(run.status, i) : i.state === 'cancelled' ? 'stopped' : 'waiting',
    };
    if (i.runId) point.runId = i.runId;
    s.points.push(point);
  }
  return [...out.values()].reverse();
}

/**
 * Seconds the queue still needs, from the time per training example of the runs it finished
 * (their steps × batch over their training time) times the examples still to train; null until
 * one queued run finished. Loading and evaluation are in the measured time, as they will be.
 */
export function estimateSecondsLeft(
  items: readonly QueueItem[],
  runs: Readonly<Record<string, RunData>>,
): number | null {
  let seconds = 0;
  let examples = 0;
  for (const i of items) {
    const run = i.runId ? runs[i.runId] : undefined;
    const last = run?.steps.at(-1);
    if (run?.status !== 'finished' || !last || last.step === 0) continue;
    seconds += last.elapsedMs / 1000;
    examples += last.step * i.config.batchSize;
  }
  if (examples === 0) return null;
  let left = 0;
  for (const i of items) {
    if (i.state !== 'waiting' && i.state !== 'running') continue;
    const run = i.runId ? runs[i.runId] : undefined;
    const done = run?.steps.at(-1)?.step ?? 0;
    left += Math.max(0, (i.config.maxSteps ?? 0) - done) * i.config.batchSize;
  }
  return (left * seconds) / examples;
}
