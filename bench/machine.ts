/**
 * The machine a benchmark ran on, and how busy it was: the numbers mean little without it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './prepare.ts';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  tfjs: string;
  chromium?: string;
  torch?: string;
  python?: string;
  blas?: string;
  /** 1-minute load average at the start and the end of the run (cores busy, all processes). */
  loadStart: number[];
  loadEnd?: number[];
  freeMemoryGiB: number;
}

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(
      readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8'),
    );
    return String(pkg.version);
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  const list = cpus();
  let os = `${platform()} ${release()}`;
  try {
    const pretty = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty) os = `${pretty[1]} (${os})`;
  } catch {
    // not Linux: keep the kernel string
  }
  return {
    cpu: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os,
    node: process.version,
    tfjs: packageVersion('@tensorflow/tfjs-core'),
    loadStart: loadavg().map((x) => Math.round(x * 100) / 100),
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
  };
}

export function chromiumVersion(executable: string): string | undefined {
  try {
    return execFileSync(executable, ['--version'], { encoding: 'utf8', timeout: 20_000 }).trim();
  } catch {
    return undefined;
  }
}

export function load1(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}
