/**
 * One Node case in its own process (a fresh backend, honest start-up times):
 *   node --import tsx bench/node/case.ts REQUEST.json RESULT.json
 * REQUEST.json is a BenchCaseRequest whose config names a model folder path and a training file
 * path; progress goes to stderr, the BenchCaseResult to RESULT.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { installNodeAssetLoader } from '../../src/engine/node/assets.ts';
import { folderSource } from '../../src/engine/node/folderSource.ts';
import { nodeReplicaHost } from '../../src/engine/node/replicaThreads.ts';
import { type BenchCaseRequest, measureCase } from '../../src/worker/bench.ts';

const [requestFile, resultFile] = process.argv.slice(2);
if (!requestFile || !resultFile) throw new Error('usage: case.ts REQUEST.json RESULT.json');
const request = JSON.parse(readFileSync(requestFile, 'utf8')) as BenchCaseRequest;
const threads = request.wasmThreads ?? 0;
installNodeAssetLoader();
const require = createRequire(import.meta.url);
const wasmPaths = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
const result = await measureCase(request, {
  io: {
    openFile: async (p: string) => new Uint8Array(readFileSync(p)),
    openModel: (p: string) => folderSource(p),
  },
  backendOptions: { wasmPaths, ...(threads > 0 ? { wasmThreads: threads } : {}) },
  replicas: nodeReplicaHost(),
  log: (m) => process.stderr.write(`  ${m}\n`),
});
writeFileSync(resultFile, JSON.stringify(result));
