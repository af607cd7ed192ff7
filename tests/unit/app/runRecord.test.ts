import { describe, expect, it } from 'vitest';
import {
  appendEvals,
  canResumeFromCheckpoint,
  fillUpTo,
  fromRecord,
  gapToFill,
  lastStep,
  latestWith,
  toRecord,
  truncateAfter,
} from '../../../src/app/state/runRecord.ts';
import { evalPoint, run, stepPoint } from './helpers.ts';

describe('run records', () => {
  it('a run that was live when the page went away comes back interrupted', () => {
    for (const status of ['loading', 'running', 'paused'] as const) {
      expect(fromRecord(toRecord(run({ status })))?.status).toBe('interrupted');
    }
    expect(fromRecord(toRecord(run({ status: 'finished' })))?.status).toBe('finished');
  });

  it('rejects values that are not runs', () => {
    expect(fromRecord(null)).toBeNull();
    expect(fromRecord({ id: 3 })).toBeNull();
    expect(fromRecord({ id: 'x', steps: [] })).toBeNull();
  });

  it('round-trips everything else', () => {
    const r = run({
      status: 'stopped',
      steps: [stepPoint(1), stepPoint(2)],
      evals: [evalPoint(2)],
      checkpointStep: 2,
      error: { message: 'x', kind: 'user', field: 'data.train' },
    });
    expect(fromRecord(structuredClone(toRecord(r)))).toEqual(r);
  });

  it('truncateAfter drops the metrics after the checkpoint step', () => {
    const r = run({
      steps: [1, 2, 3, 4, 5].map((s) => stepPoint(s)),
      evals: [evalPoint(2), evalPoint(4)],
    });
    const t = truncateAfter(r, 3);
    expect(t.steps.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(t.evals.map((e) => e.step)).toEqual([2]);
    expect(lastStep(t)).toBe(3);
  });

  it('fillUpTo adds only the missing points up to the step, and keeps heavy fields on the newest', () => {
    const r = run({
      steps: [stepPoint(1), stepPoint(5)],
      evals: [evalPoint(5, { cosine: [[1]] })],
    });
    const out = fillUpTo(
      r,
      4,
      [1, 2, 3, 4, 5].map((s) => stepPoint(s, 7)),
      [evalPoint(2, { cosine: [[0.5]] }), evalPoint(5)],
    );
    expect(out.steps.map((s) => [s.step, s.loss])).toEqual([
      [1, 1],
      [2, 7],
      [3, 7],
      [4, 7],
      [5, 1 / 5],
    ]);
    expect(out.evals.map((e) => e.step)).toEqual([2, 5]);
    expect(out.evals[0]!.cosine).toBeUndefined();
    expect(out.evals[1]!.cosine).toEqual([[1]]);
    expect(fillUpTo(r, 1, [stepPoint(1)], [])).toBe(r);
  });

  it("gapToFill: a resumed run's 'ready' past its last kept step asks for the checkpoint's metrics", () => {
    const ready = {
      backend: 'webgpu' as const,
      reasons: [],
      parameters: 1,
      trainExamples: 1,
      evalExamples: 1,
      totalSteps: 100,
      dataReport: '',
      setupMs: 1,
    };
    const before = run({ steps: [1, 2, 3].map((s) => stepPoint(s)) });
    // The record kept steps 1-3, the worker resumed from its checkpoint at 5: 4 and 5 are missing.
    expect(gapToFill(before, { ...before, ready: { ...ready, startStep: 5 } })).toBe(5);
    expect(gapToFill(before, { ...before, ready: { ...ready, startStep: 3 } })).toBeNull();
    expect(gapToFill(before, { ...before, ready: { ...ready, startStep: 0 } })).toBeNull();
    const after = { ...before, ready: { ...ready, startStep: 5 } };
    expect(gapToFill(after, { ...after, name: 'x' })).toBeNull(); // the same 'ready'
  });

  it('appendEvals keeps the heavy fields only on the newest eval that has them', () => {
    const a = evalPoint(1, { cosine: [[1]], projection: [{ x: 0, y: 0, text: 'a', group: 'g' }] });
    const b = evalPoint(2, { cosine: [[0.5]] });
    const out = appendEvals([a], [b]);
    expect(out[0]!.cosine).toBeUndefined();
    expect(out[0]!.projection).toHaveLength(1);
    expect(out[1]!.cosine).toEqual([[0.5]]);
    const r = run({ evals: out });
    expect(latestWith(r, 'cosine')?.step).toBe(2);
    expect(latestWith(r, 'projection')?.step).toBe(1);
    expect(latestWith(r, 'spearman')).toBeUndefined();
  });

  it('can resume from a checkpoint only when there is one and steps are left', () => {
    const ready = {
      backend: 'webgpu' as const,
      reasons: [],
      parameters: 1,
      trainExamples: 1,
      evalExamples: 1,
      totalSteps: 100,
      startStep: 0,
      dataReport: '',
      setupMs: 1,
    };
    expect(canResumeFromCheckpoint(run({ status: 'interrupted', checkpointStep: 25, ready }))).toBe(
      true,
    );
    expect(canResumeFromCheckpoint(run({ status: 'interrupted' }))).toBe(false);
    expect(canResumeFromCheckpoint(run({ status: 'running', checkpointStep: 25, ready }))).toBe(
      false,
    );
    expect(canResumeFromCheckpoint(run({ status: 'finished', checkpointStep: 100, ready }))).toBe(
      false,
    );
    expect(canResumeFromCheckpoint(run({ status: 'stopped', checkpointStep: 100, ready }))).toBe(
      false,
    );
  });
});
