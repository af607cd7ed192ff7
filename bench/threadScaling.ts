/**
 * How this host's cores scale for two kinds of work, measured beside the data-parallel step so
 * its K-way figure can be read: K worker_threads at once against one alone, each running
 *   - `alu`:    eight independent float multiply-add chains (the execution units, no memory);
 *   - `memory`: sums over a 32 MiB Float32Array (as much as L3 holds here: the memory system).
 * Scaling = K · (time alone) / (slowest time together); K is perfect. A step whose work is
 * memory-bound scales no better than `memory` does here, whatever the design around it.
 */
import { Worker } from 'node:worker_threads';

export interface ThreadScaling {
  threads: number;
  alu: { aloneMs: number; togetherMs: number[]; scaling: number };
  memory: { aloneMs: number; togetherMs: number[]; scaling: number };
}

// Runs in each worker (eval'd): one kind of work, then posts its wall time.
const BODY = `
const { parentPort, workerData } = require('node:worker_threads');
function alu(n) {
  let a = 1.0001, b = 1.0002, c = 1.0003, d = 1.0004, e = 1.0005, f = 1.0006, g = 1.0007, h = 1.0008;
  const m = 0.99999999, k = 1e-9;
  for (let i = 0; i < n; i++) { a = a*m+k; b = b*m+k; c = c*m+k; d = d*m+k; e = e*m+k; f = f*m+k; g = g*m+k; h = h*m+k; }
  return a + b + c + d + e + f + g + h;
}
function memory(rounds) {
  const buf = new Float32Array(8 << 20).fill(1);
  let s = 0;
  for (let r = 0; r < rounds; r++) for (let i = 0; i < buf.length; i++) s += buf[i];
  return s;
}
const t0 = performance.now();
const out = workerData.kind === 'alu' ? alu(workerData.n) : memory(workerData.n);
parentPort.postMessage({ ms: performance.now() - t0, out });
`;

function runAll(k: number, kind: 'alu' | 'memory', n: number): Promise<number[]> {
  return Promise.all(
    Array.from(
      { length: k },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(BODY, { eval: true, workerData: { kind, n } });
          w.once('message', (m: { ms: number }) => {
            resolve(m.ms);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
}

async function measure(k: number, kind: 'alu' | 'memory', n: number, rounds: number) {
  // Alone and together alternate, so that drift in the host's speed falls on both; best of each.
  let alone = Infinity;
  let together: number[] = [];
  for (let r = 0; r < rounds; r++) {
    alone = Math.min(alone, (await runAll(1, kind, n))[0]!);
    const t = await runAll(k, kind, n);
    if (!together.length || Math.max(...t) < Math.max(...together)) together = t;
  }
  return { aloneMs: alone, togetherMs: together, scaling: (k * alone) / Math.max(...together) };
}

/** About 5 s in all on this host for k = 2. */
export async function measureThreadScaling(k: number, rounds = 2): Promise<ThreadScaling> {
  return {
    threads: k,
    alu: await measure(k, 'alu', 1e8, rounds),
    memory: await measure(k, 'memory', 12, rounds),
  };
}
