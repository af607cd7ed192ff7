/**
 * The fused GELU and LayerNorm kernels (src/engine/kernels/gelu.ts, layerNorm.ts) against the tf
 * ops they replace, on the wasm backend in one Node process, interleaved so that drift in the
 * machine's speed falls on both:
 *
 *   npx tsx bench/fusedKernels.ts [--rounds N]
 *
 * Each case is one forward and its gradient (tf.grads of Σ y·dy, so the forward runs twice: once
 * for y and once on the tape) at the bench step's shapes (bert-tiny, batch 64 twice × 32 tokens
 * = 4,096 rows): GELU on the FFN's [4096, 512], LayerNorm on [4096, 128]. Median ms per path over
 * the rounds (the first two dropped). Prints one JSON object. Not part of `npm test`;
 * docs/benchmarks.md says what it measured.
 */
import { loadavg } from 'node:os';
import { parseFlags } from '../cli/args.ts';
import { geluErf, geluOps } from '../src/engine/kernels/gelu.ts';
import { layerNorm, layerNormOps } from '../src/engine/kernels/layerNorm.ts';
import { wasmKernelsReady } from '../src/engine/kernels/wasmKernels.ts';
import * as tf from '../src/engine/tf.ts';
import { useNodeWasmBackend as startWasm } from '../tests/helpers/backends.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const flags = parseFlags(process.argv.slice(2), { rounds: 'string' });
const rounds = Math.max(3, flags.number('rounds') ?? 12);

await startWasm();
if (!wasmKernelsReady()) throw new Error('the own wasm kernels did not load');
const ROWS = 4096;

type Case = { name: string; paths: Record<'fused' | 'ops', () => void> };
const gelu = (() => {
  const x = tf.randomNormal([ROWS, 512]);
  const dy = tf.randomNormal([ROWS, 512]);
  const run = (f: (t: tf.Tensor) => tf.Tensor) => () =>
    tf.tidy(() => {
      f(x).dataSync();
      tf.grad((t: tf.Tensor) => f(t))(x, dy).dataSync();
    });
  return { name: 'GELU [4096, 512]', paths: { fused: run(geluErf), ops: run(geluOps) } };
})();
const ln = (() => {
  const x = tf.randomNormal([ROWS, 128]);
  const dy = tf.randomNormal([ROWS, 128]);
  const w = tf.randomUniform([128], 0.5, 1.5);
  const b = tf.randomUniform([128], -0.3, 0.3);
  const run = (f: typeof layerNorm) => () =>
    tf.tidy(() => {
      f(x, w, b, 1e-12).dataSync();
      const g = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => f(a, c, d, 1e-12))(
        [x, w, b],
        dy,
      );
      for (const t of g) t.dataSync();
    });
  return {
    name: 'LayerNorm [4096, 128]',
    paths: { fused: run(layerNorm), ops: run(layerNormOps) },
  };
})();

const cases: Case[] = [gelu, ln];
const times = cases.map(() => ({ fused: [] as number[], ops: [] as number[] }));
for (let r = 0; r < rounds; r++)
  cases.forEach((c, i) => {
    for (const path of ['fused', 'ops'] as const) {
      const t0 = performance.now();
      c.paths[path]();
      times[i]![path].push(performance.now() - t0);
    }
  });
const result = {
  date: new Date().toISOString(),
  load1: loadavg()[0],
  rounds,
  cases: cases.map((c, i) => {
    const fused = median(times[i]!.fused.slice(2));
    const ops = median(times[i]!.ops.slice(2));
    process.stderr.write(
      `  ${c.name}: fused ${fused.toFixed(1)} ms, tf ops ${ops.toFixed(1)} ms\n`,
    );
    return { name: c.name, fusedMs: fused, opsMs: ops, speedup: ops / fused };
  }),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
