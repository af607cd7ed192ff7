/**
 * The own WASM GEMM (src/engine/kernels/wasmGemm.ts) against tfjs-backend-wasm's XNNPACK path, in
 * one Node process, modes interleaved so that drift in the machine's speed falls on all of them:
 *
 *   npx tsx bench/wasmGemm.ts [--shape tiny|mini] [--rounds N] [--steps N] [--modes off,simd,relaxed]
 *
 * Part 1, the products alone: tf.matMul / tf.fused.matMul at the shapes a bench step multiplies
 * (batch 64 twice × 32 tokens = 4,096 rows; the Linear forward, dx = dy·Wᵀ and [xᵀ; 1]·dy), GMAC/s
 * per mode (best of the rounds). Part 2, the bench's training step (bench/shapes.ts: unsupervised
 * SimCSE, batch 64, AdamW, one worker): median ms per mode over `rounds` × `steps` timed steps,
 * each round running every mode after one untimed step. Prints one JSON object. Not part of
 * `npm test`; docs/benchmarks.md says what it measured.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseFlags } from '../cli/args.ts';
import {
  setWasmGemmMode,
  type WasmGemmMode,
  wasmGemmVariant,
} from '../src/engine/kernels/wasmGemm.ts';
import { installNodeAssetLoader } from '../src/engine/node/assets.ts';
import { folderSource } from '../src/engine/node/folderSource.ts';
import * as tf from '../src/engine/tf.ts';
import { Trainer } from '../src/engine/train/trainer.ts';
import { ensureModelFolder, TRAIN_FILE } from './prepare.ts';
import { benchExperiment, SHAPES, type Shape } from './shapes.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function productShapes(
  s: Shape,
): { name: string; M: number; K: number; N: number; bias: boolean }[] {
  const rows = 4096;
  const H = s.hidden;
  const I = s.intermediate;
  return [
    { name: 'Q/K/V/O forward', M: rows, K: H, N: H, bias: true },
    { name: 'FFN in forward', M: rows, K: H, N: I, bias: true },
    { name: 'FFN out forward', M: rows, K: I, N: H, bias: true },
    { name: 'dx of FFN in (dy·Wᵀ)', M: rows, K: I, N: H, bias: false },
    { name: 'dW of FFN in ([xᵀ;1]·dy)', M: H + 1, K: rows, N: I, bias: false },
    { name: 'dW of FFN out', M: I + 1, K: rows, N: H, bias: false },
    { name: 'dW of Q/K/V/O', M: H + 1, K: rows, N: H, bias: false },
  ];
}

async function main() {
  const flags = parseFlags(process.argv.slice(2), {
    shape: 'string',
    rounds: 'string',
    steps: 'string',
    modes: 'string',
  });
  const shape = SHAPES[(flags.string('shape') ?? 'tiny') as Shape['name']];
  if (!shape) throw new Error(`--shape: one of ${Object.keys(SHAPES).join(', ')}`);
  const rounds = flags.number('rounds') ?? 3;
  const steps = flags.number('steps') ?? 3;
  const modes = (flags.string('modes') ?? 'off,simd,relaxed').split(',') as WasmGemmMode[];
  for (const m of modes)
    if (!['off', 'simd', 'relaxed', 'auto'].includes(m))
      throw new Error(`--modes: off, simd, relaxed or auto, got "${m}"`);
  installNodeAssetLoader();
  const require = createRequire(import.meta.url);
  const wasmPaths = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
  const modelFolder = await ensureModelFolder(shape);
  const load0 = loadavg()[0]!;
  const trainer = await Trainer.create(
    { ...benchExperiment('wasm', { model: modelFolder, train: TRAIN_FILE }), workers: 1 },
    {
      emit: () => {},
      runId: 'gemm-bench',
      backendOptions: { wasmPaths },
      io: {
        openFile: async (p: string) => new Uint8Array(readFileSync(p)),
        openModel: (p: string) => folderSource(p),
      },
    },
  );
  const variantOf: Record<string, string | null> = {};
  for (const m of modes) {
    setWasmGemmMode(m);
    variantOf[m] = wasmGemmVariant();
  }

  // Part 1: the products.
  const products: Record<string, Record<string, number>> = {};
  for (const p of productShapes(shape)) {
    const a = tf.randomUniform([p.M, p.K], -1, 1, 'float32', 1);
    const b = tf.randomUniform([p.K, p.N], -1, 1, 'float32', 2);
    const bias = p.bias ? tf.randomUniform([p.N], -1, 1, 'float32', 3) : undefined;
    const row: Record<string, number> = {};
    for (let r = 0; r < rounds; r++) {
      for (const m of modes) {
        setWasmGemmMode(m);
        const run = () => (bias ? tf.fused.matMul({ a, b, bias }) : tf.matMul(a, b));
        run().dispose();
        const t0 = performance.now();
        for (let i = 0; i < 3; i++) run().dispose();
        const ms = (performance.now() - t0) / 3;
        row[m] = Math.max(row[m] ?? 0, (p.M * p.K * p.N) / ms / 1e6);
      }
    }
    products[`${p.name} [${p.M},${p.K}]·[${p.K},${p.N}]`] = row;
    tf.dispose([a, b, ...(bias ? [bias] : [])]);
    process.stderr.write(
      `  ${p.name}: ${modes.map((m) => `${m} ${row[m]!.toFixed(1)}`).join(', ')} GMAC/s\n`,
    );
  }

  // Part 2: the step.
  const stepMs: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
  for (let r = 0; r < rounds; r++) {
    for (const m of modes) {
      setWasmGemmMode(m);
      await trainer.trainStep(); // untimed: the first step after a switch
      for (let i = 0; i < steps; i++) {
        const t0 = performance.now();
        if (!(await trainer.trainStep())) throw new Error('the step diverged');
        stepMs[m]!.push(performance.now() - t0);
      }
    }
    process.stderr.write(`  round ${r + 1}/${rounds} done\n`);
  }
  setWasmGemmMode('auto');
  trainer.dispose();
  const medians = Object.fromEntries(modes.map((m) => [m, median(stepMs[m]!)]));
  const out = {
    date: new Date().toISOString(),
    shape: shape.name,
    node: process.version,
    load1: [load0, loadavg()[0]],
    variants: variantOf,
    productsGmacPerSec: products,
    stepMs,
    stepMedianMs: medians,
    speedupOverOff: Object.fromEntries(
      modes.map((m) => [m, medians.off ? medians.off / medians[m]! : null]),
    ),
  };
  console.log(JSON.stringify(out, null, 2));
}

await main();
