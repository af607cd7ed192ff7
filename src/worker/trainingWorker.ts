/// <reference lib="webworker" />
/**
 * The dedicated module Worker that hosts a training run. It owns every tensor; the page only
 * sends commands and receives plain-number events (see protocol.ts).
 */
import { setAssetLoader } from '../engine/assets.ts';
import { cacheApiDataCache } from '../engine/data/index.ts';
import { isUserError } from '../engine/errors.ts';
import type { TrainEvent } from '../engine/train/events.ts';
import { Trainer } from '../engine/train/trainer.ts';
import { runBenchCommand } from './bench.ts'; // bench (issue 8)
import { idbCheckpointStore } from './checkpointStore.ts';
import { embedEvalSet } from './embeddings.ts';
import { runPreview } from './preview.ts';
import type { Command, WorkerMessage } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const base = new URL(import.meta.env.BASE_URL, self.location.origin);
setAssetLoader(async (name) => {
  const res = await fetch(new URL(`generated/${name}`, base));
  if (!res.ok) throw new Error(`asset ${name}: HTTP ${res.status}`);
  return res.text();
});

const uploads = new Map<string, Uint8Array>();
/** The config field a user error names first ("data.train: …", "Invalid experiment config: batchSize: …"). */
const FIELD_PREFIX =
  /^(?:Invalid experiment config: )?((?:encoder|data|augment|objective|optimizer|gradCache)\b[\w.]*|batchSize|maxSteps|epochs|evalEvery|seed|backend):/;
let trainer: Trainer | null = null;
let currentRun = '';

function post(message: WorkerMessage, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function emitFor(runId: string) {
  return (event: TrainEvent) => post({ ...event, runId });
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
  try {
    trainer = await Trainer.create(cmd.config, {
      emit,
      runId: cmd.runId,
      resume: cmd.resume ?? false,
      backendOptions: {
        wasmPaths: new URL('generated/tfjs-wasm/', base).href,
        // XNNPACK's default pool can come out at one thread; ask for one per core (WASM threads
        // need cross-origin isolation, which vite.config.ts serves).
        ...(self.crossOriginIsolated
          ? { wasmThreads: Math.max(2, self.navigator.hardwareConcurrency || 2) }
          : {}),
      },
      io: {
        fetch: self.fetch.bind(self),
        cache: cacheApiDataCache('cplay-downloads'),
        openFile: async (source: string) => {
          const name = source.replace(/^upload:/, '');
          const bytes = uploads.get(name);
          if (bytes) return bytes;
          const res = await fetch(new URL(source, base));
          if (!res.ok) throw new Error(`${source}: HTTP ${res.status}`);
          return new Uint8Array(await res.arrayBuffer());
        },
        // UI (issue 7): a model folder the user picked, uploaded file by file as `<folder>/<path>`.
        openModel: (source: string) => {
          const folder = source.replace(/^upload:/, '');
          return {
            describe: `the uploaded folder ${folder}`,
            read: async (path: string) => uploads.get(`${folder}/${path}`) ?? null,
            has: async (path: string) => uploads.has(`${folder}/${path}`),
          };
        },
      },
      checkpoints: idbCheckpointStore(),
    });
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
    emit({ type: 'done', step: trainer?.step ?? 0, reason: 'failed' });
  }
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
      uploads.set(cmd.name, new Uint8Array(cmd.bytes));
      break;
    case 'preview':
      void runPreview(cmd, uploads).then((r) => post(r));
      break;
    // bench (issue 8): `npm run bench` measures the built app through this (bench/browser.ts).
    case 'bench':
      void runBenchCommand(cmd, post, base);
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

post({ type: 'hello', crossOriginIsolated: self.crossOriginIsolated });
