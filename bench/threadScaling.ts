/**
 * How this host's cores scale for two kinds of work, measured beside the data-parallel step so
 * its K-way figure can be read: K worker_threads at once against one alone, each running
 *   - `alu`:    eight independent float multiply-add chains (the execution units, no memory);
 *   - `memory`: sums over a 32 MiB Float32Array (as much as L3 holds here: the memory system);
 *   - `gemm`:   the engine's own WASM SIMD matrix product (kernels/wasmGemm.c, the plain SIMD
 *               build) at a Linear's shape in a bench step, [2048, 128]·[128, 512]: what the
 *               step's products (~70% of it) do, throughput-bound on the vector units.
 * Scaling = K · (time alone) / (slowest time together); K is perfect. A step whose work is
 * memory-bound scales no better than `memory` does here, whatever the design around it. The first
 * two are latency-bound scalar chains: two vCPUs that share a core's vector units (SMT siblings
 * on the host) scale 2× there and not on `gemm`.
 */
import { Worker } from 'node:worker_threads';
import { decodeBase64 } from '../src/engine/kernels/base64.ts';
import { GEMM_SIMD } from '../src/engine/kernels/wasmGemmBinary.ts';

interface Scaling {
  aloneMs: number;
  togetherMs: number[];
  scaling: number;
}

export interface ThreadScaling {
  threads: number;
  alu: Scaling;
  memory: Scaling;
  /** Absent in records before 2026-12-04. */
  gemm?: Scaling;
}

type Kind = 'alu' | 'memory' | 'gemm';

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
function gemm(rounds) {
  const memory = new WebAssembly.Memory({ initial: 160 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(workerData.gemm), { env: { memory } });
  const M = 2048, K = 128, N = 512;
  const a = 1 << 20, b = a + M * K * 4, c = b + K * N * 4, scratch = c + M * N * 4;
  const f = new Float32Array(memory.buffer);
  for (let i = a >> 2; i < c >> 2; i++) f[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  for (let r = 0; r < rounds; r++) inst.exports.gemm_f32(a, b, c, 0, scratch, M, K, N, K, 96);
  return f[c >> 2];
}
const t0 = performance.now();
const out = workerData.kind === 'alu' ? alu(workerData.n) : workerData.kind === 'memory' ? memory(workerData.n) : gemm(workerData.n);
parentPort.postMessage({ ms: performance.now() - t0, out });
`;

const GEMM_BYTES = decodeBase64(GEMM_SIMD);

function runAll(k: number, kind: Kind, n: number): Promise<number[]> {
  return Promise.all(
    Array.from(
      { length: k },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(BODY, {
            eval: true,
            workerData: { kind, n, ...(kind === 'gemm' ? { gemm: GEMM_BYTES } : {}) },
          });
          w.once('message', (m: { ms: number }) => {
            resolve(m.ms);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
}

async function measure(k: number, kind: Kind, n: number, rounds: number): Promise<Scaling> {
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

/** About 8 s in all on this host for k = 2. */
export async function measureThreadScaling(k: number, rounds = 2): Promise<ThreadScaling> {
  return {
    threads: k,
    alu: await measure(k, 'alu', 1e8, rounds),
    memory: await measure(k, 'memory', 12, rounds),
    gemm: await measure(k, 'gemm', 30, rounds),
  };
}
