import { afterEach, describe, expect, it, vi } from 'vitest';
import { PUBLISH_MS, shownRuns, useRunStore } from '../../../src/app/state/runStore.ts';
import { onlyGrew } from '../../../src/app/state/useShownRuns.ts';
import { evalPoint, run, stepPoint } from './helpers.ts';

const ready = {
  type: 'ready' as const,
  backend: 'cpu' as const,
  reasons: [],
  parameters: 1,
  trainExamples: 10,
  evalExamples: 2,
  totalSteps: 50,
  dataReport: '',
  setupMs: 1,
};

afterEach(() => {
  vi.useRealTimers();
  useRunStore.setState({ runs: {}, order: [], activeId: null, overlay: [] });
});

describe('run store', () => {
  it('batches step events and publishes them at most every PUBLISH_MS', () => {
    vi.useFakeTimers();
    const s = useRunStore.getState();
    s.addRun(run({ id: 'a' }));
    for (let i = 1; i <= 5; i++) s.handle({ type: 'step', runId: 'a', ...stepPoint(i) });
    expect(useRunStore.getState().runs.a!.steps).toHaveLength(0);
    vi.advanceTimersByTime(PUBLISH_MS);
    expect(useRunStore.getState().runs.a!.steps).toHaveLength(5);
  });

  it("a resumed run's 'ready' drops what was recorded after the restored step", () => {
    vi.useFakeTimers();
    const s = useRunStore.getState();
    s.addRun(
      run({
        id: 'a',
        steps: [1, 2, 3, 4].map((x) => stepPoint(x)),
        evals: [evalPoint(2), evalPoint(4)],
      }),
    );
    s.beginResume('a');
    expect(useRunStore.getState().runs.a!.status).toBe('loading');
    s.handle({ ...ready, runId: 'a', startStep: 2 });
    const r = useRunStore.getState().runs.a!;
    expect(r.steps.map((x) => x.step)).toEqual([1, 2]);
    expect(r.evals.map((x) => x.step)).toEqual([2]);
    s.handle({ type: 'step', runId: 'a', ...stepPoint(3) });
    s.handle({ type: 'done', runId: 'a', step: 3, reason: 'stopped' });
    expect(useRunStore.getState().runs.a!.steps.map((x) => x.step)).toEqual([1, 2, 3]);
    expect(useRunStore.getState().runs.a!.status).toBe('stopped');
  });

  it('a checkpoint publishes the buffered steps first, so the run has every step up to it', () => {
    vi.useFakeTimers();
    const s = useRunStore.getState();
    s.addRun(run({ id: 'a' }));
    for (let i = 1; i <= 5; i++) s.handle({ type: 'step', runId: 'a', ...stepPoint(i) });
    // Well before PUBLISH_MS: without the flush the saved run would name checkpoint 5 with 0 steps.
    s.handle({ type: 'checkpoint', runId: 'a', step: 5 });
    const r = useRunStore.getState().runs.a!;
    expect(r.checkpointStep).toBe(5);
    expect(r.steps.map((x) => x.step)).toEqual([1, 2, 3, 4, 5]);
  });

  it('fill puts back the steps a resumed run lacks up to its checkpoint, in order', () => {
    const s = useRunStore.getState();
    s.addRun(run({ id: 'a', steps: [1, 2, 6].map((x) => stepPoint(x)), evals: [evalPoint(2)] }));
    const ckpt = [1, 2, 3, 4, 5].map((x) => stepPoint(x, 10 + x));
    s.fill('a', 4, ckpt, [evalPoint(2, { alignment: 9 }), evalPoint(4)]);
    const r = useRunStore.getState().runs.a!;
    expect(r.steps.map((x) => x.step)).toEqual([1, 2, 3, 4, 6]);
    // Steps the run had keep their own values; the filled ones come from the checkpoint.
    expect(r.steps[0]!.loss).toBe(1);
    expect(r.steps[2]!.loss).toBe(13);
    expect(r.evals.map((e) => [e.step, e.alignment])).toEqual([
      [2, 0.5],
      [4, 0.5],
    ]);
    // Nothing missing: the run object stays the same (no save, no redraw).
    s.fill('a', 4, ckpt, []);
    expect(useRunStore.getState().runs.a).toBe(r);
  });

  it('charts may lag only while runs grow; a status, name or run change is drawn at once', () => {
    const a = run({ id: 'a', status: 'running', steps: [stepPoint(1)] });
    const grown = { ...a, steps: [stepPoint(1), stepPoint(2)] };
    expect(onlyGrew([a], [grown])).toBe(true);
    expect(onlyGrew([], [a])).toBe(false); // runs restored from IndexedDB
    expect(onlyGrew([a], [{ ...grown, status: 'interrupted' }])).toBe(false);
    expect(onlyGrew([a], [{ ...a, name: 'renamed' }])).toBe(false);
    expect(onlyGrew([grown], [a])).toBe(false); // metrics cut back on resume
    expect(onlyGrew([a], [run({ id: 'b', steps: [stepPoint(1)] })])).toBe(false);
  });

  it('an error with no run id (the worker crashed) lands on the active run and fails it', () => {
    const s = useRunStore.getState();
    s.addRun(run({ id: 'a' }));
    s.handle({
      type: 'error',
      runId: '',
      kind: 'internal',
      message: 'The training worker crashed',
    });
    expect(useRunStore.getState().runs.a!.status).toBe('failed');
    expect(useRunStore.getState().runs.a!.error?.message).toMatch(/crashed/);
  });

  it('shows the active run first, then at most 3 overlaid runs', () => {
    const s = useRunStore.getState();
    for (const id of ['a', 'b', 'c', 'd', 'e']) s.addRun(run({ id, createdAt: id.charCodeAt(0) }));
    s.setActive('c');
    for (const id of ['a', 'b', 'c', 'd', 'e']) s.toggleOverlay(id);
    const st = useRunStore.getState();
    expect(st.overlay).toHaveLength(4);
    expect(shownRuns(st).map((r) => r.id)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('hydrate keeps runs in creation order and shows the newest', () => {
    useRunStore
      .getState()
      .hydrate([run({ id: 'y', createdAt: 2 }), run({ id: 'x', createdAt: 1 })]);
    expect(useRunStore.getState().order).toEqual(['x', 'y']);
    expect(useRunStore.getState().activeId).toBe('y');
  });
});
