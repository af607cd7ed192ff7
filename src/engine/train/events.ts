/**
 * What a training run reports. Plain numbers and strings only: these cross the Worker boundary
 * and are written as metrics.jsonl by the CLI, so nothing here may hold a tensor.
 */
import type { BackendName } from '../backend.ts';
import type { ProbeEntry } from '../backendProbe.ts';

export interface ReadyEvent {
  type: 'ready';
  backend: BackendName;
  /** Why each faster backend was not used, in words. */
  reasons: string[];
  wasmThreads?: number;
  /** WASM: the multi-threaded build runs (the page is cross-origin isolated). */
  wasmMultithread?: boolean;
  /** WASM: the products run on the own GEMM, with relaxed SIMD (fused multiply-add) or plain SIMD. */
  wasmGemm?: 'relaxed' | 'simd';
  adapter?: string;
  /** auto: each backend's line from the backend probe (backendProbe.ts); absent when none was compared. */
  probe?: ProbeEntry[];
  /** auto: what choosing the backend cost (the probe, or reading its cached result), ms. */
  probeMs?: number;
  /** Trainable parameters of the encoder (and heads). */
  parameters: number;
  trainExamples: number;
  evalExamples: number;
  totalSteps: number;
  /** Step the run starts from (> 0 after resuming a checkpoint). */
  startStep: number;
  /** How the data was cleaned (empty lines, duplicates removed). */
  dataReport: string;
  /** The evaluation set's human name ('STS-B dev' for builtin:stsb-dev, else its source). */
  evalName?: string;
  /** Milliseconds from start() to the first step being possible (load, tokenise, compile). */
  setupMs: number;
}

export interface StepEvent {
  type: 'step';
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  /** Global gradient norm before clipping, when it was computed. */
  gradNorm?: number;
  /** Sentences encoded for training per second, over the last step. */
  sentencesPerSec: number;
  /** Wall time of this step in ms. */
  stepMs: number;
  elapsedMs: number;
  tensors: number;
  bytes: number;
}

export interface ProjectionPoint {
  x: number;
  y: number;
  text: string;
  /** Label name / pair index used to colour the point. */
  group: string;
}

export interface EvalEvent {
  type: 'eval';
  step: number;
  alignment?: number;
  uniformity?: number;
  /** Which positives alignment used: STS pairs with gold > 4, or two views of held-out sentences. */
  protocol?: 'sts-pairs' | 'held-out-views';
  spearman?: number;
  pearson?: number;
  accuracy?: number;
  macroF1?: number;
  /** N×N cosine similarities of two views of a batch (positives on the diagonal). */
  cosine?: number[][];
  projection?: ProjectionPoint[];
  /**
   * On the step-0 evaluation of an STS set: Spearman × 100 of word-overlap baselines on the same
   * pairs (bag-of-words cosine, TF-IDF cosine), the lines a trained encoder is read against.
   */
  baselines?: { bagOfWords: number; tfidf: number };
}

export interface LogEvent {
  type: 'log';
  level: 'info' | 'warn';
  message: string;
}

export interface ErrorEvent {
  type: 'error';
  message: string;
  /** user: bad input or config; divergence: NaN/Inf; internal: a bug or a lost device. */
  kind: 'user' | 'divergence' | 'internal';
  step?: number;
  /** The control or config field that caused it, when known (e.g. 'data.train'). */
  field?: string;
}

export interface StateEvent {
  type: 'state';
  state: 'idle' | 'loading' | 'running' | 'paused' | 'stopped' | 'finished' | 'failed';
  step: number;
}

export interface CheckpointEvent {
  type: 'checkpoint';
  step: number;
}

/** Download / parse progress while a run loads its model and data (throttled). */
export interface ProgressEvent {
  type: 'progress';
  /** 'list' | 'download' | 'cache' | 'parse' | … */
  phase: string;
  loaded: number;
  total?: number;
}

export interface DoneEvent {
  type: 'done';
  step: number;
  reason: 'finished' | 'stopped' | 'failed';
}

export type TrainEvent =
  | ReadyEvent
  | StepEvent
  | EvalEvent
  | LogEvent
  | ErrorEvent
  | StateEvent
  | CheckpointEvent
  | ProgressEvent
  | DoneEvent;
