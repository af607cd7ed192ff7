/**
 * Benchmark command (issue 8): one (backend, shape) case measured with the real Trainer, in the
 * Worker (`{ type: 'bench' }`, dispatched by trainingWorker.ts) or in Node (bench/node/case.ts).
 *
 *   setup → first step (time to first step) → warm-up steps → timed steps → one profiled step
 *   (tf.profile: kernel names and times, peak tensors and bytes) → embedding of the given
 *   sentences in eval mode, no gradient (warm-up on one batch per padded length, then timed passes).
 *   On WebGPU the first and each timed step also count what they ask of the GPU: dispatches,
 *   uploads, readbacks (webgpuCounters.ts).
 *
 * Imports only the engine; no DOM, no Node built-ins. Plain numbers out, like every Worker reply.
 */
import type { BackendOptions } from '../engine/backend.ts';
import type { DataIO } from '../engine/data/index.ts';
import * as tf from '../engine/tf.ts';
import {
  encodeTokenised,
  representation,
  type TokenisedRows,
  tokeniseSegments,
} from '../engine/train/encodeRows.ts';
import type { ModelIO } from '../engine/train/encoderSetup.ts';
import type { TrainEvent } from '../engine/train/events.ts';
import type { ReplicaHost } from '../engine/train/parallel/protocol.ts';
import { Trainer } from '../engine/train/trainer.ts';
import {
  isNumbersRequest,
  type NumbersRequest,
  type NumbersResult,
  runNumbers,
} from './benchNumbers.ts';
import {
  diffCounts,
  installWebgpuCounters,
  type WebgpuCounts,
  watchSyncReads,
} from './webgpuCounters.ts';

export interface BenchCaseRequest {
  /** The experiment (bench/shapes.ts benchExperiment); its `backend` is the one measured. */
  config: unknown;
  warmupSteps: number;
  /** Timed steps: as many as fit in `stepBudgetMs` (judged by the warm-up), within [minSteps, maxSteps]. */
  minSteps: number;
  maxSteps: number;
  stepBudgetMs: number;
  /** Run one extra step under tf.profile (kernel times, peak tensors / bytes). */
  profile: boolean;
  /** Sentences embedded in eval mode (STS-B dev's 3,000), in batches of `embedBatch`. */
  embedTexts: string[];
  embedBatch: number;
  /** Timed embedding passes over all of `embedTexts` (after a warm-up): up to this many, while
   * they fit in `embedBudgetMs`; at least one. */
  embedPasses: number;
  embedBudgetMs: number;
  /** WASM threads to ask for (default: the host's choice, as a training run gets). */
  wasmThreads?: number;
}

export interface KernelTime {
  name: string;
  ms: number;
  calls: number;
}

export interface BenchCaseResult {
  backend: string;
  /** Data-parallel replicas the step ran on (Trainer.workers; 1: the step on this thread alone). */
  workers: number;
  wasmThreads?: number;
  wasmMultithread?: boolean;
  /** WASM: the products ran on the own GEMM (relaxed or plain SIMD); absent: on XNNPACK. */
  wasmGemm?: 'relaxed' | 'simd';
  adapter?: string;
  parameters: number;
  /** Trainer.create: backend start, model folder, data, tokenizer. */
  setupMs: number;
  /** The first trainStep alone (shader compiles, first allocations). */
  firstStepMs: number;
  /** From the start of the case to the end of the first step. */
  timeToFirstStepMs: number;
  /** Wall time of each timed step (trainStep: tokenise → forward → backward → AdamW → loss read). */
  stepMs: number[];
  losses: number[];
  /** Sentences per step (rows through the encoder are twice this). */
  batchSize: number;
  /** Tensors alive after the timed steps minus before (0: no leak). */
  tensorGrowth: number;
  /** tf.memory() after the timed steps (numBytesInGPU… where the backend has them) and the WASM heap. */
  memory: Record<string, number>;
  profile?: {
    stepMs: number;
    kernelMs: number;
    /** 'kernel': the backend's own kernel timer; 'none': no timer (times read 0). */
    timer: string;
    peakBytes: number;
    peakTensors: number;
    kernels: KernelTime[];
  };
  /**
   * WebGPU only: what each step asked of the GPU (webgpuCounters.ts): the first step (weights
   * and optimiser state uploaded, shaders compiled) and each timed step.
   */
  webgpu?: { firstStep: WebgpuCounts; steps: WebgpuCounts[] };
  embed: {
    sentences: number;
    /** Distinct padded lengths (buckets) of the embedding batches. */
    lengths: number[];
    warmupMs: number;
    passMs: number[];
  };
}

export interface BenchHost {
  io: DataIO & ModelIO;
  backendOptions?: BackendOptions;
  /** Where data-parallel replicas come from, for a config with `workers` > 1 (as a run gets them). */
  replicas?: ReplicaHost;
  /** Progress lines (the driver prints them). */
  log?(message: string): void;
}

const now = () => performance.now();

/** Measures one case. The Trainer is created and disposed here; the backend stays set. */
export async function measureCase(
  req: BenchCaseRequest,
  host: BenchHost,
): Promise<BenchCaseResult> {
  const log = host.log ?? (() => {});
  const t0 = now();
  let ready: Extract<TrainEvent, { type: 'ready' }> | null = null;
  let lastLoss = Number.NaN;
  let failure: string | null = null;
  const trainer = await Trainer.create(req.config, {
    runId: 'bench',
    io: host.io,
    ...(host.backendOptions ? { backendOptions: host.backendOptions } : {}),
    ...(host.replicas ? { replicas: host.replicas } : {}),
    emit(e) {
      if (e.type === 'ready') ready = e;
      else if (e.type === 'step') lastLoss = e.loss;
      else if (e.type === 'error') failure = e.message;
    },
  });
  try {
    const setupMs = now() - t0;
    const r = ready as Extract<TrainEvent, { type: 'ready' }> | null;
    log(`${r?.backend ?? '?'}: set up in ${Math.round(setupMs)} ms`);
    // WebGPU: count dispatches, uploads and readbacks of the first and of each timed step.
    const counter = tf.getBackend() === 'webgpu' ? installWebgpuCounters() : null;
    if (counter) watchSyncReads(tf.backend());
    const last: { counts: WebgpuCounts | null } = { counts: null };
    const step = async (): Promise<number> => {
      const s = now();
      const before = counter?.snapshot();
      const ok = await trainer.trainStep();
      if (counter && before) last.counts = diffCounts(before, counter.snapshot());
      if (!ok)
        throw new Error(`training step ${trainer.step + 1} failed: ${failure ?? 'diverged'}`);
      return now() - s;
    };
    const firstStepMs = await step();
    const firstCounts = last.counts;
    const timeToFirstStepMs = now() - t0;
    log(`first step ${Math.round(firstStepMs)} ms`);
    // Warm-up steps while they cost at most half the step budget (none on minute-long steps).
    let typical = firstStepMs;
    let warm = 0;
    for (let i = 0; i < req.warmupSteps && warm + typical <= req.stepBudgetMs / 2; i++) {
      typical = await step();
      warm += typical;
    }
    const steps = Math.max(
      req.minSteps,
      Math.min(req.maxSteps, Math.floor(req.stepBudgetMs / typical)),
    );
    const before = tf.memory().numTensors;
    const stepMs: number[] = [];
    const losses: number[] = [];
    const stepCounts: WebgpuCounts[] = [];
    for (let i = 0; i < steps; i++) {
      stepMs.push(await step());
      losses.push(lastLoss);
      if (last.counts) stepCounts.push(last.counts);
      const c = countsLine(last.counts);
      log(`step ${i + 1}/${steps}: ${Math.round(stepMs[i]!)} ms, loss ${lastLoss.toFixed(4)}${c}`);
    }
    const tensorGrowth = tf.memory().numTensors - before;
    // What the backend itself holds (GPU bytes, the WASM heap): tf.memory()'s numbers plus the heap.
    const memory: Record<string, number> = {};
    for (const [k, v] of Object.entries(tf.memory())) if (typeof v === 'number') memory[k] = v;
    const heap = (tf.backend() as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.length;
    if (heap) memory.wasmHeapBytes = heap;

    let profile: BenchCaseResult['profile'];
    if (req.profile) {
      const s = now();
      const info = await tf.profile(async () => {
        await step();
        return null as unknown as tf.Tensor;
      });
      const profStepMs = now() - s;
      const byName = new Map<string, KernelTime>();
      let peakTensors = 0;
      let kernelMs = 0;
      const backendName = tf.getBackend();
      for (const k of info.kernels) {
        // tf.profile also lists op scopes (`matMul__op`, customGrad's `unnamed scope`) that
        // contain kernels; count registered kernels only, so the times add up.
        if (!tf.getKernel(k.name, backendName)) continue;
        const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
        const name = kernelLabel(k.name, k.inputShapes);
        const entry = byName.get(name) ?? { name, ms: 0, calls: 0 };
        entry.ms += ms;
        entry.calls += 1;
        byName.set(name, entry);
        kernelMs += ms;
        peakTensors = Math.max(peakTensors, k.totalTensorsSnapshot);
      }
      profile = {
        stepMs: profStepMs,
        kernelMs,
        timer: kernelMs > 0 ? 'kernel' : 'none',
        peakBytes: info.peakBytes,
        peakTensors,
        kernels: [...byName.values()].sort((a, b) => b.ms - a.ms),
      };
      log(`profiled step ${Math.round(profStepMs)} ms, kernels ${Math.round(kernelMs)} ms`);
    }

    const embed = await measureEmbedding(trainer, req, log);
    const result: BenchCaseResult = {
      backend: r?.backend ?? tf.getBackend(),
      workers: trainer.workers,
      parameters: r?.parameters ?? 0,
      setupMs,
      firstStepMs,
      timeToFirstStepMs,
      stepMs,
      losses,
      batchSize: trainer.config.batchSize,
      tensorGrowth,
      memory,
      embed,
      ...(profile ? { profile } : {}),
      ...(counter && firstCounts ? { webgpu: { firstStep: firstCounts, steps: stepCounts } } : {}),
    };
    if (r?.wasmThreads !== undefined) result.wasmThreads = r.wasmThreads;
    if (r?.wasmMultithread !== undefined) result.wasmMultithread = r.wasmMultithread;
    if (r?.wasmGemm) result.wasmGemm = r.wasmGemm;
    if (r?.adapter) result.adapter = r.adapter;
    return result;
  } finally {
    trainer.dispose();
  }
}

function countsLine(c: WebgpuCounts | null): string {
  if (!c) return '';
  return `; WebGPU: ${c.dispatches} dispatches, ${c.uploads} uploads (${c.uploadBytes} B), ${c.readbacks} readbacks`;
}

/**
 * BatchMatMul split by kind: `(batched)` when the operands carry a batch of matrices (attention's
 * products over B·heads), `(2-D)` otherwise (the Linear layers' products). On WASM the two take
 * different paths (a naive loop vs XNNPACK).
 */
function kernelLabel(name: string, inputShapes: (number[] | null)[]): string {
  if (name !== 'BatchMatMul') return name;
  const a = inputShapes[0] ?? [];
  const batch = a.slice(0, -2).reduce((p, d) => p * d, 1);
  return batch > 1 ? 'BatchMatMul (batched)' : 'BatchMatMul (2-D)';
}

/**
 * Embeds `embedTexts` as evaluation does (eval mode, no tape, the test-time representation),
 * reading the result back once per pass.
 */
async function measureEmbedding(
  trainer: Trainer,
  req: BenchCaseRequest,
  log: (m: string) => void,
): Promise<BenchCaseResult['embed']> {
  const { bundle, config } = trainer;
  const batches: TokenisedRows[] = [];
  for (let i = 0; i < req.embedTexts.length; i += req.embedBatch) {
    const texts = req.embedTexts.slice(i, i + req.embedBatch);
    batches.push(tokeniseSegments(bundle, [{ texts, view: 0 }], config.encoder.maxLength));
  }
  // The test-time representation (SimCSE: [CLS] without the train-only MLP).
  const rep = representation(config, 'eval', true);
  const encode = (tok: TokenisedRows) =>
    tf.tidy(() =>
      encodeTokenised(bundle, config, tok, {
        training: false,
        dropoutSeed: 0,
        pooling: rep.pooling,
        useMlp: rep.useMlp,
        views: [null, null],
      }),
    );
  const pass = async (list: TokenisedRows[]) => {
    const parts = list.map(encode);
    const all = tf.concat(parts, 0);
    tf.dispose(parts);
    await all.data();
    all.dispose();
  };
  // Warm-up: one batch of each padded length (compiles every shape the passes use).
  const byLength = new Map<number, TokenisedRows>();
  for (const b of batches) if (!byLength.has(b.length)) byLength.set(b.length, b);
  const w = now();
  await pass([...byLength.values()]);
  const warmupMs = now() - w;
  // A pass over all sentences, unless one batch takes so long (the JS cpu kernels, SwiftShader)
  // that the pass would overrun the budget: then the first batches that fit (at least two).
  const perBatch = warmupMs / byLength.size;
  const nBatches = Math.min(batches.length, Math.max(2, Math.floor(req.embedBudgetMs / perBatch)));
  const texts = req.embedTexts.slice(0, nBatches * req.embedBatch);
  const passMs: number[] = [];
  const started = now();
  for (let p = 0; p < req.embedPasses; p++) {
    // Another pass only while the passes so far say it fits the budget.
    if (p > 0 && ((now() - started) / p) * (p + 1) > req.embedBudgetMs) break;
    // Tokenising is part of embedding: time it with the encoder.
    const s = now();
    const toks: TokenisedRows[] = [];
    for (let i = 0; i < texts.length; i += req.embedBatch) {
      toks.push(
        tokeniseSegments(
          bundle,
          [{ texts: texts.slice(i, i + req.embedBatch), view: 0 }],
          config.encoder.maxLength,
        ),
      );
    }
    await pass(toks);
    passMs.push(now() - s);
    log(`embedding pass ${p + 1}: ${Math.round(passMs[p]!)} ms for ${texts.length} sentences`);
  }
  return {
    sentences: texts.length,
    lengths: [...byLength.keys()].sort((a, b) => a - b),
    warmupMs,
    passMs,
  };
}

// ---- the Worker command ----

/** A `kind: 'numbers'` request is the browser suite's numeric check (benchNumbers.ts). */
export type BenchCommand = {
  type: 'bench';
  requestId: number;
  request: BenchCaseRequest | NumbersRequest;
};

export type BenchMessage =
  | { type: 'bench-progress'; requestId: number; message: string }
  | {
      type: 'bench-result';
      requestId: number;
      result?: BenchCaseResult;
      numbers?: NumbersResult;
      error?: string;
    };

/**
 * Runs a bench command in the Worker. Sources in the config are URLs (fetched as they are); the
 * WASM files come from the app's generated/tfjs-wasm/ and threads are asked for as `start` does
 * (or as the request says).
 */
export async function runBenchCommand(
  cmd: BenchCommand,
  post: (m: BenchMessage) => void,
  base: URL,
  replicas?: ReplicaHost,
): Promise<void> {
  const log = (message: string) =>
    post({ type: 'bench-progress', requestId: cmd.requestId, message });
  const g = globalThis as {
    crossOriginIsolated?: boolean;
    navigator?: { hardwareConcurrency?: number };
  };
  const request = cmd.request;
  const threads =
    (isNumbersRequest(request) ? undefined : request.wasmThreads) ??
    (g.crossOriginIsolated ? Math.max(2, g.navigator?.hardwareConcurrency || 2) : undefined);
  const fetchUrl = async (source: string) => {
    const res = await fetch(new URL(source, base));
    if (!res.ok) throw new Error(`${source}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const io = { fetch: globalThis.fetch.bind(globalThis), openFile: fetchUrl };
  const backendOptions = {
    wasmPaths: new URL('generated/tfjs-wasm/', base).href,
    ...(threads ? { wasmThreads: threads } : {}),
  };
  try {
    if (isNumbersRequest(request)) {
      const numbers = await runNumbers(request, backendOptions, io);
      post({ type: 'bench-result', requestId: cmd.requestId, numbers });
      return;
    }
    const result = await measureCase(request, {
      io,
      backendOptions,
      log,
      ...(replicas ? { replicas } : {}),
    });
    post({ type: 'bench-result', requestId: cmd.requestId, result });
  } catch (e) {
    post({
      type: 'bench-result',
      requestId: cmd.requestId,
      error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e),
    });
  }
}
