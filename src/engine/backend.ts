/**
 * Backend choice. `auto` measures: of WebGPU and WASM, every one that starts runs a short probe of
 * the run's own step (backendProbe.ts) and the fastest trains; WebGL is used only where neither
 * starts, the JS CPU backend last of all. The decision is cached per device and run shape. The
 * reasons say, in words, what was measured and why the others were not used. A forced backend is
 * never overridden. Runs wherever the engine runs (a Worker, Node, tests): it feature-detects
 * through `globalThis`, never through the DOM.
 */
import {
  encoderPasses,
  memoryProbeCache,
  type ProbeCache,
  type ProbeEntry,
  type ProbeOptions,
  planProbe,
  probeSentence,
  type RunShape,
  runProbe,
} from './backendProbe.ts';
import { wasmGemmVariant, wasmKernelsReady } from './kernels/index.ts';
import * as tf from './tf.ts';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendPreference = 'auto' | BackendName;

export interface BackendChoice {
  /** The backend that runs. */
  name: BackendName;
  /** What was measured, and one sentence for each backend that was not used (or the forced choice). */
  reasons: string[];
  /** WASM only: XNNPACK's thread count as the backend reports it (tfjs#8513: often 1 even when threaded). */
  wasmThreads?: number;
  /** WASM only: the multi-threaded SIMD build runs (needs SharedArrayBuffer: cross-origin isolation). */
  wasmMultithread?: boolean;
  /**
   * WASM only: the matrix products run on the own GEMM (kernels/wasmGemm.ts), with relaxed SIMD's
   * fused multiply-add or plain SIMD; absent where they run on tfjs-backend-wasm's XNNPACK.
   */
  wasmGemm?: 'relaxed' | 'simd';
  /** WebGPU only: the adapter's description (e.g. "SwiftShader"), when the browser gives one. */
  adapter?: string;
  /** auto, when two or more backends started: each one's probe line (also when cached). */
  probe?: ProbeEntry[];
  /** auto: what choosing cost, ms (the probe, or the cache look-up and start-up when cached). */
  probeMs?: number;
  /** auto: the decision was read from the cache (measured earlier on this device). */
  probeCached?: boolean;
}

export interface BackendOptions {
  /** Folder (URL or path, ending in '/') holding tfjs-backend-wasm's .wasm files. */
  wasmPaths?: string;
  /** WASM threads wanted; defaults to the library's choice (hardware concurrency). */
  wasmThreads?: number;
  /**
   * auto: the run's encoder and batch, which the probe measures (null / absent: DEFAULT_RUN_SHAPE);
   * a function is called only when two or more backends start (reading it may fetch a config.json).
   */
  probeShape?: RunShape | null | (() => Promise<RunShape | null>);
  /** auto: where decisions are kept (default: this process's memory). */
  probeCache?: ProbeCache;
  /** auto: the backends measured against each other (default: WebGPU and WASM). */
  candidates?: BackendName[];
  /** auto: the probe's budgets (and, in tests, its clock). */
  probeOptions?: ProbeOptions;
}

/** The built-in default encoder at the default batch: 64 sentences × 2 views × 32 tokens. */
export const DEFAULT_RUN_SHAPE: RunShape = {
  layers: 2,
  hidden: 128,
  heads: 2,
  intermediate: 512,
  vocabSize: 8000,
  rows: 128,
  length: 32,
};

const processCache = memoryProbeCache();

interface AdapterLike {
  info?: {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

function gpuOf(): GpuLike | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu;
}

/** A few ops the encoder needs (matmul, softmax, gather, scatter-add), run once as a smoke test. */
async function smokeTest(): Promise<void> {
  const out = tf.tidy(() => {
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const s = tf.softmax(tf.matMul(a, a, false, true));
    const g = tf.gather(a, tf.tensor1d([1, 0], 'int32'));
    const sc = tf.scatterND(tf.tensor2d([[0], [0]], [2, 1], 'int32'), g, [2, 2]);
    return tf.sum(tf.add(tf.sum(s), tf.sum(sc)));
  });
  const v = (await out.data())[0];
  out.dispose();
  // softmax rows sum to 2; the scatter sums both rows of a into row 0: 1+2+3+4 = 10.
  if (v === undefined || Math.abs(v - 12) > 1e-3) {
    throw new Error(`smoke test gave ${v}, expected 12`);
  }
}

type GpuProbe =
  | { ok: true; adapter?: string; emulated: boolean; short?: string }
  | { ok: false; why: string };

async function tryWebgpu(): Promise<GpuProbe> {
  const gpu = gpuOf();
  if (!gpu)
    return {
      ok: false,
      why: 'WebGPU: navigator.gpu is missing (this browser or context has no WebGPU).',
    };
  let adapter: AdapterLike | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { ok: false, why: `WebGPU: requestAdapter() failed (${String(e)}).` };
  }
  if (!adapter) return { ok: false, why: 'WebGPU: the browser offers no GPU adapter.' };
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    return { ok: false, why: `WebGPU: the backend module failed to load (${String(e)}).` };
  }
  const info = adapter.info ?? {};
  const described = [info.vendor, info.description].filter(Boolean).join(' ');
  const all = [info.vendor, info.architecture, info.device, info.description].join(' ');
  // A fast first signal, not the decision: the probe still measures an emulated adapter.
  const software = /swiftshader|llvmpipe|lavapipe|software|basic render/i.exec(all);
  const emulated =
    adapter.isFallbackAdapter === true || info.isFallbackAdapter === true || software !== null;
  const short = /swiftshader/i.test(all) ? 'SwiftShader' : software ? software[0] : described;
  return {
    ok: true,
    emulated,
    ...(described ? { adapter: described } : {}),
    ...(short ? { short } : {}),
  };
}

async function prepare(
  name: BackendName,
  opts: BackendOptions,
  gpu?: GpuProbe,
): Promise<string | null> {
  if (name === 'webgpu') {
    const r = gpu ?? (await tryWebgpu());
    return r.ok ? null : r.why;
  }
  if (name === 'webgl') {
    const g = globalThis as { OffscreenCanvas?: unknown; document?: unknown };
    if (!g.OffscreenCanvas && !g.document) {
      return 'WebGL: no OffscreenCanvas here, so no WebGL context can be made.';
    }
    return null;
  }
  if (name === 'wasm') {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (opts.wasmPaths) wasm.setWasmPaths(opts.wasmPaths);
      if (opts.wasmThreads) wasm.setThreadsCount(opts.wasmThreads);
    } catch (e) {
      return `WASM: the backend module failed to load (${String(e)}).`;
    }
    return null;
  }
  return null;
}

/**
 * Prepares, initialises and (unless `smoke` is false) smoke-tests one backend, leaving it
 * current; a sentence when it cannot.
 */
async function start(
  name: BackendName,
  opts: BackendOptions,
  gpu?: GpuProbe,
  smoke = true,
): Promise<string | null> {
  const why = await prepare(name, opts, gpu);
  if (why) return why;
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    return `${label(name)}: initialisation threw (${String(e)}).`;
  }
  if (!ok) return `${label(name)}: initialisation failed.`;
  await tf.ready();
  return smoke ? smokeFailure(name) : null;
}

async function smokeFailure(name: BackendName): Promise<string | null> {
  try {
    await smokeTest();
    return null;
  } catch (e) {
    return `${label(name)}: a kernel the encoder needs failed (${String(e)}).`;
  }
}

/** The choice's facts for the backend now current. */
async function describe(
  name: BackendName,
  reasons: string[],
  gpu?: GpuProbe,
): Promise<BackendChoice> {
  const choice: BackendChoice = { name, reasons };
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    choice.wasmThreads = wasm.getThreadsCount();
    choice.wasmMultithread =
      (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true &&
      (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    // Instantiates the own kernels now (it installs their bodies over the stock ones) rather than
    // at the first gradient, so that the first forward pass runs them too.
    if (wasmKernelsReady()) {
      const gemm = wasmGemmVariant();
      if (gemm) choice.wasmGemm = gemm;
    }
  }
  if (name === 'webgpu') {
    const r = gpu ?? (await tryWebgpu());
    if (r.ok && r.adapter) choice.adapter = r.adapter;
  }
  return choice;
}

/**
 * Picks and initialises a backend. With a forced backend that fails, throws an Error that says why
 * (the user asked for it, so silently running elsewhere would mislead).
 */
export async function chooseBackend(
  preference: BackendPreference,
  opts: BackendOptions = {},
): Promise<BackendChoice> {
  if (preference === 'auto') return chooseAuto(opts);
  const why = await start(preference, opts);
  if (why) throw new Error(`No backend could start: ${why}`);
  return describe(preference, [`${label(preference)} was chosen by the user.`]);
}

async function chooseAuto(opts: BackendOptions): Promise<BackendChoice> {
  const t0 = performance.now();
  const names = opts.candidates ?? (['webgpu', 'wasm'] as BackendName[]);
  const fallbacks = (['webgl', 'cpu'] as const).filter((n) => !names.includes(n));
  const reasons: string[] = [];
  const gpu = names.includes('webgpu') ? await tryWebgpu() : undefined;
  const ready: BackendName[] = [];
  for (const name of names) {
    const why = await prepare(name, opts, gpu);
    if (why) reasons.push(why);
    else ready.push(name);
  }
  const notTried = (): string[] =>
    fallbacks.includes('webgl')
      ? [`WebGL: not tried (it runs only where neither ${names.map(label).join(' nor ')} starts).`]
      : [];

  if (ready.length >= 2) {
    const measured = await probeAndStart(ready, opts, gpu, t0);
    if (measured.name) {
      return {
        ...(await describe(measured.name, [...reasons, ...notTried(), measured.sentence], gpu)),
        probe: measured.entries,
        probeMs: measured.probeMs,
        ...(measured.cached ? { probeCached: true } : {}),
      };
    }
    reasons.push(measured.sentence);
  } else if (ready.length === 1) {
    const name = ready[0]!;
    const why = await start(name, opts, gpu);
    if (!why) return describe(name, [...reasons, ...notTried()], gpu);
    reasons.push(why);
  }
  for (const name of fallbacks) {
    const why = await start(name, opts);
    if (!why) return describe(name, reasons);
    reasons.push(why);
  }
  throw new Error(`No backend could start: ${reasons.join(' ')}`);
}

/** The cached decision when it still starts, else a fresh probe; leaves the winner current. */
async function probeAndStart(
  ready: BackendName[],
  opts: BackendOptions,
  gpu: GpuProbe | undefined,
  t0: number,
): Promise<
  | { name: BackendName; entries: ProbeEntry[]; sentence: string; probeMs: number; cached: boolean }
  | { name: null; sentence: string }
> {
  const shape = typeof opts.probeShape === 'function' ? await opts.probeShape() : opts.probeShape;
  const plan = planProbe(shape ?? DEFAULT_RUN_SHAPE);
  const cache = opts.probeCache ?? processCache;
  const key = probeKey(ready, plan.run, opts, gpu);
  const hit = await cache.get(key).catch(() => undefined);
  if (hit?.chosen && ready.includes(hit.chosen as BackendName)) {
    const name = hit.chosen as BackendName;
    if (!(await start(name, opts, gpu))) {
      const when = new Date(hit.at).toISOString().slice(0, 10);
      return {
        name,
        entries: hit.entries,
        sentence: probeSentence(hit, ` (measured on this device on ${when}, kept)`),
        probeMs: performance.now() - t0,
        cached: true,
      };
    }
  }
  const labels = new Map<BackendName, string>(ready.map((n) => [n, label(n)]));
  // The likely fastest first, so the early-drop rule cuts the slow one short: a real GPU before
  // WASM, an emulated adapter (a GPU run on the CPU, e.g. SwiftShader) after it.
  const order = [...ready].sort(
    (a, b) =>
      (a === 'webgpu' && gpu?.ok && gpu.emulated ? 1 : 0) -
      (b === 'webgpu' && gpu?.ok && gpu.emulated ? 1 : 0),
  );
  const outcome = await runProbe(
    order.map((name, i) => {
      const passes = encoderPasses(plan, i);
      return {
        ...passes,
        name,
        label: () => labels.get(name)!,
        // The smoke test waits for the set-up: a backend dropped at the screen never needs it
        // (on an emulated GPU each of its kernels is one more shader to compile).
        start: async () => {
          const why = await start(name, opts, gpu, false);
          if (!why) labels.set(name, await runningLabel(name, opts, gpu));
          return why;
        },
        setup: async () => {
          const why = await smokeFailure(name);
          if (why) throw new Error(why);
          await passes.setup();
        },
      };
    }),
    plan,
    opts.probeOptions,
  );
  if (!outcome.chosen) return { name: null, sentence: probeSentence(outcome) };
  const name = outcome.chosen as BackendName;
  // The probe left the last candidate current; the winner was started and smoke-tested already.
  if (!(await tf.setBackend(name))) {
    return { name: null, sentence: `${label(name)}: initialisation failed after its probe.` };
  }
  await tf.ready();
  const probeMs = performance.now() - t0;
  const record = { ...outcome, probeMs, at: Date.now() };
  await cache.put(key, record).catch(() => {});
  return {
    name,
    entries: outcome.entries,
    sentence: probeSentence(record, ` (probe: ${(probeMs / 1000).toFixed(1)} s)`),
    probeMs,
    cached: false,
  };
}

/** "WebGPU (SwiftShader, emulated)", "WebGPU (nvidia ampere)", "WASM (2 threads)". */
async function runningLabel(
  name: BackendName,
  opts: BackendOptions,
  gpu: GpuProbe | undefined,
): Promise<string> {
  if (name === 'webgpu' && gpu?.ok) {
    if (gpu.emulated) return `WebGPU (${gpu.short ?? 'software adapter'}, emulated)`;
    return gpu.short ? `WebGPU (${gpu.short})` : 'WebGPU';
  }
  if (name === 'wasm') {
    const multi = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const n = multi ? (opts.wasmThreads ?? wasm.getThreadsCount()) : 1;
    return `WASM (${n} thread${n === 1 ? '' : 's'})`;
  }
  return label(name);
}

/** Per device (browser, cores, adapter, WASM threads, TF.js) and run shape. */
function probeKey(
  ready: BackendName[],
  shape: RunShape,
  opts: BackendOptions,
  gpu: GpuProbe | undefined,
): string {
  const g = globalThis as {
    navigator?: { userAgent?: string; hardwareConcurrency?: number };
    crossOriginIsolated?: boolean;
  };
  return JSON.stringify({
    v: 1,
    tfjs: tf.version_core,
    agent: g.navigator?.userAgent ?? '',
    cores: g.navigator?.hardwareConcurrency ?? 0,
    isolated: g.crossOriginIsolated ?? false,
    adapter: gpu?.ok ? (gpu.adapter ?? '?') : null,
    wasmThreads: opts.wasmThreads ?? null,
    ready,
    shape,
  });
}

function label(name: BackendName): string {
  return { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' }[name];
}
