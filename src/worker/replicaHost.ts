/// <reference lib="webworker" />
/**
 * Data-parallel replicas for a training run in the browser: K module Workers (replicaWorker.ts)
 * started from the training Worker, offered to the Trainer as `TrainerHost.replicas`. Replicas of
 * a finished run are kept (idle) for the next run of this page.
 */
import type { FromReplica, ReplicaHost, ReplicaPort } from '../engine/train/parallel/protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const idle: ReplicaPort[] = [];

export function webReplicaHost(): ReplicaHost {
  const cores = self.navigator.hardwareConcurrency || 1;
  if (typeof Worker === 'undefined') {
    return {
      kind: 'Web Workers',
      cores,
      missing: 'this browser cannot start Web Workers from inside a Worker',
    };
  }
  return { kind: 'Web Workers', cores, spawn: () => idle.pop() ?? spawnWorker() };
}

function spawnWorker(): ReplicaPort {
  const worker = new Worker(new URL('./replicaWorker.ts', import.meta.url), {
    type: 'module',
    name: 'cplay-replica',
  });
  let onMessage: ((m: FromReplica) => void) | null = null;
  let onError: ((e: Error) => void) | null = null;
  worker.addEventListener('message', (e: MessageEvent<FromReplica>) => onMessage?.(e.data));
  worker.addEventListener('error', (e: ErrorEvent) => {
    e.preventDefault();
    onError?.(new Error(e.message || 'the replica Worker failed to start'));
  });
  const port: ReplicaPort = {
    post: (message) => worker.postMessage(message),
    onMessage: (h) => {
      onMessage = h;
    },
    onError: (h) => {
      onError = h;
    },
    terminate: () => {
      onMessage = null;
      onError = null;
      worker.terminate();
    },
    release: () => {
      onMessage = null;
      onError = null;
      idle.push(port);
    },
  };
  return port;
}
