/**
 * Runs bench/reference/simcse_step.py (Debian's python3 + python3-torch, OpenBLAS with pthreads)
 * on the same model folder and token ids as the TF.js cases.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCaseResult } from '../src/worker/bench.ts';
import { BATCHES_FILE, BENCH_DIR, TMP_DIR } from './prepare.ts';

export const PYTHON = process.env.CPLAY_PYTHON ?? '/usr/bin/python3';
export const TORCH_THREADS = 2;

export interface TorchResult extends Omit<BenchCaseResult, 'profile' | 'memory' | 'tensorGrowth'> {
  torch: string;
  python: string;
  threads: number;
  blas: string;
  importMs: number;
  maxRssBytes: number;
  profile?: { kernelMs: number; kernels: { name: string; ms: number; calls: number }[] };
}

export interface TorchOptions {
  modelDir: string;
  shape: string;
  warmup: number;
  steps: number;
  embedPasses: number;
  /** Embed only the first N batches (the TF.js cases' sentence count). 0: all. */
  embedBatches: number;
  profile: boolean;
  /** torch.set_num_threads and OpenBLAS threads (2: the reference; 1: a single-core reference). */
  threads: number;
  timeoutMs: number;
  log: (m: string) => void;
}

export async function runTorch(o: TorchOptions): Promise<TorchResult> {
  if (!existsSync(PYTHON))
    throw new Error(
      `${PYTHON} not found (set CPLAY_PYTHON): the PyTorch reference needs Debian's python3-torch.`,
    );
  const out = join(TMP_DIR, `torch-${o.shape}-${o.threads}t.json`);
  const args = [
    join(BENCH_DIR, 'reference', 'simcse_step.py'),
    '--model',
    o.modelDir,
    '--batches',
    BATCHES_FILE,
    '--threads',
    String(o.threads),
    '--warmup',
    String(o.warmup),
    '--steps',
    String(o.steps),
    '--embed-passes',
    String(o.embedPasses),
    '--embed-limit',
    String(o.embedBatches),
    '--out',
    out,
    ...(o.profile ? ['--profile'] : []),
  ];
  // The same count for torch's OpenMP pool and for OpenBLAS's own pthread pool (one GEMM at a time).
  const env = {
    ...process.env,
    OMP_NUM_THREADS: String(o.threads),
    OPENBLAS_NUM_THREADS: String(o.threads),
  };
  await new Promise<void>((resolve, reject) => {
    const child = spawn(PYTHON, args, { env, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`PyTorch ${o.shape} timed out after ${Math.round(o.timeoutMs / 1000)} s`));
    }, o.timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `PyTorch ${o.shape} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
    });
  });
  return JSON.parse(readFileSync(out, 'utf8')) as TorchResult;
}
