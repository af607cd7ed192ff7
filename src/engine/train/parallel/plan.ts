/**
 * How many replicas a run uses, and what to tell the user about it. `workers: null` means one per
 * core the host reports (with at least MIN_AUTO_SHARD sentences each); a run falls back to one worker (and says why, when it was asked for more
 * or the host could have given more) where replicas cannot work.
 */
import type { ExperimentConfig } from '../../config/schema.ts';
import { planChunks } from '../step.ts';
import type { ReplicaHost } from './protocol.ts';

/**
 * `workers: null` gives each replica at least this many sentences of a batch: below it the
 * per-replica costs (copying the weights in and the gradients out, P floats each) outweigh the
 * compute saved (docs/benchmarks.md, "Data-parallel scaling"). An explicit count is honoured.
 */
export const MIN_AUTO_SHARD = 8;

export interface WorkersDecision {
  workers: number;
  notes: { level: 'info' | 'warn'; message: string }[];
}

export function resolveWorkers(
  config: ExperimentConfig,
  host: ReplicaHost | undefined,
  backend: string,
): WorkersDecision {
  const asked = config.workers;
  const cores = host?.cores ?? 1;
  const wanted =
    asked ?? Math.min(cores, Math.max(1, Math.floor(config.batchSize / MIN_AUTO_SHARD)));
  if (wanted <= 1) return { workers: 1, notes: [] };
  const one = (message: string, level: 'info' | 'warn' = asked ? 'warn' : 'info') => ({
    workers: 1,
    notes: [{ level, message: `${message} Training on one worker.` }],
  });
  const want = `workers: ${asked ?? `null (${cores} cores)`}`;
  if (!host) {
    // A host that offers no replicas at all (tests, the bench's own cases) is quiet unless asked.
    return asked ? one(`${want}, but this host starts no replicas.`) : { workers: 1, notes: [] };
  }
  if (!host.spawn) return one(`${want}, but ${host.missing ?? `${host.kind} cannot start here`}.`);
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean };
  if (typeof g.SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) {
    return one(
      `${want}, but SharedArrayBuffer is missing here (the page is not cross-origin isolated), so replicas cannot share their gradients.`,
    );
  }
  if (backend !== 'wasm' && backend !== 'cpu')
    return one(`${want}: replicas run on WASM or CPU, and this run trains on ${backend}.`, 'info');
  if (config.objective.queue) {
    return one(
      `${want}: the negative queue (objective.queue) needs each step's embeddings in one place.`,
    );
  }
  const plan = planChunks(config, config.batchSize, wanted);
  const workers = Math.min(wanted, plan.chunks);
  const B = config.batchSize;
  const used = planChunks(config, B, workers);
  const how = config.gradCache
    ? `the ${used.chunks} GradCache chunks of ${used.chunkSize} rows are shared out among them`
    : `each step's ${B} rows are cut into ${used.chunks} shards of ${used.chunkSize} with dropout masks drawn per shard (the same step as gradCache.chunkSize ${used.chunkSize} on one worker)`;
  const capped =
    workers < wanted ? ` (${wanted} asked; a batch of ${plan.chunks} chunks gives no more)` : '';
  return {
    workers,
    notes: [
      {
        level: 'info',
        message: `Data-parallel: ${workers} replicas${capped} in ${host.kind} on ${backend}; ${how}.`,
      },
    ],
  };
}
