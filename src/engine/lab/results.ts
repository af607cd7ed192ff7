/**
 * The journey's results table, from each run's own step and eval events (the same events the
 * page charts and `cplay train` writes): chapter · recipe · the paper's number · this run's score
 * at step 0 → at the end · Δ · alignment · uniformity · loss · steps · time · memory (the
 * optimiser's state and a training step's peak, measured by the host that ran it). Whether ours agrees
 * with each paper's ordering is computed from the rows; nothing here is tuned or hard-coded.
 */
import type { ExperimentConfig } from '../config/schema.ts';
import type { EvalEvent, StepEvent } from '../train/events.ts';
import {
  type Chapter,
  type ChapterId,
  type LabMetric,
  METRIC_LABEL,
  type PaperNumber,
} from './chapters.ts';
import { PAPER_ORDERINGS, type PaperOrdering } from './orderings.ts';

export type StepRecord = Pick<StepEvent, 'step' | 'loss'> & Partial<Pick<StepEvent, 'elapsedMs'>>;
export type EvalRecord = Omit<EvalEvent, 'type' | 'cosine' | 'projection'>;

export const ROW_STATUSES = ['finished', 'stopped', 'failed', 'running', 'waiting'] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

export interface ResultRow {
  chapter: ChapterId;
  title: string;
  recipe: string;
  metric: LabMetric;
  paper: PaperNumber | null;
  /** The metric at the step-0 evaluation (the untrained start), × 100. */
  start: number | null;
  /** The metric at the last evaluation (null while none, and for a failed run). */
  end: number | null;
  delta: number | null;
  /** At the last evaluation that has them (lower is better for both). */
  alignment: number | null;
  uniformity: number | null;
  /** Mean training loss over the last LOSS_WINDOW steps. */
  loss: number | null;
  steps: number;
  /** Training time (the last step's elapsed time), seconds. */
  seconds: number | null;
  /**
   * Bytes of the optimiser's state at the end of the run, exact: every slot of every variable
   * (float32). AdamW: exp_avg + exp_avg_sq, two floats per weight; Adafactor: a row and a column
   * average per matrix, one float per weight of a vector. null where the host did not measure it.
   */
  optimizerBytes: number | null;
  /**
   * The most bytes held by tensors at any point of one training step (the engine's tf.memory()
   * count, read after every kernel by tf.profile): weights, optimiser state, the step's
   * activations and gradients. Measured on one more step after the run; null where not measured.
   */
  peakBytes: number | null;
  status: RowStatus;
  error?: string;
}

/** Steps the end-of-run loss is averaged over (one step's loss is noisy). */
export const LOSS_WINDOW = 10;

/** The recipe in one line, read from the resolved config (so it never drifts from what ran). */
export function describeRecipe(c: ExperimentConfig): string {
  const enc =
    c.encoder.source === 'builtin'
      ? `random-init BERT h${c.encoder.builtin.hidden}`
      : c.encoder.source.replace(/^builtin:/, '');
  const train = c.data.train.source.replace(/^builtin:/, '');
  const parts = [enc, train, c.objective.kind];
  const views: string[] = [];
  if (c.augment.eda) views.push('EDA');
  const e = c.augment.embedding;
  if (e) {
    const name = (v: { kind: string } | null) => (v ? v.kind : 'none');
    views.push('kind' in e ? name(e) : `${name(e.view1)} | ${name(e.view2)}`);
  }
  const p = c.augment.dropout ? c.encoder.hiddenDropout : 0;
  views.push(`dropout ${p}${c.objective.fixedDropoutMask ? ' (one mask for both views)' : ''}`);
  parts.push(views.join(' + '));
  const o = c.objective;
  if (o.kind !== 'ce' && o.kind !== 'rdrop') parts.push(`τ ${o.temperature}`);
  if (o.kind === 'simcse-sup') parts.push(`log α ${o.hardNegativeWeight}`);
  if (o.kind === 'rdrop' || o.kind === 'logit-contrast') parts.push(`α ${o.alpha}`);
  if (o.kind === 'supcon') parts.push(`λ ${o.lambda}`);
  parts.push(`batch ${c.batchSize}${c.gradCache ? ` (GradCache ${c.gradCache.chunkSize})` : ''}`);
  // The journey's optimiser is AdamW; any other is named.
  const opt = c.optimizer;
  if (opt.kind === 'adafactor')
    parts.push(`Adafactor${opt.lr === null ? ' (relative step)' : ` lr ${opt.lr}`}`);
  else if (opt.kind !== 'adamw') parts.push(`${opt.kind} lr ${opt.lr}`);
  return parts.join(' · ');
}

/** What a host measured of a run's memory (MemoryRecord fields missing: not measured). */
export interface MemoryRecord {
  optimizerBytes?: number | null;
  peakBytes?: number | null;
}

/** Bytes of an optimiser state's slots (a checkpoint's `optimizer`): every slot value, float32. */
export function optimizerStateBytes(state: {
  variables: Record<string, { slots: Record<string, { data: { byteLength: number } }> }>;
}): number {
  let bytes = 0;
  for (const v of Object.values(state.variables))
    for (const slot of Object.values(v.slots)) bytes += slot.data.byteLength;
  return bytes;
}

function lastWith<K extends keyof EvalRecord>(
  evals: readonly EvalRecord[],
  k: K,
): EvalRecord | undefined {
  for (let i = evals.length - 1; i >= 0; i--) if (evals[i]![k] !== undefined) return evals[i];
  return undefined;
}

/**
 * One chapter's row from its run: resolved config, events in order, how the run ended, and the
 * memory its host measured (none: those cells stay empty).
 */
export function resultRow(
  chapter: Chapter,
  config: ExperimentConfig,
  steps: readonly StepRecord[],
  evals: readonly EvalRecord[],
  status: RowStatus,
  error?: string,
  memory: MemoryRecord = {},
): ResultRow {
  const m = chapter.metric;
  const startEval = evals.find((e) => e.step === 0 && e[m] !== undefined);
  const endEval = lastWith(evals, m);
  const start = startEval?.[m] ?? null;
  // A failed run has no end score: its last evaluation is wherever it broke (often step 0).
  const end = status === 'failed' ? null : (endEval?.[m] ?? null);
  const au = lastWith(evals, 'alignment');
  const tail = steps.slice(-LOSS_WINDOW).filter((s) => Number.isFinite(s.loss));
  const last = steps.at(-1);
  const row: ResultRow = {
    chapter: chapter.id,
    title: chapter.title,
    recipe: describeRecipe(config),
    metric: m,
    paper: chapter.paper,
    start,
    end,
    delta: start !== null && end !== null ? end - start : null,
    alignment: au?.alignment ?? null,
    uniformity: au?.uniformity ?? null,
    loss: tail.length ? tail.reduce((a, s) => a + s.loss, 0) / tail.length : null,
    steps: Math.max(last?.step ?? 0, endEval?.step ?? 0),
    seconds: last?.elapsedMs !== undefined ? last.elapsedMs / 1000 : null,
    optimizerBytes: memory.optimizerBytes ?? null,
    peakBytes: memory.peakBytes ?? null,
    status,
  };
  if (error !== undefined) row.error = error;
  return row;
}

/** A row still waiting for (or running) its run: the chapter's recipe, nothing measured yet. */
export function pendingRow(
  chapter: Chapter,
  config: ExperimentConfig,
  status: RowStatus = 'waiting',
): ResultRow {
  return resultRow(chapter, config, [], [], status);
}

export interface OrderingVerdict {
  ordering: PaperOrdering;
  better: number | null;
  worse: number | null;
  /** null while either row has no end score. */
  agrees: boolean | null;
}

/** Each paper ordering between two rows of the table, checked on their end scores. */
export function orderingVerdicts(
  rows: readonly ResultRow[],
  orderings: readonly PaperOrdering[] = PAPER_ORDERINGS,
): OrderingVerdict[] {
  const by = new Map(rows.map((r) => [r.chapter, r]));
  return orderings
    .filter((o) => by.has(o.better) && by.has(o.worse))
    .map((o) => {
      const better = by.get(o.better)!.end;
      const worse = by.get(o.worse)!.end;
      const agrees =
        better === null || worse === null
          ? null
          : o.relation === '>'
            ? better > worse
            : better >= worse;
      return { ordering: o, better, worse, agrees };
    });
}

const f1 = (x: number | null) => (x === null ? '—' : x.toFixed(1));
const f2 = (x: number | null) => (x === null ? '—' : x.toFixed(2));
const f3 = (x: number | null) => (x === null ? '—' : x.toFixed(3));

/** 512 → "512 B", 68360 → "66.8 KiB", 11892736 → "11.3 MiB" (binary units). */
export function formatBytes(b: number | null): string {
  if (b === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let x = b;
  let u = 0;
  while (x >= 1024 && u < units.length - 1) {
    x /= 1024;
    u++;
  }
  return u === 0 ? `${b} B` : `${x.toFixed(1)} ${units[u]}`;
}

/** The memory cell: "optimiser state · step peak", a dash for what was not measured. */
export function memoryCell(r: Pick<ResultRow, 'optimizerBytes' | 'peakBytes'>): string {
  if (r.optimizerBytes === null && r.peakBytes === null) return '—';
  return `${formatBytes(r.optimizerBytes)} · ${formatBytes(r.peakBytes)}`;
}

/** 83 → "1m 23s", 7.2 → "7s". */
export function formatSeconds(s: number | null): string {
  if (s === null) return '—';
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return h > 0 ? `${h}h ${m}m` : `${m}m ${sec}s`;
}

function signed(x: number | null): string {
  return x === null ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}`;
}

/** The score cell: "61.2 → 66.1" (the status beside it unless finished), or the status alone. */
export function scoreCell(r: ResultRow): string {
  if (r.end === null)
    return r.status === 'failed' ? `failed${r.error ? `: ${r.error}` : ''}` : r.status;
  const score = `${f1(r.start)} → ${f1(r.end)}`;
  return r.status === 'finished' ? score : `${score} (${r.status})`;
}

/** A paper's number as the paper prints it: 82.5, 73.97, 64.0. */
export function paperValue(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}

function paperCell(p: PaperNumber | null): string {
  return p ? `${paperValue(p.value)} (${p.citation})` : '—';
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export interface TableNotes {
  /** e.g. "quick (150 steps)", "tiny overrides": printed under the title. */
  setting?: string;
}

/**
 * The table as Markdown: the results, then the papers' orderings with ours beside them. The
 * paper column holds BERT-base numbers on the papers' data: compare the shape, not the values.
 */
export function resultsMarkdown(rows: readonly ResultRow[], notes: TableNotes = {}): string {
  const out: string[] = [];
  if (notes.setting) out.push(`Setting: ${notes.setting}.`, '');
  out.push(
    "The paper's numbers are BERT-base on the papers' full data (their table and split are named); ours are a small BERT on the offline sets. Compare which recipe wins, not the values.",
    '',
    '| Chapter | Recipe | Paper | Ours: start → end | Δ | Alignment | Uniformity | Loss | Steps | Time | Memory: optimiser state · step peak |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of rows) {
    out.push(
      `| ${md(`${r.chapter} (${METRIC_LABEL[r.metric]})`)} | ${md(r.recipe)} | ${md(paperCell(r.paper))} | ${md(scoreCell(r))} | ${signed(r.delta)} | ${f3(r.alignment)} | ${f3(r.uniformity)} | ${f3(r.loss)} | ${r.steps} | ${formatSeconds(r.seconds)} | ${memoryCell(r)} |`,
    );
  }
  const verdicts = orderingVerdicts(rows);
  if (verdicts.length) {
    out.push('', "| The paper's ordering | Where | Ours | Agrees? |", '| --- | --- | --- | --- |');
    for (const v of verdicts) {
      const o = v.ordering;
      out.push(
        `| ${o.better} ${o.relation} ${o.worse} | ${md(o.source)} | ${f2(v.better)} vs ${f2(v.worse)} | ${v.agrees === null ? 'pending' : v.agrees ? 'yes' : 'no'} |`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

const CSV_COLUMNS = [
  'chapter',
  'title',
  'metric',
  'recipe',
  'paper',
  'paper_source',
  'paper_measure',
  'start',
  'end',
  'delta',
  'alignment',
  'uniformity',
  'loss',
  'steps',
  'seconds',
  'status',
  'optimizer_bytes',
  'peak_bytes',
] as const;

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The table as CSV (RFC 4180 quoting; empty cells where nothing was measured). */
export function resultsCsv(rows: readonly ResultRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    const cells: (string | number | null)[] = [
      r.chapter,
      r.title,
      r.metric,
      r.recipe,
      r.paper?.value ?? null,
      r.paper?.citation ?? null,
      r.paper?.measure ?? null,
      r.start,
      r.end,
      r.delta,
      r.alignment,
      r.uniformity,
      r.loss,
      r.steps,
      r.seconds,
      r.status,
      r.optimizerBytes,
      r.peakBytes,
    ];
    lines.push(cells.map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}
