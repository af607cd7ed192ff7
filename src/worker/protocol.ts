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
  /** Register an uploaded file; data sources then name it as `upload:<name>`. */
  | { type: 'upload'; name: string; bytes: ArrayBuffer }
  | { type: 'preview'; requestId: number; text: string; augment: unknown; seed: number }
  | { type: 'export'; requestId: number; runId: string }
  /** UI (issue 7): the loaded run's eval sentences embedded, for the Embedding Projector. */
  | { type: 'export-embeddings'; requestId: number; runId: string }
  /** bench (issue 8): measure one training / embedding case (src/worker/bench.ts). */
  | BenchCommand;

export type WorkerMessage =
  | { type: 'hello'; crossOriginIsolated: boolean }
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
