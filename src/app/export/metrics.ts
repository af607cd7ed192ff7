/**
 * A run's metrics as files: CSV (one row per step, eval columns filled at eval steps) and JSON
 * (everything the worker reported, with the config).
 */
import type { RunData } from '../state/runRecord.ts';

export const STEP_COLUMNS = [
  'step',
  'epoch',
  'loss',
  'lr',
  'gradNorm',
  'sentencesPerSec',
  'stepMs',
  'elapsedMs',
] as const;
export const EVAL_COLUMNS = [
  'alignment',
  'uniformity',
  'protocol',
  'spearman',
  'pearson',
  'accuracy',
  'macroF1',
] as const;

/** One CSV cell: numbers as they are, text quoted when it holds a comma, quote or newline. */
export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : String(v);
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function metricsCsv(run: RunData): string {
  const rows = new Map<number, Record<string, unknown>>();
  for (const s of run.steps) rows.set(s.step, { ...s });
  for (const e of run.evals) {
    const row = rows.get(e.step) ?? { step: e.step };
    for (const c of EVAL_COLUMNS) if (e[c] !== undefined) row[c] = e[c];
    rows.set(e.step, row);
  }
  const header = [...STEP_COLUMNS, ...EVAL_COLUMNS];
  const lines = [header.join(',')];
  for (const step of [...rows.keys()].sort((a, b) => a - b)) {
    const row = rows.get(step)!;
    lines.push(header.map((c) => csvCell(row[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function metricsJson(run: RunData): string {
  return `${JSON.stringify(
    {
      id: run.id,
      name: run.name,
      createdAt: new Date(run.createdAt).toISOString(),
      status: run.status,
      config: run.config,
      ready: run.ready ?? null,
      steps: run.steps,
      evals: run.evals,
    },
    null,
    2,
  )}\n`;
}

/** A file-name-safe version of a run's name. */
export function fileStem(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return s || 'run';
}
