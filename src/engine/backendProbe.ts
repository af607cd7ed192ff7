/**
 * The backend probe behind `backend: "auto"`: which of the backends that start trains THIS encoder
 * at THIS batch shape fastest on this device. Each candidate runs a random encoder of the run's
 * shape (the trainer's step without the optimiser: the same BERT, dropout on, SimCSE's loss, every
 * gradient and their global norm read back), the times are extrapolated to the run's batch, and
 * the fastest trains. Engine code: no DOM; runs in the Worker, in Node, in tests.
 *
 * Per candidate: start it → a screen (one matrix product of the FFN's shape, after a warm-up) →
 * a kernel check and the probe model → a first encoder pass → passes of a doubling number of
 * rows while they fit its share of time.
 *
 * What bounds the cost. A pass cannot be interrupted (a GPU's queued work runs to its end), so
 * each candidate's first runs must be small whatever the device:
 *  - The screen is one [screenRows, H] × [H, I] product of at most SCREEN_FLOPS (10⁷) flops, run
 *    three times: ~1 ms each on WASM here, ~60 ms on SwiftShader's emulated WebGPU (≈0.2 GFLOP/s),
 *    plus compiling that one shader (1–2 s on SwiftShader on this busy machine). When the run's
 *    step, at that product's speed, would take more than SCREEN_MARGIN (2) × the best step
 *    measured so far, the candidate is dropped there: an emulated GPU never reaches an encoder
 *    pass, whose first run compiles ~100 shaders (3 s to tens of seconds on SwiftShader). (A
 *    real GPU's small product is latency-bound, so the product's speed understates it: the
 *    margin, and trying a real GPU first, keep this rule from dropping one.)
 *  - The first encoder pass is sized from the screen to about FIRST_PASS_MS (100 ms) and never
 *    more than FIRST_PASS_MAX_FLOPS (2·10⁹) flops, nor more rows than the best candidate's first
 *    pass; without a screen, at most FIRST_PASS_FLOPS (2·10⁸), shrinking rows, then layers, then
 *    tokens (1 layer × 2 rows × 8 tokens at least).
 *  - A candidate whose first pass took longer than the best finished candidate's whole probe is
 *    dropped at once (it ran the same or a smaller batch).
 *  - One more pass of that size always runs (the first was the warm-up). Every later pass starts
 *    only when its predicted time fits in what is left of the candidate's share (`perBackendMs`,
 *    500 ms after the first pass) and of the whole budget (`budgetMs`, 2.5 s); a candidate not
 *    started when the budget is spent is not measured.
 *  Worst case: budgetMs + per candidate its start-up, screen and first two passes (≤ 2
 *  candidates: WebGPU and WASM).
 */
import type { RunShape } from './runShape.ts';

export { encoderPasses } from './probePasses.ts';
export { type RunShape, runShapeOf, type ShapeIO } from './runShape.ts';

/** One backend's line in the probe's report (plain numbers: it crosses the Worker boundary). */
export interface ProbeEntry {
  backend: string;
  /** "WebGPU (SwiftShader, emulated)", "WASM (2 threads)". */
  label: string;
  /** Estimated ms per training step at the run's shape; null when not measured or dropped. */
  msPerStep: number | null;
  /** Why it was not measured or dropped, or how the estimate was made, in words. */
  note?: string;
  /** Wall time spent on this backend (start-up included), ms. */
  ms?: number;
}

export interface ProbeOutcome {
  /** The fastest measured backend; null when none could start. */
  chosen: string | null;
  entries: ProbeEntry[];
  /** Wall time of the probe, ms. */
  probeMs: number;
}

/** A cached decision, per device and run shape. */
export interface ProbeRecord extends ProbeOutcome {
  /** When it was measured (ms since the epoch). */
  at: number;
}

/** Where decisions are kept: IndexedDB in the browser Worker, memory in Node. */
export interface ProbeCache {
  get(key: string): Promise<ProbeRecord | undefined>;
  put(key: string, record: ProbeRecord): Promise<void>;
}

/** A cache in this process's memory (Node, tests). */
export function memoryProbeCache(): ProbeCache {
  const m = new Map<string, ProbeRecord>();
  return {
    get: async (key) => m.get(key),
    put: async (key, record) => {
      m.set(key, record);
    },
  };
}

/** What the probe runs on one backend. */
export interface ProbeCandidate {
  name: string;
  /** Read after start() (it may learn the thread count / adapter there). */
  label(): string;
  /** Makes this backend current; a sentence when it cannot start. */
  start(): Promise<string | null>;
  /** ms of one plan.screenFlops matrix product after a warm-up (the fastest of two). */
  screen?(): Promise<number>;
  /**
   * Before the encoder passes (after the screen): checks the kernels and builds the probe model
   * on the current backend; throws when a kernel fails. Not timed; counts toward the budget.
   */
  setup?(): Promise<void>;
  /** One forward + backward pass of `rows` rows of the probe model, waited for to its end. */
  pass(rows: number): Promise<void>;
  /** Frees the probe model (before the next backend starts). */
  release(): void;
}

/** The probe's shape, derived from the run's by `planProbe`. */
export interface ProbePlan {
  run: RunShape;
  /** The probe model: the run's hidden / heads / intermediate; layers and length possibly fewer. */
  layers: number;
  length: number;
  /** Embedding rows of the probe model (the run's vocabulary, at most PROBE_VOCAB). */
  vocabSize: number;
  /** Forward + backward flops of one row of the probe model. */
  rowFlops: number;
  /** Rows of a first pass: at least this many, and all of them without a screen. */
  firstRows: number;
  /** At most this many rows in a first pass (FIRST_PASS_MAX_FLOPS). */
  maxFirstRows: number;
  /** A step of the run ≈ (a pass of run.rows rows of the probe model) × scale. */
  scale: number;
  /** The screen's product: [screenRows, hidden] × [hidden, intermediate]. */
  screenRows: number;
  screenFlops: number;
}

export interface ProbeOptions {
  /** The whole probe's budget, after which no new pass starts (ms; default 2500). */
  budgetMs?: number;
  /** One candidate's share after its first pass (ms; default 500). */
  perBackendMs?: number;
  /** The clock (ms); injectable for tests of the decision rule. */
  now?: () => number;
}

/** Flops of a first encoder pass when no screen sized it, at most. */
export const FIRST_PASS_FLOPS = 2e8;
/** Flops of a first encoder pass sized by the screen, at most. */
export const FIRST_PASS_MAX_FLOPS = 2e9;
/** The time a first pass is sized for from the screen's speed. */
export const FIRST_PASS_MS = 100;
/** Flops of the screen's product, at most. */
export const SCREEN_FLOPS = 1e7;
/** A screen drops a candidate whose step at its product's speed exceeds this × the best step. */
export const SCREEN_MARGIN = 2;
/** The probe model's embedding table rows at most: the table's size barely moves a step's time. */
export const PROBE_VOCAB = 8192;
const MIN_LENGTH = 8;

/** Forward + backward flops of one row (3 × 2 × multiply-adds: projections, FFN, attention). */
function flopsPerRow(run: RunShape, layers: number, length: number): number {
  const H = run.hidden;
  const macsPerToken = 4 * H * H + 2 * H * run.intermediate + 2 * length * H;
  return 6 * layers * macsPerToken * length;
}

/** Shrinks rows, then layers, then tokens per row until a first pass fits FIRST_PASS_FLOPS. */
export function planProbe(run: RunShape): ProbePlan {
  let rows = run.rows;
  let layers = run.layers;
  let length = run.length;
  const cost = () => rows * flopsPerRow(run, layers, length);
  while (cost() > FIRST_PASS_FLOPS) {
    if (rows > 2) rows = Math.max(2, Math.ceil(rows / 2));
    else if (layers > 1) layers = Math.ceil(layers / 2);
    else if (length > MIN_LENGTH) length = Math.max(MIN_LENGTH, Math.ceil(length / 2));
    else break;
  }
  const rowFlops = flopsPerRow(run, layers, length);
  const productFlops = 2 * run.hidden * run.intermediate; // per row of the product
  const screenRows = Math.max(
    1,
    Math.min(run.rows * length, Math.floor(SCREEN_FLOPS / productFlops)),
  );
  return {
    run,
    layers,
    length,
    vocabSize: Math.min(run.vocabSize, PROBE_VOCAB),
    rowFlops,
    firstRows: rows,
    maxFirstRows: Math.max(rows, Math.min(run.rows, Math.floor(FIRST_PASS_MAX_FLOPS / rowFlops))),
    scale: (run.layers / layers) * (run.length / length),
    screenRows,
    screenFlops: screenRows * productFlops,
  };
}

interface Point {
  rows: number;
  ms: number;
}

/** ms of a pass of `rows` rows from the measured points: the line through the last two, never below the last. */
function estimate(points: Point[], rows: number): number {
  const last = points[points.length - 1]!;
  if (last.rows === rows) return last.ms;
  if (points.length === 1) return (last.ms * rows) / last.rows;
  const prev = points[points.length - 2]!;
  const slope = Math.max(0, (last.ms - prev.ms) / (last.rows - prev.rows));
  return Math.max(last.ms, last.ms + slope * (rows - last.rows));
}

interface Best {
  label: string;
  msPerStep: number;
  /** Its whole probe: screen and passes. */
  spentMs: number;
  /** Rows of its first pass (a later candidate's first pass is no larger). */
  firstRows: number;
}

/**
 * Measures the candidates in order and picks the fastest (see the file comment for the rules and
 * what bounds the cost). The caller orders them (the likely fastest first lets the drop rules cut
 * the others short) and makes the chosen backend current afterwards.
 */
export async function runProbe(
  candidates: ProbeCandidate[],
  plan: ProbePlan,
  opts: ProbeOptions = {},
): Promise<ProbeOutcome> {
  const now = opts.now ?? (() => performance.now());
  const budgetMs = opts.budgetMs ?? 2500;
  const t0 = now();
  const entries: ProbeEntry[] = [];
  let best: (Best & { name: string }) | null = null;
  for (const c of candidates) {
    const c0 = now();
    const line = (msPerStep: number | null, note?: string): void => {
      entries.push({
        backend: c.name,
        label: c.label(),
        msPerStep,
        ...(note ? { note } : {}),
        ms: now() - c0,
      });
    };
    if (best && now() - t0 >= budgetMs) {
      line(null, "not measured: the probe's time budget was spent");
      continue;
    }
    const why = await c.start();
    if (why) {
      line(null, why);
      continue;
    }
    try {
      const r = await measure(c, plan, best, { ...opts, now, budgetMs, t0 });
      line(r.msPerStep, r.note);
      if (r.msPerStep !== null && (!best || r.msPerStep < best.msPerStep)) {
        best = { name: c.name, label: c.label(), ...r, msPerStep: r.msPerStep };
      }
    } catch (e) {
      line(null, `its probe pass failed (${String(e)})`);
    } finally {
      c.release();
    }
  }
  return { chosen: best?.name ?? null, entries, probeMs: now() - t0 };
}

/** One started candidate: screen, set-up, first pass, then the ladder of rows. */
async function measure(
  c: ProbeCandidate,
  plan: ProbePlan,
  best: Best | null,
  o: ProbeOptions & { now: () => number; budgetMs: number; t0: number },
): Promise<{ msPerStep: number | null; note?: string; spentMs: number; firstRows: number }> {
  const full = plan.run.rows;
  const perBackendMs = o.perBackendMs ?? 500;
  let spent = 0;
  let rows = plan.firstRows;
  if (c.screen) {
    const s0 = o.now();
    const productMs = Math.max(1e-3, await c.screen());
    spent += o.now() - s0;
    const flopsPerMs = plan.screenFlops / productMs;
    // The run's step if every one of its flops ran as fast as this product.
    const atLeast = ((plan.rowFlops * full) / flopsPerMs) * plan.scale;
    if (best && atLeast > SCREEN_MARGIN * best.msPerStep) {
      const gflops = flopsPerMs / 1e6;
      return {
        msPerStep: null,
        note: `≥ ${seconds(atLeast)}/step at its matrix product's ${gflops < 1 ? gflops.toFixed(2) : gflops.toFixed(1)} GFLOP/s: dropped`,
        spentMs: spent,
        firstRows: 0,
      };
    }
    const sized = Math.floor((FIRST_PASS_MS * flopsPerMs) / plan.rowFlops);
    rows = Math.max(plan.firstRows, Math.min(plan.maxFirstRows, sized));
  }
  if (best) rows = Math.min(rows, Math.max(plan.firstRows, best.firstRows));
  const firstRows = rows;
  await c.setup?.();
  const timed = async (n: number) => {
    const s = o.now();
    await c.pass(n);
    const ms = o.now() - s;
    spent += ms;
    return ms;
  };
  // The first pass (compiles shaders, allocates): also the early-drop test.
  const first = await timed(rows);
  if (best && first > best.spentMs) {
    return {
      msPerStep: null,
      note: `dropped: its first pass took ${seconds(first)}, longer than all of ${best.label}'s probe (${seconds(best.spentMs)})`,
      spentMs: spent,
      firstRows,
    };
  }
  const afterFirst = spent;
  const fits = (ms: number) =>
    spent - afterFirst + ms <= perBackendMs && o.now() - o.t0 + ms <= o.budgetMs;
  // Two passes a rung (the faster counts: the first at a new shape may compile or allocate),
  // doubling the rows while the next rung's two passes are predicted to fit. The first rung's
  // second pass always runs: the first pass was the warm-up, not a measurement.
  const points: Point[] = [];
  let rungMs = first;
  for (;;) {
    if (points.length === 0 || fits(rungMs)) rungMs = Math.min(rungMs, await timed(rows));
    points.push({ rows, ms: rungMs });
    if (rows >= full) break;
    const next = Math.min(full, rows * 2);
    const predicted = Math.max(estimate(points, next), rungMs);
    if (!fits(2 * predicted)) break;
    rows = next;
    rungMs = await timed(rows);
  }
  const last = points[points.length - 1]!;
  const reduced = plan.scale !== 1;
  return {
    msPerStep: estimate(points, full) * plan.scale,
    ...(last.rows < full || reduced
      ? {
          note: `from ${last.rows} of ${full} rows${reduced ? ` of ${plan.layers} of ${plan.run.layers} layers × ${plan.length} of ${plan.run.length} tokens` : ''}`,
        }
      : {}),
    spentMs: spent,
    firstRows,
  };
}

/** "0.94 s", "31 s", "45 ms". */
export function seconds(ms: number): string {
  if (ms < 100) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1)} s`;
  return `${Math.round(ms / 1000)} s`;
}

/** "WebGPU (…): 31 s/step · WASM (2 threads): 0.94 s/step → WASM". */
export function probeSentence(outcome: ProbeOutcome, extra = ''): string {
  const parts = outcome.entries.map(
    (e) =>
      `${e.label}: ${e.msPerStep !== null ? `${seconds(e.msPerStep)}/step` : ''}${e.msPerStep !== null && e.note ? ` (${e.note})` : (e.note ?? '')}`,
  );
  const chosen = outcome.entries.find((e) => e.backend === outcome.chosen);
  const arrow = chosen ? ` → ${chosen.label.replace(/ \(.*$/, '')}` : ' → none could run';
  return `Measured for this run's step: ${parts.join(' · ')}${arrow}${extra}.`;
}
