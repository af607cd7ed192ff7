/**
 * Backend choice. `auto` tries WebGPU, then WebGL, then WASM, then CPU and records, in words,
 * why each faster backend was not used. Runs wherever the engine runs (a Worker, Node, tests):
 * it feature-detects through `globalThis`, never through the DOM.
 */
import * as tf from './tf.ts';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendPreference = 'auto' | BackendName;

export interface BackendChoice {
  /** The backend that runs. */
  name: BackendName;
  /** One sentence for each faster backend that was tried and not used (or the forced choice). */
  reasons: string[];
  /** WASM only: XNNPACK's thread count as the backend reports it (tfjs#8513: often 1 even when threaded). */
  wasmThreads?: number;
  /** WASM only: the multi-threaded SIMD build runs (needs SharedArrayBuffer: cross-origin isolation). */
  wasmMultithread?: boolean;
  /** WebGPU only: the adapter's description (e.g. "SwiftShader"), when the browser gives one. */
  adapter?: string;
}

export interface BackendOptions {
  /** Folder (URL or path, ending in '/') holding tfjs-backend-wasm's .wasm files. */
  wasmPaths?: string;
  /** WASM threads wanted; defaults to the library's choice (hardware concurrency). */
  wasmThreads?: number;
}

interface GpuLike {
  requestAdapter(): Promise<{ info?: { description?: string; vendor?: string } } | null>;
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

async function tryWebgpu(): Promise<{ ok: true; adapter?: string } | { ok: false; why: string }> {
  const gpu = gpuOf();
  if (!gpu)
    return {
      ok: false,
      why: 'WebGPU: navigator.gpu is missing (this browser or context has no WebGPU).',
    };
  let adapter: Awaited<ReturnType<GpuLike['requestAdapter']>>;
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
  const described = [adapter.info?.vendor, adapter.info?.description].filter(Boolean).join(' ');
  return { ok: true, ...(described ? { adapter: described } : {}) };
}

async function prepare(name: BackendName, opts: BackendOptions): Promise<string | null> {
  if (name === 'webgpu') {
    const r = await tryWebgpu();
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
 * Picks and initialises a backend. With a forced backend that fails, throws an Error that says why
 * (the user asked for it, so silently running elsewhere would mislead).
 */
export async function chooseBackend(
  preference: BackendPreference,
  opts: BackendOptions = {},
): Promise<BackendChoice> {
  const order: BackendName[] = preference === 'auto' ? [...BACKENDS] : [preference];
  const reasons: string[] = [];
  for (const name of order) {
    const why = await prepare(name, opts);
    if (why) {
      reasons.push(why);
      continue;
    }
    let ok = false;
    try {
      ok = await tf.setBackend(name);
    } catch (e) {
      reasons.push(`${label(name)}: initialisation threw (${String(e)}).`);
      continue;
    }
    if (!ok) {
      reasons.push(`${label(name)}: initialisation failed.`);
      continue;
    }
    await tf.ready();
    try {
      await smokeTest();
    } catch (e) {
      reasons.push(`${label(name)}: a kernel the encoder needs failed (${String(e)}).`);
      continue;
    }
    const choice: BackendChoice = { name, reasons };
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      choice.wasmThreads = wasm.getThreadsCount();
      choice.wasmMultithread =
        (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true &&
        (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    }
    if (name === 'webgpu') {
      const r = await tryWebgpu();
      if (r.ok && r.adapter) choice.adapter = r.adapter;
    }
    if (preference !== 'auto') choice.reasons = [`${label(name)} was chosen by the user.`];
    return choice;
  }
  throw new Error(`No backend could start: ${reasons.join(' ')}`);
}

function label(name: BackendName): string {
  return { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' }[name];
}
