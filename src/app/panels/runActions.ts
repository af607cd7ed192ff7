/** Starting and resuming runs: the store, the worker and the run's name in one place. */
import type { ExperimentConfig } from '../../engine/config/schema.ts';
import { activePreset } from '../state/presets.ts';
import { useRunStore } from '../state/runStore.ts';
import type { WorkerClient } from '../workerClient.ts';

export function newRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export function runName(config: ExperimentConfig, n: number): string {
  const p = activePreset(config);
  return `${p ? p.title : config.objective.kind} #${n}`;
}

export function startRun(client: WorkerClient, config: ExperimentConfig): string {
  const id = newRunId();
  const { addRun, order } = useRunStore.getState();
  addRun({
    id,
    name: runName(config, order.length + 1),
    config,
    createdAt: Date.now(),
    status: 'loading',
    steps: [],
    evals: [],
    logs: [],
  });
  client.send({ type: 'start', runId: id, config });
  return id;
}

/** Continues a run from its last checkpoint in the worker (weights, optimiser, RNG, batcher). */
export function resumeFromCheckpoint(client: WorkerClient, id: string): void {
  const run = useRunStore.getState().runs[id];
  if (!run) return;
  useRunStore.getState().beginResume(id);
  client.send({ type: 'start', runId: id, config: run.config, resume: true });
}

/**
 * A failure a retry can fix once the network is back: a download that could not start, broke off
 * or was cut short, or a server error (the messages of engine/data/hub.ts and weights/).
 */
export function isNetworkFailure(message: string): boolean {
  return /Could not reach|broke off|stopped after \d+ of|failed with HTTP 5\d\d|answered HTTP 5\d\d|Failed to fetch|network ?error/i.test(
    message,
  );
}

/** Starts a failed run again under the same id: from its checkpoint when it has one. */
export function retryRun(client: WorkerClient, id: string): void {
  const run = useRunStore.getState().runs[id];
  if (!run) return;
  if ((run.checkpointStep ?? 0) > 0) {
    resumeFromCheckpoint(client, id);
    return;
  }
  useRunStore.getState().beginResume(id);
  client.send({ type: 'start', runId: id, config: run.config });
}
