/**
 * The one typed protocol between the page and the training Worker.
 * Page → worker: a config and commands. Worker → page: events with plain numbers and strings.
 */
import type { TrainEvent } from '../engine/train/events.ts';

export type Command =
  | { type: 'start'; runId: string; config: unknown; resume?: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step' }
  | { type: 'stop' }
  /** Register an uploaded file; data sources then name it as `upload:<name>`. */
  | { type: 'upload'; name: string; bytes: ArrayBuffer }
  | { type: 'preview'; requestId: number; text: string; augment: unknown; seed: number }
  | { type: 'export'; requestId: number; runId: string };

export type WorkerMessage =
  | { type: 'hello'; crossOriginIsolated: boolean }
  | (TrainEvent & { runId: string })
  | { type: 'preview-result'; requestId: number; views: unknown; error?: string }
  | {
      type: 'export-result';
      requestId: number;
      files?: Record<string, Uint8Array>;
      error?: string;
    };

export interface WorkerLike {
  postMessage(message: Command, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<WorkerMessage>) => void): void;
  terminate(): void;
}
