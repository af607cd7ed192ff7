/**
 * Data-parallel replicas for Node hosts (cplay, the bench, tests): one worker_thread each
 * (replicaThread.mjs), offered to the Trainer as `TrainerHost.replicas`. With `reuse`, threads of
 * a finished run stay (idle, not holding the process open) for the next run of this host: a
 * thread costs a few seconds to start and to warm up.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FromReplica, ReplicaHost, ReplicaPort } from '../train/parallel/protocol.ts';

const ENTRY = new URL('./replicaThread.mjs', import.meta.url);

export function nodeReplicaHost(opts: { reuse?: boolean } = {}): ReplicaHost {
  const idle: Thread[] = [];
  const keep = opts.reuse ? (t: Thread) => idle.push(t) : null;
  return {
    kind: 'worker_threads',
    cores: availableParallelism(),
    spawn: () => {
      for (let t = idle.pop(); t; t = idle.pop()) if (!t.dead) return t.port;
      return new Thread(keep).port;
    },
  };
}

class Thread {
  readonly port: ReplicaPort;
  dead = false;
  private readonly worker = new Worker(ENTRY);
  private onMessage: ((m: FromReplica) => void) | null = null;
  private onError: ((e: Error) => void) | null = null;
  private stopping = false;

  constructor(keep: ((t: Thread) => void) | null) {
    const w = this.worker;
    // Idle replicas do not keep the process alive; the pool refs a replica while it computes.
    w.unref();
    w.on('message', (m: FromReplica) => this.onMessage?.(m));
    w.on('error', (e: Error) => this.onError?.(e));
    w.on('exit', (code) => {
      this.dead = true;
      if (!this.stopping) this.onError?.(new Error(`its thread exited with code ${code}`));
    });
    const detach = () => {
      this.onMessage = null;
      this.onError = null;
      w.unref();
    };
    this.port = {
      post: (message) => w.postMessage(message),
      onMessage: (h) => {
        this.onMessage = h;
      },
      onError: (h) => {
        this.onError = h;
      },
      ref: () => w.ref(),
      unref: () => w.unref(),
      terminate: () => {
        this.stopping = true;
        detach();
        void w.terminate();
      },
      ...(keep
        ? {
            release: () => {
              detach();
              keep(this);
            },
          }
        : {}),
    };
  }
}
