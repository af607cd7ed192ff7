/**
 * What a run says while it sets up, apart from the loop (trainer.ts): loading progress as
 * throttled events, the backend probe's line, the `ready` event; and the checkpoint's weights
 * checked against the model before they are assigned, and the metrics a model folder records.
 */

import type { BackendChoice } from '../backend.ts';
import type { ExperimentConfig } from '../config/schema.ts';
import type { DataIO, Dataset } from '../data/index.ts';
import { builtinSetLabel } from '../data/loadDataset.ts';
import { UserError } from '../errors.ts';
import type * as tf from '../tf.ts';
import type { TensorRecord } from './checkpoint.ts';
import type { EvalEvent, LogEvent, ReadyEvent, StepEvent, TrainEvent } from './events.ts';

/** Loading progress as events: at most one every 200 ms, and each phase's end. */
export function throttledProgress(
  emit: (e: TrainEvent) => void,
): NonNullable<DataIO['onProgress']> {
  let last = 0;
  return (p) => {
    const now = Date.now();
    const end = p.total !== undefined && p.loaded >= p.total;
    if (!end && now - last < 200) return;
    last = now;
    emit({
      type: 'progress',
      phase: p.phase,
      loaded: p.loaded,
      ...(p.total !== undefined ? { total: p.total } : {}),
    });
  };
}

/** The `auto` probe's result in words (null when no probe ran: a forced backend). */
export function probeLog(backend: BackendChoice): LogEvent | null {
  if (backend.probeMs === undefined) return null;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return {
    type: 'log',
    level: 'info',
    message: backend.probeCached
      ? `Backend ${backend.name}: kept from an earlier probe on this device (${s(backend.probeMs)} to start).`
      : `Backend probe took ${s(backend.probeMs)} (${(backend.probe ?? []).map((e) => `${e.label} ${s(e.ms ?? 0)}`).join(', ')}) → ${backend.name}.`,
  };
}

export interface ReadyFacts {
  config: ExperimentConfig;
  backend: BackendChoice;
  train: Dataset;
  trainExamples: number;
  evalExamples: number;
  parameters: number;
  totalSteps: number;
  startStep: number;
  setupMs: number;
  heldOut: number;
}

/** The event that ends setup: backend and why, data counts, the step the run starts from. */
export function readyEvent(f: ReadyFacts): ReadyEvent {
  const { backend, config } = f;
  const r = f.train.report;
  const d = config.data;
  return {
    type: 'ready',
    backend: backend.name,
    reasons: backend.reasons,
    ...(backend.wasmThreads ? { wasmThreads: backend.wasmThreads } : {}),
    ...(backend.wasmMultithread !== undefined ? { wasmMultithread: backend.wasmMultithread } : {}),
    ...(backend.wasmGemm ? { wasmGemm: backend.wasmGemm } : {}),
    ...(backend.adapter ? { adapter: backend.adapter } : {}),
    ...(backend.probe ? { probe: backend.probe, probeMs: backend.probeMs ?? 0 } : {}),
    parameters: f.parameters,
    trainExamples: f.trainExamples,
    evalExamples: f.evalExamples,
    totalSteps: f.totalSteps,
    startStep: f.startStep,
    ...(d.eval ? { evalName: builtinSetLabel(d.eval.source) ?? d.eval.source } : {}),
    dataReport: `${f.train.name}: ${r.rowsRead} rows read, ${r.kept} kept (${r.emptyRemoved} empty and ${r.duplicatesRemoved} duplicates removed${r.truncatedAtLimit ? ', stopped at the row limit' : ''})${f.heldOut ? `; ${f.heldOut} held out for alignment/uniformity` : ''}.`,
    setupMs: f.setupMs,
  };
}

/**
 * The checkpoint's tensor for each of the model's variables, every name present and every shape
 * equal, checked before any is assigned (a checkpoint of another model is refused whole).
 */
export function checkpointTensors(
  vars: ReadonlyMap<string, tf.Variable>,
  weights: Record<string, TensorRecord>,
): [tf.Variable, TensorRecord][] {
  const out: [tf.Variable, TensorRecord][] = [];
  for (const [name, v] of vars) {
    const rec = weights[name];
    if (!rec)
      throw new UserError(
        `The checkpoint has no weights for ${name}; it belongs to another model.`,
      );
    if (rec.shape.join() !== v.shape.join()) {
      throw new UserError(
        `The checkpoint's ${name} has shape [${rec.shape}] but the model needs [${v.shape}].`,
      );
    }
    out.push([v, rec]);
  }
  return out;
}

/** What a model folder records of its run: steps, the last loss and the last evaluation. */
export function exportMetrics(
  step: number,
  steps: readonly Omit<StepEvent, 'type'>[],
  evals: readonly Omit<EvalEvent, 'type'>[],
): Record<string, number> {
  const metrics: Record<string, number> = { steps: step };
  const lastStep = steps[steps.length - 1];
  const last = evals[evals.length - 1];
  if (lastStep) metrics.loss = lastStep.loss;
  if (last) {
    for (const k of [
      'alignment',
      'uniformity',
      'spearman',
      'pearson',
      'accuracy',
      'macroF1',
    ] as const) {
      const v = last[k];
      if (typeof v === 'number') metrics[k] = v;
    }
  }
  return metrics;
}
