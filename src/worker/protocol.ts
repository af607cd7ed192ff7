/**
 * The one typed protocol between the page and the training Worker.
 * Page → worker: a config and commands. Worker → page: events with plain numbers and strings.
 */
import type { TrainEvent } from '../engine/train/events.ts';
import type { BenchCommand, BenchMessage } from './bench.ts'; // bench (issue 8)

export type Command =
  | { type: 'start'; runId: string; config: unknown; resume?: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step' }
  | { type: 'stop' }
  /**
   * Register an uploaded file; data sources then name it as `upload:<name>`. The File itself
   * travels (a handle, structured-cloned): the worker reads its bytes, the page never does.
   */
  | { type: 'upload'; name: string; file: Blob }
  /** Where the Hugging Face Hub is (the page's `?hub=` parameter; tests point it at a mirror). */
  | { type: 'configure'; hubBase: string | null }
  | { type: 'preview'; requestId: number; text: string; augment: unknown; seed: number }
  | { type: 'export'; requestId: number; runId: string }
  /** UI (issue 7): the loaded run's eval sentences embedded, for the Embedding Projector. */
  | { type: 'export-embeddings'; requestId: number; runId: string }
  /** bench (issue 8): measure one training / embedding case (src/worker/bench.ts). */
  | BenchCommand;

export type WorkerMessage =
  /**
   * The worker is up. `lock` names the Web Lock it holds for as long as it lives: the page waits
   * on that lock, so a worker that dies (closed, crashed, killed) is noticed with no heartbeat.
   */
  | { type: 'hello'; crossOriginIsolated: boolean; lock?: string }
  /**
   * Page-side only (workerClient.ts): the worker died while it hosted `runId`; the run is
   * interrupted and can resume from its last checkpoint in a fresh worker.
   */
  | { type: 'worker-lost'; runId: string; message: string }
  /** bench (issue 8): progress lines and the case's result. */
  | BenchMessage
  | (TrainEvent & { runId: string })
  | { type: 'preview-result'; requestId: number; views: unknown; error?: string }
  | {
      type: 'export-result';
      requestId: number;
      files?: Record<string, Uint8Array>;
      error?: string;
    }
  /** UI (issue 7): vectors [N·dim] row-major, one text and group per row. */
  | {
      type: 'embeddings-result';
      requestId: number;
      vectors?: Float32Array;
      dim?: number;
      texts?: string[];
      groups?: string[];
      error?: string;
    };

export interface WorkerLike {
  postMessage(message: Command, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<WorkerMessage>) => void): void;
  terminate(): void;
}
