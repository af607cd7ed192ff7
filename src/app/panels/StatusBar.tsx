import { useRunStore } from '../state/runStore.ts';

/** Backend in use with the reason for any fallback, progress, speed and time left. */
export function StatusBar() {
  const run = useRunStore((s) => (s.activeId ? s.runs[s.activeId] : undefined));
  const coi = useRunStore((s) => s.crossOriginIsolated);
  if (!run) {
    return (
      <section className="panel status" data-testid="status">
        No run yet. Press Start to train the built-in encoder on the built-in corpus.
        {coi === false && ' (This page is not cross-origin isolated: WASM will use one thread.)'}
      </section>
    );
  }
  const last = run.steps[run.steps.length - 1];
  const total = run.ready?.totalSteps ?? 0;
  const step = last?.step ?? run.ready?.startStep ?? 0;
  const recent = run.steps.slice(-20);
  const msPerStep = recent.length ? recent.reduce((a, s) => a + s.stepMs, 0) / recent.length : 0;
  const left = total > step && msPerStep ? ((total - step) * msPerStep) / 1000 : 0;
  return (
    <section className="panel status" data-testid="status" aria-live="polite">
      <div className="row">
        <span>
          Backend: <strong data-testid="backend">{run.ready?.backend ?? '…'}</strong>
          {run.ready?.wasmThreads ? ` (${run.ready.wasmThreads} threads)` : ''}
          {run.ready?.adapter ? ` (${run.ready.adapter})` : ''}
        </span>
        <span data-testid="run-status">{run.status}</span>
        <span data-testid="progress-step">
          step {step} / {total || '?'}
        </span>
        {last && <span>{Math.round(last.sentencesPerSec)} sentences/s</span>}
        {left > 0 && <span>{Math.ceil(left)} s left</span>}
      </div>
      {total > 0 && <progress max={total} value={step} aria-label="training progress" />}
      {run.ready && run.ready.reasons.length > 0 && (
        <ul data-testid="backend-reasons">
          {run.ready.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
