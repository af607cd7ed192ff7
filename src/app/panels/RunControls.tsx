import { useClient } from '../clientContext.ts';
import { useConfigStore } from '../state/configStore.ts';
import { errorAdvice, errorPlace, shorten } from '../state/errorPlacement.ts';
import { canResumeFromCheckpoint, isLive } from '../state/runRecord.ts';
import { useRunStore } from '../state/runStore.ts';
import { isNetworkFailure, resumeFromCheckpoint, retryRun, startRun } from './runActions.ts';

const WHERE: Record<string, string> = {
  'encoder.source': 'Encoder',
  'data.train': 'Data → training set',
  'data.eval': 'Data → evaluation set',
  augment: 'Views',
  objective: 'Objective',
  optimizer: 'Optimiser',
  backend: 'Optimiser → backend',
};

/** Start / Pause / Resume / Step / Stop / Reset, and the run's error in plain words. */
export function RunControls() {
  const client = useClient();
  const config = useConfigStore((s) => s.config);
  const issues = useConfigStore((s) => s.issues);
  const activeId = useRunStore((s) => s.activeId);
  const run = useRunStore((s) => (s.activeId ? s.runs[s.activeId] : undefined));
  const setActive = useRunStore((s) => s.setActive);
  const status = run?.status ?? 'idle';
  const busy = isLive(status);
  const resumable = run ? canResumeFromCheckpoint(run) : false;
  const place = run?.error ? errorPlace(run.error) : null;
  // A download that failed (the network went away): Retry starts the run again as it was.
  const retryable = status === 'failed' && run?.error ? isNetworkFailure(run.error.message) : false;

  const start = () => {
    if (client && config) startRun(client, config);
  };
  const resume = () => {
    if (!client || !run) return;
    if (status === 'paused') client.send({ type: 'resume' });
    else if (resumable) resumeFromCheckpoint(client, run.id);
  };
  const reset = () => {
    if (busy) client?.send({ type: 'stop' });
    setActive(null);
  };

  return (
    <section className="panel run-controls" aria-labelledby="run-h">
      <h2 id="run-h">Run</h2>
      <div className="row buttons">
        <button
          type="button"
          className="primary"
          data-testid="start"
          disabled={!client || busy || !config}
          onClick={start}
        >
          Start
        </button>
        <button
          type="button"
          data-testid="pause"
          disabled={status !== 'running'}
          onClick={() => client?.send({ type: 'pause' })}
        >
          Pause
        </button>
        <button
          type="button"
          data-testid="resume"
          disabled={status !== 'paused' && !resumable}
          title={
            resumable ? `Continue from the checkpoint at step ${run?.checkpointStep}` : undefined
          }
          onClick={resume}
        >
          Resume
        </button>
        {retryable && (
          <button
            type="button"
            data-testid="retry"
            title="Start this run again with the same settings (the downloads are tried again)"
            onClick={() => client && run && retryRun(client, run.id)}
          >
            Retry
          </button>
        )}
        <button
          type="button"
          data-testid="step"
          disabled={status !== 'paused'}
          onClick={() => client?.send({ type: 'step' })}
        >
          Step
        </button>
        <button
          type="button"
          data-testid="stop"
          disabled={!busy}
          onClick={() => client?.send({ type: 'stop' })}
        >
          Stop
        </button>
        <button
          type="button"
          data-testid="reset"
          disabled={!activeId}
          title="Stop, and clear the charts for a fresh start (the run stays in the list)"
          onClick={reset}
        >
          Reset
        </button>
      </div>
      {!config && issues.length > 0 && (
        <p className="error" role="alert" data-testid="config-invalid">
          Fix the highlighted settings to start:{' '}
          {issues.map((i) => `${i.path || 'config'}: ${i.message}`).join('; ')}
        </p>
      )}
      {run && status === 'interrupted' && (
        <p className="note" data-testid="interrupted">
          {/* A run whose worker died carries that error; otherwise the page went away. */}
          This run was interrupted{run.error ? '' : ' when the page closed'}
          {resumable
            ? `. Resume continues from its checkpoint at step ${run.checkpointStep}.`
            : ', before its first checkpoint.'}
        </p>
      )}
      {activeId && run?.error && (
        <p className="error" role="alert" data-testid="run-error">
          {place && place !== 'run' && WHERE[place]
            ? `${shorten(run.error.message)} (see ${WHERE[place]})`
            : `${run.error.message}${errorAdvice(run.error) ? ` ${errorAdvice(run.error)}` : ''}`}
        </p>
      )}
    </section>
  );
}
