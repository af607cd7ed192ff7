import { BACKEND_PREFS, type ExperimentConfig } from '../../engine/config/schema.ts';
import { useRunStore } from '../state/runStore.ts';
import type { WorkerClient } from '../workerClient.ts';

interface Props {
  client: WorkerClient | null;
  config: ExperimentConfig;
  update(next: ExperimentConfig): void;
}

function newRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Start / Pause / Resume / Step / Stop, the backend choice and the step budget. */
export function RunControls({ client, config, update }: Props) {
  const activeId = useRunStore((s) => s.activeId);
  const run = useRunStore((s) => (s.activeId ? s.runs[s.activeId] : undefined));
  const addRun = useRunStore((s) => s.addRun);
  const status = run?.status ?? 'idle';
  const busy = status === 'running' || status === 'loading' || status === 'paused';

  const start = () => {
    if (!client) return;
    const id = newRunId();
    addRun({
      id,
      name: `${config.objective.kind} #${useRunStore.getState().order.length + 1}`,
      config,
      createdAt: Date.now(),
      status: 'loading',
      steps: [],
      evals: [],
      logs: [],
    });
    client.send({ type: 'start', runId: id, config });
  };

  return (
    <section className="panel" aria-labelledby="run-h">
      <h2 id="run-h">Run</h2>
      <label className="field">
        Backend
        <select
          data-testid="backend-select"
          value={config.backend}
          onChange={(e) => update({ ...config, backend: e.target.value as ExperimentConfig['backend'] })}
        >
          {BACKEND_PREFS.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        Steps
        <input
          type="number"
          min={1}
          value={config.maxSteps ?? ''}
          onChange={(e) => update({ ...config, maxSteps: Math.max(1, Number(e.target.value) || 1) })}
        />
      </label>
      <div className="row">
        <button type="button" className="primary" data-testid="start" disabled={!client || busy} onClick={start}>
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
          disabled={status !== 'paused'}
          onClick={() => client?.send({ type: 'resume' })}
        >
          Resume
        </button>
        <button
          type="button"
          data-testid="step"
          disabled={status !== 'paused'}
          onClick={() => client?.send({ type: 'step' })}
        >
          Step
        </button>
        <button type="button" data-testid="stop" disabled={!busy} onClick={() => client?.send({ type: 'stop' })}>
          Stop
        </button>
      </div>
      {activeId && run?.error && (
        <p className="error" role="alert" data-testid="run-error">
          {run.error.message}
        </p>
      )}
    </section>
  );
}
