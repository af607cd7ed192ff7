import { afterEach, describe, expect, it, vi } from 'vitest';
import { PUBLISH_MS, shownRuns, useRunStore } from '../../../src/app/state/runStore.ts';
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
