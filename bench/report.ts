/**
 * Numbers → the terminal table, the JSON record and the generated part of docs/benchmarks.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BenchCaseResult, KernelTime } from '../src/worker/bench.ts';
import { COUNT_FIELDS, type CountField, type WebgpuCounts } from '../src/worker/webgpuCounters.ts';
import type { Machine } from './machine.ts';
import type { TorchResult } from './torch.ts';

export type Host = 'node' | 'browser' | 'torch';

export interface CaseRecord {
  host: Host;
  backend: string;
  shape: string;
  /** Data-parallel replicas asked for (absent: 1). */
  workers?: number;
  /** 1-minute load average when the case started and ended. */
  load: [number, number];
  wallMs: number;
  result?: BenchCaseResult | TorchResult;
  error?: string;
}

export interface RunRecord {
  date: string;
  mode: 'quick' | 'full';
  argv: string[];
  machine: Machine;
  settings: Record<string, unknown>;
  cases: CaseRecord[];
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const median = n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  return { median, min: s[0]!, max: s[n - 1]!, n };
}

export interface Row {
  label: string;
  host: Host;
  backend: string;
  shape: string;
  /** Data-parallel replicas the step ran on (1: one thread's step). */
  workers: number;
  step?: Spread;
  trainPerSec?: number;
  /** Over PyTorch with 2 threads (the reference). */
  trainRatio?: number;
  /** Over the fastest PyTorch run of the invocation (1 or 2 threads). */
  trainRatioFastest?: number;
  embedPerSec?: number;
  embedRatio?: number;
  embedRatioFastest?: number;
  embedSentences?: number;
  embedPasses?: number;
  ttfsMs?: number;
  firstStepMs?: number;
  peakTensors?: number;
  peakBytes?: number;
  /** PyTorch: the process's peak resident memory (no tensor-level count). */
  rssBytes?: number;
  /** WebGPU: what a step asks of the GPU (src/worker/webgpuCounters.ts). */
  webgpu?: WebgpuRow;
  note?: string;
  error?: string;
}

export function rowsOf(run: RunRecord): Row[] {
  const torchBy = new Map<string, CaseRecord>();
  for (const c of run.cases) if (c.backend === 'torch' && c.result) torchBy.set(c.shape, c);
  // The fastest PyTorch run of a shape (2 threads can lose to 1 when other work holds a core).
  const trainRate = (r: CaseRecord['result']) =>
    r ? (r.batchSize * 1000) / spread(r.stepMs).median : 0;
  const embedRate = (r: CaseRecord['result']) =>
    r ? (r.embed.sentences * 1000) / spread(r.embed.passMs).median : 0;
  const fastest = new Map<string, { train: number; embed: number }>();
  for (const c of run.cases) {
    if (c.host !== 'torch' || !c.result) continue;
    const f = fastest.get(c.shape) ?? { train: 0, embed: 0 };
    fastest.set(c.shape, {
      train: Math.max(f.train, trainRate(c.result)),
      embed: Math.max(f.embed, embedRate(c.result)),
    });
  }
  const rows: Row[] = [];
  for (const c of run.cases) {
    const label =
      c.host === 'torch'
        ? `PyTorch (${(c.result as TorchResult | undefined)?.threads ?? (c.backend === 'torch' ? 2 : 1)} thread${c.backend === 'torch' ? 's' : ''})`
        : `${c.host === 'node' ? 'Node' : 'Chromium'} ${c.backend}`;
    const row: Row = {
      label,
      host: c.host,
      backend: c.backend,
      shape: c.shape,
      workers: c.workers ?? 1,
    };
    if (!c.result) {
      row.error = c.error ?? 'no result';
      rows.push(row);
      continue;
    }
    const r = c.result;
    row.step = spread(r.stepMs);
    row.trainPerSec = (r.batchSize * 1000) / row.step.median;
    const passes = spread(r.embed.passMs);
    row.embedPerSec = (r.embed.sentences * 1000) / passes.median;
    row.embedSentences = r.embed.sentences;
    row.embedPasses = passes.n;
    row.ttfsMs = r.timeToFirstStepMs;
    row.firstStepMs = r.firstStepMs;
    const prof = (r as BenchCaseResult).profile;
    if (prof) {
      row.peakTensors = prof.peakTensors;
      row.peakBytes = prof.peakBytes;
    }
    if (c.host === 'torch') row.rssBytes = (r as TorchResult).maxRssBytes;
    const counted = (r as BenchCaseResult).webgpu;
    if (counted && counted.steps.length > 0) row.webgpu = webgpuRow(counted);
    const t = torchBy.get(c.shape)?.result;
    if (t && c.backend !== 'torch') {
      row.trainRatio = row.trainPerSec / trainRate(t);
      row.embedRatio = row.embedPerSec / embedRate(t);
      if (t.embed.sentences !== r.embed.sentences)
        row.note = `embedded ${r.embed.sentences} of PyTorch's ${t.embed.sentences} sentences`;
    }
    const f = fastest.get(c.shape);
    if (f && f.train > 0) {
      row.trainRatioFastest = row.trainPerSec / f.train;
      row.embedRatioFastest = row.embedPerSec / f.embed;
    }
    const w = (r as BenchCaseResult).wasmThreads;
    if (c.backend === 'wasm' && w !== undefined) {
      const mt = (r as BenchCaseResult).wasmMultithread;
      row.label += mt ? ` (threaded build, ${w} thr. reported)` : ' (single-thread build)';
    }
    const gemm = (r as BenchCaseResult).wasmGemm;
    if (c.backend === 'wasm' && gemm)
      row.label += `, ${gemm === 'relaxed' ? 'relaxed-SIMD' : 'SIMD'} GEMM`;
    const ran = (r as BenchCaseResult).workers;
    if (c.host !== 'torch' && (c.workers ?? 1) > 1) {
      row.label += `, ${ran ?? '?'} workers`;
      row.workers = ran ?? 1;
      // Asked for K and got fewer (no Workers, no SharedArrayBuffer): said, not hidden.
      if (ran !== c.workers) {
        const short = `asked for ${c.workers} workers, ran on ${ran}`;
        row.note = row.note ? `${row.note}; ${short}` : short;
      }
    }
    rows.push(row);
  }
  return rows;
}

const f0 = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? '–' : Math.round(x).toLocaleString('en');
const f1 = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x)
    ? '–'
    : x >= 100
      ? Math.round(x).toLocaleString('en')
      : x.toFixed(1);
const f2 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));
const sec = (ms: number | undefined) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);
const mb = (b: number | undefined) => (b === undefined ? '–' : `${Math.round(b / 2 ** 20)} MiB`);

function stepCell(s: Spread | undefined): string {
  if (!s) return '–';
  return `${f0(s.median)} (${f0(s.min)}–${f0(s.max)}, n=${s.n})`;
}

const HEADERS = [
  'where / backend',
  'shape',
  'ms / step: median (min–max, n)',
  'train sent/s',
  '× PyTorch 2 thr',
  '× fastest PyTorch',
  'embed sent/s',
  '× PyTorch 2 thr',
  '× fastest PyTorch',
  'first step',
  'time to 1st step',
  'peak tensors',
  'peak bytes',
];

function cells(r: Row): string[] {
  if (r.error) return [r.label, r.shape, `failed: ${r.error}`, ...HEADERS.slice(3).map(() => '')];
  return [
    r.label,
    r.shape,
    stepCell(r.step),
    f1(r.trainPerSec),
    r.backend === 'torch' ? '1' : f2(r.trainRatio),
    f2(r.trainRatioFastest),
    `${f1(r.embedPerSec)}${r.note ? '*' : ''}`,
    r.backend === 'torch' ? '1' : f2(r.embedRatio),
    f2(r.embedRatioFastest),
    sec(r.firstStepMs),
    sec(r.ttfsMs),
    f0(r.peakTensors),
    r.rssBytes !== undefined ? `RSS ${mb(r.rssBytes)}` : mb(r.peakBytes),
  ];
}

function textTable(headers: string[], body: string[][]): string {
  const all = [headers, ...body];
  const widths = headers.map((_, i) =>
    Math.min(60, Math.max(...all.map((r) => (r[i] ?? '').length))),
  );
  const line = (r: string[]) =>
    r.map((c, i) => (c ?? '').slice(0, 60).padEnd(widths[i]!)).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function mdTable(headers: string[], body: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** The speed table, then (when a WebGPU case counted its steps) the WebGPU counts table. */
export function terminalTable(rows: Row[]): string {
  const gpu = rows.filter((r) => r.webgpu);
  const main = textTable(HEADERS, rows.map(cells));
  if (!gpu.length) return main;
  return `${main}\n\nWebGPU, per step (counted at the WebGPU API):\n${textTable(WEBGPU_HEADERS, gpu.map(webgpuCells))}`;
}

export function markdownTable(rows: Row[]): string {
  return mdTable(HEADERS, rows.map(cells));
}

// ---- WebGPU: what a step asks of the GPU ----

export interface WebgpuRow {
  /** The median over the timed steps, field by field. */
  perStep: Record<CountField, number>;
  /** Some field differed between timed steps (the cell shows min–max). */
  ranges: Partial<Record<CountField, [number, number]>>;
  firstStep: WebgpuCounts;
  steps: number;
  /** The first timed step's uploads by size (bytes → count); absent in older records. */
  sizes?: Record<string, number>;
}

function webgpuRow(c: NonNullable<BenchCaseResult['webgpu']>): WebgpuRow {
  const perStep = { ...c.firstStep };
  const ranges: WebgpuRow['ranges'] = {};
  for (const k of COUNT_FIELDS) {
    if (c.steps.some((x) => typeof x[k] !== 'number')) {
      perStep[k] = Number.NaN; // a field older records lack: shown as –
      continue;
    }
    const s = spread(c.steps.map((x) => x[k]));
    perStep[k] = s.median;
    if (s.min !== s.max) ranges[k] = [s.min, s.max];
  }
  const sizes = c.steps[0]?.uploadSizes;
  return {
    perStep,
    ranges,
    firstStep: c.firstStep,
    steps: c.steps.length,
    ...(sizes ? { sizes } : {}),
  };
}

const WEBGPU_HEADERS = [
  'where / backend',
  'shape',
  'steps',
  'dispatches / step',
  'uploads / step',
  'uploaded bytes / step',
  'uniform writes (bytes) / step',
  'readbacks / step',
  'readback bytes / step',
  'submits / step',
  'new GPU buffers / step',
  'first step: dispatches, uploaded bytes, readbacks',
  'uploads by size (a timed step)',
];

const kib = (b: number) => (b < 10_240 ? `${f0(b)} B` : `${f1(b / 1024)} KiB`);

function webgpuCells(r: Row): string[] {
  const w = r.webgpu!;
  const cell = (k: CountField, fmt: (x: number) => string = f0) => {
    const range = w.ranges[k];
    return range ? `${fmt(w.perStep[k])} (${fmt(range[0])}–${fmt(range[1])})` : fmt(w.perStep[k]);
  };
  const p = w.perStep;
  const sync = p.syncReadbacks > 0 ? ` (${f0(p.syncReadbacks)} sync)` : '';
  const fs = w.firstStep;
  return [
    r.label,
    r.shape,
    String(w.steps),
    cell('dispatches'),
    cell('uploads'),
    cell('uploadBytes', kib),
    `${cell('uniformWrites')} (${kib(p.uniformBytes)})`,
    `${cell('readbacks')}${sync}`,
    cell('readbackBytes', kib),
    cell('submits'),
    cell('buffersCreated'),
    `${f0(fs.dispatches)}, ${kib(fs.uploadBytes)}, ${f0(fs.readbacks)}`,
    w.sizes
      ? Object.entries(w.sizes)
          .sort(([a], [b]) => Number(b) - Number(a))
          .map(([b, n]) => `${kib(Number(b))} ×${n}`)
          .join(', ')
      : '–',
  ];
}

/** The WebGPU counts as a Markdown table (empty when no case counted). */
export function webgpuMarkdown(rows: Row[]): string {
  const gpu = rows.filter((r) => r.webgpu);
  return gpu.length ? mdTable(WEBGPU_HEADERS, gpu.map(webgpuCells)) : '';
}

function topKernels(kernels: KernelTime[], total: number, n: number): string {
  return kernels
    .slice(0, n)
    .map(
      (k) =>
        `${k.name} ${f0(k.ms)} ms (${Math.round((100 * k.ms) / Math.max(total, 1e-9))}%, ×${k.calls})`,
    )
    .join('; ');
}

/** One line per profiled case: step wall time, time inside kernels, the top kernels. */
export function profileLines(run: RunRecord): string[] {
  const out: string[] = [];
  for (const c of run.cases) {
    const r = c.result;
    if (!r?.profile) continue;
    const p = r.profile as {
      kernelMs: number;
      kernels: KernelTime[];
      stepMs?: number;
      timer?: string;
    };
    const threads = (r as TorchResult).threads;
    const who =
      c.host === 'torch'
        ? `PyTorch ${threads} thread${threads === 1 ? '' : 's'}`
        : `${c.host === 'node' ? 'Node' : 'Chromium'} ${c.backend}`;
    if (c.host === 'torch') {
      out.push(
        `- **${who}, ${c.shape}**: ${topKernels(p.kernels, p.kernelMs, 6)} (self CPU time, torch.profiler).`,
      );
      continue;
    }
    const outside = p.stepMs !== undefined ? Math.max(0, p.stepMs - p.kernelMs) : undefined;
    const timer = p.timer === 'none' ? ' (no kernel timer on this backend: times are 0)' : '';
    out.push(
      `- **${who}, ${c.shape}**: profiled step ${f0(p.stepMs)} ms, ${f0(p.kernelMs)} ms in kernels, ${f0(outside)} ms outside${timer}. Top: ${topKernels(p.kernels, p.kernelMs, 6)}.`,
    );
  }
  return out;
}

export function machineLines(run: RunRecord): string[] {
  const m = run.machine;
  return [
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.os}.`,
    `- Software: Node ${m.node}, TF.js ${m.tfjs}${m.chromium ? `, ${m.chromium}` : ''}${m.torch ? `, PyTorch ${m.torch} (Python ${m.python}, BLAS ${m.blas})` : ''}.`,
    `- Load (1-min average, all processes): ${m.loadStart[0]} at the start, ${m.loadEnd?.[0] ?? '?'} at the end; per case: ${run.cases.map((c) => `${c.host === 'torch' ? 'torch' : `${c.host} ${c.backend}${c.workers ? ` ×${c.workers}` : ''}`} ${c.shape} ${c.load[0]}→${c.load[1]}`).join(', ')}.`,
  ];
}

const START = '<!-- bench:generated:start (npm run bench rewrites this block) -->';
const END = '<!-- bench:generated:end -->';

export function generatedBlock(run: RunRecord, resultsFile: string): string {
  const rows = rowsOf(run);
  const starred = rows.filter((r) => r.note).map((r) => `${r.label} ${r.shape}: ${r.note}`);
  const prof = profileLines(run);
  const gpu = webgpuMarkdown(rows);
  return [
    START,
    `### Latest run: ${run.date} (${run.mode === 'quick' ? '`--quick`' : 'full'}; \`${resultsFile}\`)`,
    '',
    markdownTable(rows),
    '',
    ...(starred.length ? [`\\* ${starred.join('; ')}.`, ''] : []),
    ...machineLines(run),
    '',
    ...(gpu
      ? [
          '#### WebGPU: what one training step asks of the GPU (counted at the WebGPU API, src/worker/webgpuCounters.ts)',
          '',
          gpu,
          '',
        ]
      : []),
    ...(prof.length
      ? ['#### Profiled step (one step under tf.profile / torch.profiler)', '', ...prof, '']
      : []),
    END,
  ].join('\n');
}

/**
 * Replaces a generated block of the doc (or appends it), keeping the hand-written text. The block
 * is the one between `markers` (default: the bench table's); `block` carries them itself.
 */
export function updateDoc(
  path: string,
  block: string,
  skeleton: string,
  markers: { start: string; end: string } = { start: START, end: END },
): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : skeleton;
  const a = text.indexOf(markers.start);
  const b = text.indexOf(markers.end);
  const next =
    a >= 0 && b > a
      ? text.slice(0, a) + block + text.slice(b + markers.end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}
