/**
 * The speed targets (issue 12) read off one `npm run bench` run: the step ratios to the faster
 * PyTorch of the same run, the data-parallel scaling, and what `auto` chose and what its probe
 * cost. Written to its own generated block of docs/benchmarks.md; nothing here measures.
 */
import type { AutoProbeResult } from './autoProbe.ts';
import type { ScalingResult } from './dataParallel.ts';
import { type RunRecord, rowsOf, updateDoc } from './report.ts';
import { BATCH_SIZE } from './shapes.ts';

export interface TargetsRecord {
  scaling?: ScalingResult | { error: string };
  autoProbe?: AutoProbeResult | { error: string };
}

export interface TargetRow {
  target: string;
  goal: string;
  measured: string;
  met: boolean | null;
}

const START = '<!-- bench:targets:start -->';
const END = '<!-- bench:targets:end -->';

/**
 * The WASM step's ratio to the faster PyTorch. Judged on what a run gets by default: one
 * data-parallel replica per core (`workers` null), the case with the most workers; the
 * one-worker step (one thread's kernels) is shown beside it. PyTorch's faster run may use both
 * cores too (2 threads), so the comparison is core for core.
 */
function ratioRow(run: RunRecord, host: 'node' | 'browser', shape: string, goal: number) {
  const where = host === 'node' ? 'Node (`cplay train`)' : 'Chromium';
  const rows = rowsOf(run).filter(
    (r) => r.host === host && r.backend === 'wasm' && r.shape === shape && !r.error,
  );
  const one = rows.find((r) => r.workers === 1);
  const many = rows.filter((r) => r.workers > 1).sort((a, b) => b.workers - a.workers)[0];
  const row = many ?? one;
  const ratio = row?.trainRatioFastest;
  const said = (r: typeof row) =>
    `${r!.trainRatioFastest!.toFixed(2)}× (${Math.round(r!.step!.median)} ms/step)`;
  return {
    target: `${where} WASM, bert-${shape} step ÷ the faster PyTorch`,
    goal: `≥ ${goal}×`,
    measured:
      ratio === undefined
        ? 'not measured in this run'
        : `${said(row)}${many ? ` with ${many.workers} workers (the default: one per core)` : ', one worker'}` +
          (many && one?.trainRatioFastest !== undefined ? `; one worker: ${said(one)}` : ''),
    met: ratio === undefined ? null : ratio >= goal,
  };
}

/**
 * The same run's WASM cases at 2 workers against one worker, per host and shape (the step a user
 * gets with the default, over `workers: 1`), for the K = 2 row: the scaling case is bert-tiny only.
 */
function casesScalingNote(run: RunRecord): string {
  const parts: string[] = [];
  for (const host of ['node', 'browser'] as const)
    for (const shape of ['tiny', 'mini']) {
      const rows = rowsOf(run).filter(
        (r) => r.host === host && r.backend === 'wasm' && r.shape === shape && !r.error && r.step,
      );
      const one = rows.find((r) => r.workers === 1);
      const two = rows.find((r) => r.workers === 2);
      if (one && two)
        parts.push(
          `${host === 'node' ? 'Node' : 'Chromium'} ${shape} ${(one.step!.median / two.step!.median).toFixed(2)}×`,
        );
    }
  return parts.length ? `; the run's WASM cases, 2 workers ÷ one worker: ${parts.join(', ')}` : '';
}

/** The machine's own bound on K-way scaling (dataParallel.ts, `ceiling`), for the K = 2 row. */
function ceilingNote(s: ScalingResult): string {
  const two = (s.ceiling ?? []).filter((x) => x.processes === 2);
  const whole = two.find((x) => (x.batchPerProcess ?? BATCH_SIZE) === BATCH_SIZE);
  const shard = two.find((x) => x.batchPerProcess !== undefined && x.batchPerProcess < BATCH_SIZE);
  let note = '';
  if (whole)
    note += `; the machine's ceiling, 2 independent one-worker processes at once: ${whole.speedup.toFixed(2)}× (${whole.stepMs.map((t) => Math.round(t)).join(' and ')} ms/step vs ${Math.round(whole.aloneMs)} alone)`;
  if (shard)
    note += `; 2 independent processes of ${shard.batchPerProcess} sentences each (what the replicas do) at once: ${shard.speedup.toFixed(2)}× (${shard.stepMs.map((t) => Math.round(t)).join(' and ')} ms/step)`;
  if (s.threads)
    note += `; 2 threads here scale ${s.threads.alu.scaling.toFixed(2)}× on ALU-bound work and ${s.threads.memory.scaling.toFixed(2)}× on memory-bound work`;
  if (s.threads?.gemm)
    note += ` (scalar chains), ${s.threads.gemm.scaling.toFixed(2)}× on the step's SIMD matrix product`;
  return note;
}

export function targetRows(run: RunRecord & TargetsRecord): TargetRow[] {
  const rows: TargetRow[] = [];
  const shapes = new Set(run.cases.map((c) => c.shape));
  for (const host of ['browser', 'node'] as const) {
    if (shapes.has('tiny')) rows.push(ratioRow(run, host, 'tiny', 0.5));
    if (shapes.has('mini')) rows.push(ratioRow(run, host, 'mini', 0.4));
  }
  const s = run.scaling;
  if (s && 'error' in s) {
    rows.push({
      target: 'K = 2 replicas',
      goal: '≥ 1.6×',
      measured: `failed: ${s.error}`,
      met: null,
    });
  } else if (s) {
    // K = 1 and K = 2 measured in turn (1, 2, 1, 2, …): pair i is the i-th of each; the figure is
    // the median of the pairs' ratios, so that drift in the host's speed falls on both sides.
    const ones = s.results.filter((r) => r.workers === 1);
    const twos = s.results.filter((r) => r.workers === 2);
    const pairs = ones.slice(0, twos.length).map((one, i) => ({ one, two: twos[i]! }));
    const ratios = pairs.map((p) => p.one.stepMs / p.two.stepMs).sort((a, b) => a - b);
    const mid = ratios.length / 2;
    const speedup = ratios.length
      ? ratios.length % 2
        ? ratios[Math.floor(mid)]!
        : (ratios[mid - 1]! + ratios[mid]!) / 2
      : undefined;
    const steps = pairs.map((p) => `${Math.round(p.one.stepMs)} → ${Math.round(p.two.stepMs)}`);
    const each =
      pairs.length > 1
        ? `median of ${pairs.length} interleaved pairs: ${pairs.map((p) => `${(p.one.stepMs / p.two.stepMs).toFixed(2)}×`).join(', ')}; `
        : '';
    const predicted = (s.model?.predicted ?? {}) as Record<string, { speedup: number }>;
    rows.push({
      target: `K = 2 replicas (Node worker_threads, ${s.backend}, bert-${s.shape}) ÷ K = 1 throughput`,
      goal: '≥ 1.6×',
      measured:
        speedup === undefined
          ? 'not measured'
          : `${speedup.toFixed(2)}× (${each}${steps.join(', ')} ms/step; load ${s.load1.toFixed(1)} on ${s.cores} cores)` +
            (predicted['8']
              ? `; the fitted model gives ${predicted['8'].speedup.toFixed(1)}× at K = 8`
              : '') +
            ceilingNote(s) +
            casesScalingNote(run),
      met: speedup === undefined ? null : speedup >= 1.6,
    });
  }
  const a = run.autoProbe;
  if (a && 'error' in a) {
    rows.push({
      target: '`auto` on the default',
      goal: 'fastest, < 5 s',
      measured: `failed: ${a.error}`,
      met: null,
    });
  } else if (a) {
    // The fastest backend of this run's own Chromium tiny cases (the default is bert-tiny-shaped).
    const browser = rowsOf(run).filter((r) => r.host === 'browser' && r.shape === 'tiny' && r.step);
    const fastest = browser.sort((x, y) => x.step!.median - y.step!.median)[0]?.backend;
    const landed = fastest === undefined ? null : a.chosen === fastest;
    rows.push({
      target: '`auto` on the default experiment lands on the fastest backend',
      goal: fastest ? `${fastest} (fastest Chromium case above)` : 'the fastest',
      measured: a.chosen,
      met: landed,
    });
    rows.push({
      target: '`auto` probe cost',
      goal: '< 5 s',
      measured:
        a.probeSeconds === null
          ? `no probe time stated (${a.reasons})`
          : `${a.probeSeconds} s (Start → backend shown ${(a.startToBackendMs / 1000).toFixed(1)} s)`,
      met: a.probeSeconds === null ? null : a.probeSeconds < 5,
    });
  }
  return rows;
}

export function targetsBlock(run: RunRecord & TargetsRecord, resultsFile: string): string {
  const rows = targetRows(run);
  const mark = (m: boolean | null) => (m === null ? '–' : m ? 'met' : '**not met**');
  const lines = [
    START,
    `### Targets (issue 12), from \`${resultsFile}\` (${run.mode}, ${run.date})`,
    '',
    '| target | goal | measured | |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.target} | ${r.goal} | ${r.measured} | ${mark(r.met)} |`),
  ];
  if (run.autoProbe && !('error' in run.autoProbe))
    lines.push('', `The page's own words: “${run.autoProbe.reasons}”`);
  lines.push(END);
  return lines.join('\n');
}

/** Replaces the targets block of the doc (or appends it). */
export function updateTargets(path: string, block: string): void {
  updateDoc(path, block, '', { start: START, end: END });
}
