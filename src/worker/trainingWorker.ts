/// <reference lib="webworker" />
/**
 * The dedicated module Worker that hosts a training run. It owns every tensor; the page only
 * sends commands and receives plain-number events (see protocol.ts).
 *
 * Faults (docs/reliability.md): the worker holds a Web Lock while it lives, so the page notices
 * its death; a lost WebGPU device is said in plain words, and the run resumes on a new device
 * (or on WASM when WebGPU cannot start again); uploads are kept as File handles and read here.
 */
import { type AssetName, assetPath, setAssetLoader } from '../engine/assets.ts';
import { cacheApiDataCache } from '../engine/data/index.ts';
import { isUserError } from '../engine/errors.ts';
import * as tf from '../engine/tf.ts';
import type { TrainEvent } from '../engine/train/events.ts';
import { Trainer } from '../engine/train/trainer.ts';
import { runBenchCommand } from './bench.ts'; // bench (issue 8)
import { idbCheckpointStore } from './checkpointStore.ts';
import { idbProbeCache } from './db.ts';
import { DeviceWatch, deviceLostMessage } from './deviceLoss.ts';
import { embedEvalSet } from './embeddings.ts';
import { runPreview } from './preview.ts';
import type { Command, WorkerMessage } from './protocol.ts';
import { webReplicaHost } from './replicaHost.ts';

declare const self: DedicatedWorkerGlobalScope;

const base = new URL(import.meta.env.BASE_URL, self.location.origin);
/** Fetches `public/generated/<name>` or a committed `public/builtin/…` file; null when absent. */
async function fetchAsset(name: AssetName): Promise<Response | null> {
  const res = await fetch(new URL(assetPath(name), base));
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`asset ${name}: HTTP ${res.status}`);
  // A dev server's SPA fallback answers a missing file with index.html: that is "absent" too.
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('text/html') && !name.endsWith('.html')) return null;
  return res;
}
setAssetLoader(
  async (name) => {
    const res = await fetchAsset(name);
    if (!res) throw new Error(`asset ${name} is missing from this build.`);
    return res.text();
  },
  async (name) => {
    const res = await fetchAsset(name);
    return res ? new Uint8Array(await res.arrayBuffer()) : null;
  },
);

/** Uploaded files by name, as the File handles the page sent (read here, never on the page). */
const uploads = new Map<string, Blob>();
/** The Hub's base URL when the page sets one (`?hub=`); else the real Hub. */
let hubBase: string | null = null;
const gpu = new DeviceWatch();
/** The Web Lock held while this worker lives (randomUUID needs a secure context, as locks do). */
const LOCK = `cplay-worker-${self.crypto.randomUUID?.() ?? `${Date.now()}-${Math.random()}`}`;
/** The config field a user error names first ("data.train: …", "Invalid experiment config: batchSize: …"). */
const FIELD_PREFIX =
  /^(?:Invalid experiment config: )?((?:encoder|data|augment|objective|optimizer|gradCache)\b[\w.]*|batchSize|maxSteps|epochs|evalEvery|seed|backend|workers):/;
let trainer: Trainer | null = null;
let currentRun = '';

function post(message: WorkerMessage, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/**
 * The run's events to the page. An internal error on WebGPU is held until it is known whether
 * the device was lost (then it is said in plain words); the events after it wait for it.
 */
function emitFor(runId: string) {
  let held: TrainEvent[] | null = null;
  let checkpointStep = 0;
  return (event: TrainEvent) => {
    // The last saved checkpoint: a resumed run starts at one.
    if (event.type === 'checkpoint') checkpointStep = event.step;
    if (event.type === 'ready') checkpointStep = Math.max(checkpointStep, event.startStep);
    if (held) {
      held.push(event);
      return;
    }
    if (event.type !== 'error' || event.kind !== 'internal' || tf.getBackend() !== 'webgpu') {
      post({ ...event, runId });
      return;
    }
    const queue: TrainEvent[] = [event];
    held = queue;
    void gpu.isLost().then((lost) => {
      held = null;
      const [first, ...rest] = queue;
      const plain =
        lost && first?.type === 'error'
          ? {
              ...first,
              field: 'backend',
              message: deviceLostMessage(first.step ?? 0, gpu.why(), checkpointStep),
            }
          : first;
      for (const e of plain ? [plain, ...rest] : rest) post({ ...e, runId });
    });
  };
}

/** Data and model files for the trainer: uploads by name, then the app's own origin. */
function hostIO() {
  return {
    fetch: self.fetch.bind(self),
    ...(hubBase ? { hubBase } : {}),
    cache: cacheApiDataCache('cplay-downloads'),
    openFile: async (source: string): Promise<Blob | Uint8Array> => {
      const name = source.replace(/^upload:/, '');
      const file = uploads.get(name);
      if (file) return file;
      const res = await fetch(new URL(source, base));
      if (!res.ok) throw new Error(`${source}: HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
    // UI (issue 7): a model folder the user picked, uploaded file by file as `<folder>/<path>`.
    openModel: (source: string) => {
      const folder = source.replace(/^upload:/, '');
      return {
        describe: `the uploaded folder ${folder}`,
        read: async (path: string) => {
          const file = uploads.get(`${folder}/${path}`);
          return file ? new Uint8Array(await file.arrayBuffer()) : null;
        },
        has: async (path: string) => uploads.has(`${folder}/${path}`),
      };
    },
  };
}

async function start(cmd: Extract<Command, { type: 'start' }>): Promise<void> {
  if (trainer) {
    trainer.stop();
    await trainer.finished;
    trainer.dispose();
    trainer = null;
  }
  currentRun = cmd.runId;
  const emit = emitFor(cmd.runId);
  // A lost GPU device is replaced before this run asks for WebGPU.
  const afterLoss = gpu.resetIfLost();
  const create = (config: unknown, rewrite: (e: TrainEvent) => TrainEvent = (e) => e) =>
    Trainer.create(config, {
      emit: (e) => emit(rewrite(e)),
      runId: cmd.runId,
      resume: cmd.resume ?? false,
      backendOptions: {
        wasmPaths: new URL('generated/tfjs-wasm/', base).href,
        // XNNPACK's default pool can come out at one thread; ask for one per core (WASM threads
        // need cross-origin isolation, which vite.config.ts serves).
        ...(self.crossOriginIsolated
          ? { wasmThreads: Math.max(2, self.navigator.hardwareConcurrency || 2) }
          : {}),
        // auto's probe decision per device and run shape, kept across page loads.
        probeCache: idbProbeCache(),
      },
      io: hostIO(),
      checkpoints: idbCheckpointStore(),
      // Data-parallel replicas (config.workers) on WASM / CPU: module Workers of this Worker.
      replicas: webReplicaHost(),
    });
  try {
    try {
      trainer = await create(cmd.config);
    } catch (e) {
      // After a lost device, a run that asked for WebGPU continues on WASM when WebGPU cannot
      // start again (the user is told why in the run's log).
      const wasm = afterLoss ? onWasm(cmd.config) : null;
      const message = e instanceof Error ? e.message : String(e);
      if (!wasm || isUserError(e) || !/^No backend could start/.test(message)) throw e;
      const why = `WebGPU could not start again after the GPU device was lost (${message.replace(/^No backend could start: /, '').replace(/\.$/, '')}), so this run continues on WASM.`;
      emit({ type: 'log', level: 'warn', message: why });
      // The status bar's backend reasons say so too (instead of "WASM was chosen by the user").
      trainer = await create(wasm, (e) => (e.type === 'ready' ? { ...e, reasons: [why] } : e));
    }
    gpu.watchCurrent();
    await trainer.run();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // User errors start with the config field they concern ("data.train: …", "encoder.source: …").
    const field = isUserError(e) ? FIELD_PREFIX.exec(message)?.[1] : undefined;
    emit({
      type: 'error',
      kind: isUserError(e) ? 'user' : 'internal',
      message,
      ...(field ? { field } : {}),
    });
    emit({ type: 'done', step: (trainer as Trainer | null)?.step ?? 0, reason: 'failed' });
  }
}

/** The config with backend 'wasm' when it asked for WebGPU; null otherwise. */
function onWasm(config: unknown): unknown {
  if (!config || typeof config !== 'object') return null;
  const c = config as { backend?: unknown };
  return c.backend === 'webgpu' ? { ...c, backend: 'wasm' } : null;
}

self.addEventListener('message', (e: MessageEvent<Command>) => {
  const cmd = e.data;
  switch (cmd.type) {
    case 'start':
      void start(cmd);
      break;
    case 'pause':
      trainer?.pause();
      break;
    case 'resume':
      trainer?.resume();
      break;
    case 'step':
      trainer?.stepOnce();
      break;
    case 'stop':
      trainer?.stop();
      break;
    case 'upload':
      uploads.set(cmd.name, cmd.file);
      break;
    case 'configure':
      hubBase = cmd.hubBase;
      break;
    case 'preview':
      void runPreview(cmd, uploads).then((r) => post(r));
      break;
    // bench (issue 8): `npm run bench` measures the built app through this (bench/browser.ts).
    case 'bench':
      void runBenchCommand(cmd, post, base, webReplicaHost());
      break;
    // UI (issue 7): eval embeddings for the Embedding Projector.
    case 'export-embeddings':
      void (async () => {
        try {
          if (!trainer || cmd.runId !== currentRun) throw new Error('that run is not loaded');
          const r = await embedEvalSet(trainer, cmd.requestId);
          post(r, r.vectors ? [r.vectors.buffer] : []);
        } catch (err) {
          post({ type: 'embeddings-result', requestId: cmd.requestId, error: String(err) });
        }
      })();
      break;
    case 'export':
      void (async () => {
        try {
          if (!trainer || cmd.runId !== currentRun) throw new Error('that run is not loaded');
          const files = Object.fromEntries(await trainer.exportModel());
          post({ type: 'export-result', requestId: cmd.requestId, files });
        } catch (err) {
          post({ type: 'export-result', requestId: cmd.requestId, error: String(err) });
        }
      })();
      break;
  }
});

// The lock is held until this worker's global scope goes away (closed, crashed, terminated):
// the page waits on it to notice a dead worker (workerClient.ts).
if (self.navigator.locks) {
  void self.navigator.locks.request(LOCK, () => {
    post({ type: 'hello', crossOriginIsolated: self.crossOriginIsolated, lock: LOCK });
    return new Promise<never>(() => {});
  });
} else {
  post({ type: 'hello', crossOriginIsolated: self.crossOriginIsolated });
}
