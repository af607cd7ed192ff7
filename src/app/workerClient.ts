/**
 * The page's handle on the training Worker: typed commands out, typed messages in.
 * Nothing here touches a tensor.
 *
 * A worker can die under the page (the browser ends it, it runs out of memory, it crashes). The
 * worker holds a Web Lock for as long as it lives and the page waits on that lock, so a death is
 * noticed at once, with no heartbeat to tune: the run it hosted is reported as 'worker-lost'
 * (the run is interrupted and resumes from its checkpoint), and a fresh worker takes its place
 * with the same uploads and settings. Picked files are handed over as File handles: the page
 * never reads their bytes (a 100 MB upload costs the page nothing).
 */
import type { Command, WorkerMessage } from '../worker/protocol.ts';

export type Listener = (message: WorkerMessage) => void;

/** What the page says when its worker died under a run. */
export const WORKER_LOST_MESSAGE =
  'The training worker stopped unexpectedly (the browser ended it, or it crashed), so the run was interrupted. Resume continues from its last checkpoint in a new worker.';

/**
 * The page's `?hub=<url>` parameter: the Hugging Face Hub's base URL (tests point it at a local
 * mirror). Only http(s) URLs; anything else is ignored.
 */
export function hubBaseFromSearch(search: string): string | null {
  const raw = new URLSearchParams(search).get('hub');
  if (!raw) return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.href.replace(/\/+$/, '');
  } catch {
    return null;
  }
}

interface Pending {
  replyType: string;
  resolve: (m: WorkerMessage) => void;
}

export class WorkerClient {
  private worker!: Worker;
  private listeners = new Set<Listener>();
  private nextRequest = 1;
  private readonly pending = new Map<number, Pending>();
  /** Every file handed to the worker, by name: a fresh worker gets them again. */
  private readonly uploads = new Map<string, Blob>();
  /** The run the worker hosts: a 'start' was sent and its 'done' has not come back. */
  private hosted: string | null = null;
  private closed = false;
  private readonly hubBase: string | null;
  /** How many workers died under this page (each was replaced by a fresh one). */
  restarts = 0;

  constructor(opts: { hubBase?: string | null } = {}) {
    this.hubBase =
      opts.hubBase !== undefined
        ? opts.hubBase
        : typeof location === 'undefined'
          ? null
          : hubBaseFromSearch(location.search);
    this.spawn();
  }

  private spawn(): void {
    const worker = new Worker(new URL('../worker/trainingWorker.ts', import.meta.url), {
      type: 'module',
      name: 'cplay-trainer',
    });
    this.worker = worker;
    worker.addEventListener('message', (e: MessageEvent<WorkerMessage>) => {
      if (worker !== this.worker) return;
      const m = e.data;
      if (m.type === 'hello' && m.lock) this.watch(worker, m.lock);
      if (m.type === 'done' && m.runId === this.hosted) this.hosted = null;
      this.dispatch(m);
    });
    worker.addEventListener('error', (e) => {
      if (worker !== this.worker) return;
      const message = `The training worker crashed: ${e.message || 'unknown error'}`;
      this.dispatch({ type: 'error', kind: 'internal', message, runId: '' });
    });
    if (this.hubBase) worker.postMessage({ type: 'configure', hubBase: this.hubBase });
    for (const [name, file] of this.uploads) worker.postMessage({ type: 'upload', name, file });
  }

  /** Waits on the worker's life lock: granted only when the worker has gone. */
  private watch(worker: Worker, lock: string): void {
    if (typeof navigator === 'undefined' || !navigator.locks) return;
    void navigator.locks.request(lock, () => {
      if (!this.closed && worker === this.worker) this.replaceDeadWorker();
    });
  }

  private replaceDeadWorker(): void {
    const runId = this.hosted;
    this.hosted = null;
    this.restarts++;
    this.worker.terminate();
    this.spawn();
    // Requests the dead worker never answered get an error reply (every reply type has one).
    const waiting = [...this.pending.entries()];
    this.pending.clear();
    for (const [requestId, p] of waiting) {
      p.resolve({ type: p.replyType, requestId, error: WORKER_LOST_MESSAGE } as WorkerMessage);
    }
    if (runId) this.dispatch({ type: 'worker-lost', runId, message: WORKER_LOST_MESSAGE });
  }

  private dispatch(m: WorkerMessage): void {
    if ('requestId' in m && typeof m.requestId === 'number') {
      const p = this.pending.get(m.requestId);
      if (p && p.replyType === m.type) {
        this.pending.delete(m.requestId);
        p.resolve(m);
      }
    }
    for (const l of this.listeners) l(m);
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(command: Command, transfer: Transferable[] = []): void {
    if (command.type === 'start') this.hosted = command.runId;
    this.worker.postMessage(command, transfer);
  }

  /** Sends a request with a fresh id and resolves with the reply carrying that id. */
  request<T extends WorkerMessage & { requestId: number }>(
    make: (requestId: number) => Command,
    replyType: T['type'],
  ): Promise<T> {
    const requestId = this.nextRequest++;
    return new Promise((resolve) => {
      this.pending.set(requestId, { replyType, resolve: (m) => resolve(m as T) });
      this.send(make(requestId));
    });
  }

  /**
   * Hands a picked file to the worker; configs then name it `upload:<name>`. The File handle is
   * sent, not its bytes: the worker reads (and parses) it off the page's thread.
   */
  upload(name: string, file: Blob): void {
    this.uploads.set(name, file);
    this.worker.postMessage({ type: 'upload', name, file });
  }

  terminate(): void {
    this.closed = true;
    this.worker.terminate();
  }
}
