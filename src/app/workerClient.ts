/**
 * The page's handle on the training Worker: typed commands out, typed messages in.
 * Nothing here touches a tensor.
 */
import type { Command, WorkerMessage } from '../worker/protocol.ts';

export type Listener = (message: WorkerMessage) => void;

export class WorkerClient {
  private worker: Worker;
  private listeners = new Set<Listener>();
  private nextRequest = 1;

  constructor() {
    this.worker = new Worker(new URL('../worker/trainingWorker.ts', import.meta.url), {
      type: 'module',
      name: 'cplay-trainer',
    });
    this.worker.addEventListener('message', (e: MessageEvent<WorkerMessage>) => {
      for (const l of this.listeners) l(e.data);
    });
    this.worker.addEventListener('error', (e) => {
      const message = `The training worker crashed: ${e.message || 'unknown error'}`;
      for (const l of this.listeners) {
        l({ type: 'error', kind: 'internal', message, runId: '' });
      }
    });
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(command: Command, transfer: Transferable[] = []): void {
    this.worker.postMessage(command, transfer);
  }

  /** Sends a request with a fresh id and resolves with the reply carrying that id. */
  request<T extends WorkerMessage & { requestId: number }>(
    make: (requestId: number) => Command,
    replyType: T['type'],
  ): Promise<T> {
    const requestId = this.nextRequest++;
    return new Promise((resolve) => {
      const off = this.on((m) => {
        if (m.type === replyType && 'requestId' in m && m.requestId === requestId) {
          off();
          resolve(m as T);
        }
      });
      this.send(make(requestId));
    });
  }

  /** Hands a picked file to the worker; configs then name it `upload:<name>`. */
  async upload(name: string, file: Blob): Promise<void> {
    const bytes = await file.arrayBuffer();
    this.send({ type: 'upload', name, bytes }, [bytes]);
  }

  terminate(): void {
    this.worker.terminate();
  }
}
