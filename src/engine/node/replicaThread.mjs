// A data-parallel replica in a worker_thread (src/engine/train/parallel/replica.ts). A plain .mjs
// entry so that any host can start it (vitest, tsx, cplay): it loads the TypeScript through tsx.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serveReplica } = await import('../train/parallel/replica.ts');
serveReplica({
  post: (message) => parentPort.postMessage(message),
  onMessage: (handler) => parentPort.on('message', handler),
});
