/**
 * Node cases: each (backend, shape) in its own `node --import tsx bench/node/case.ts` process, so
 * every case starts its backend from nothing (honest time to first step) and a crash or a hang
 * ends one case, not the run.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCaseRequest, BenchCaseResult } from '../../src/worker/bench.ts';
import { BENCH_DIR, TMP_DIR } from '../prepare.ts';

export async function runNodeCase(
  name: string,
  request: BenchCaseRequest,
  timeoutMs: number,
  log: (m: string) => void,
): Promise<BenchCaseResult> {
  const reqFile = join(TMP_DIR, `node-${name}.request.json`);
  const resFile = join(TMP_DIR, `node-${name}.result.json`);
  writeFileSync(reqFile, JSON.stringify(request));
  writeFileSync(resFile, '');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(BENCH_DIR, 'node', 'case.ts'), reqFile, resFile],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let tail = '';
    child.stderr.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        if (line.startsWith('  ')) log(line.trim());
        else if (line.trim()) tail = `${tail}\n${line}`.slice(-2000);
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else {
        // The Emscripten glue prints its whole source with an uncaught error: keep the message lines.
        const lines = tail.split('\n').filter((l) => l.length < 400 && /Error|error/.test(l));
        reject(new Error(`exited with ${code}: ${lines.slice(-2).join(' | ') || 'no message'}`));
      }
    });
  });
  return JSON.parse(readFileSync(resFile, 'utf8')) as BenchCaseResult;
}
