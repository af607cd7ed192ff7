/// <reference lib="webworker" />
/**
 * A data-parallel replica in the browser: a module Worker started by the training Worker
 * (replicaHost.ts). It only computes its shard of each step (src/engine/train/parallel/replica.ts);
 * the weights, the gradients and the representations it shares travel in SharedArrayBuffers, so
 * the page must be cross-origin isolated (vite.config.ts serves COOP + COEP).
 */

import type { ToReplica } from '../engine/train/parallel/protocol.ts';
import { serveReplica } from '../engine/train/parallel/replica.ts';

declare const self: DedicatedWorkerGlobalScope;

serveReplica({
  post: (message) => self.postMessage(message),
  onMessage: (handler) =>
    self.addEventListener('message', (e: MessageEvent<ToReplica>) => handler(e.data)),
});
