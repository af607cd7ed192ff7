/**
 * Runs bench/reference/quality_train.py (Debian's python3 + python3-torch) on a prepared job.
 * One thread for torch and OpenBLAS: it runs beside the engine's (single-thread WASM) run.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from '../prepare.ts';
import { PYTHON } from '../torch.ts';
import type { SideResult } from './ours.ts';
import type { PreparedRun } from './prepare.ts';

export interface TorchResult extends SideResult {
  torch: string;
  threads: number;
  lexical: Record<string, { bagOfWords: number; tfidf: number }>;
  evalMs: number;
}

export const QUALITY_TORCH_THREADS = 1;

export async function runTorchQuality(p: PreparedRun, timeoutMs: number): Promise<TorchResult> {
  if (!existsSync(PYTHON))
    throw new Error(
      `${PYTHON} not found (set CPLAY_PYTHON): the PyTorch reference needs Debian's python3-torch.`,
    );
  const out = join(p.dir, 'torch-result.json');
  const threads = String(QUALITY_TORCH_THREADS);
  const args = [
    join(BENCH_DIR, 'reference', 'quality_train.py'),
    '--job',
    p.jobFile,
    '--out',
    out,
    '--threads',
    threads,
  ];
  const env = { ...process.env, OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads };
  await new Promise<void>((resolve, reject) => {
    const child = spawn(PYTHON, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = `${stderr}${d.toString()}`.slice(-4000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`PyTorch timed out after ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `PyTorch exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
    });
  });
  return JSON.parse(readFileSync(out, 'utf8')) as TorchResult;
}
