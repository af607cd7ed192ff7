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
