/**
 * Checks behind the benchmark's claims (run by hand: `npx tsx bench/verify.ts`; ~1 minute):
 *  1. denseMatMul's WASM gradient (src/engine/model/denseMatMul.ts) equals the stock gradient of
 *     tf.fused.matMul on wasm and on cpu.
 *  2. "The same step": with dropout off, the Trainer's first SimCSE step (loss and global gradient
 *     norm) on the bench's model and first batch equals bench/reference/simcse_step.py's on the
 *     same weights and token ids, on cpu and on wasm (with the own kernels of src/engine/kernels
 *     and without them). With dropout on, only the random masks differ.
 * Exits 1 if a check fails.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chooseBackend } from '../src/engine/backend.ts';
import { setWasmKernelsEnabled } from '../src/engine/kernels/index.ts';
import { denseMatMul } from '../src/engine/model/denseMatMul.ts';
import { folderSource } from '../src/engine/node/folderSource.ts';
import * as tf from '../src/engine/tf.ts';
import { Trainer } from '../src/engine/train/trainer.ts';
import {
  BATCHES_FILE,
  BENCH_DIR,
  ensureModelFolder,
  stsbSentences,
  TMP_DIR,
  TRAIN_FILE,
  writeBatches,
} from './prepare.ts';
import { benchExperiment, SHAPES } from './shapes.ts';
import { PYTHON } from './torch.ts';

const require = createRequire(import.meta.url);
const wasmPaths = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
let failed = false;
const check = (what: string, got: number, tol: number) => {
  const ok = got <= tol;
  if (!ok) failed = true;
  process.stdout.write(
    `${ok ? 'ok  ' : 'FAIL'} ${what}: ${got.toExponential(2)} (tolerance ${tol})\n`,
  );
};

// 1. Gradients of x·W + b.
async function gradsOn(backend: 'wasm' | 'cpu', stock: boolean): Promise<Float32Array[]> {
  await chooseBackend(backend, { wasmPaths });
  return tf.tidy(() => {
    const x = tf.randomNormal([300, 40], 0, 1, 'float32', 1) as tf.Tensor2D;
    const w = tf.randomNormal([40, 24], 0, 1, 'float32', 2) as tf.Tensor2D;
    const b = tf.randomNormal([24], 0, 1, 'float32', 3) as tf.Tensor1D;
    const r = tf.randomNormal([300, 24], 0, 1, 'float32', 4);
    const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => {
      const y = stock
        ? tf.fused.matMul({ a: xi as tf.Tensor2D, b: wi as tf.Tensor2D, bias: bi })
        : denseMatMul(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D);
      return tf.sum(tf.mul(y, r));
    };
    return tf
      .grads(f)([x, w, b])
      .map((g) => g.dataSync() as Float32Array);
  });
}
const maxDiff = (a: Float32Array[], b: Float32Array[]) =>
  Math.max(...a.map((t, i) => Math.max(...t.map((v, j) => Math.abs(v - b[i]![j]!)))));
const ours = await gradsOn('wasm', false);
check(
  'denseMatMul gradient on wasm vs stock fused.matMul gradient on wasm (max |Δ|)',
  maxDiff(ours, await gradsOn('wasm', true)),
  1e-3,
);
check(
  'denseMatMul gradient on wasm vs cpu (max |Δ|)',
  maxDiff(ours, await gradsOn('cpu', true)),
  1e-3,
);

// 2. The same step as PyTorch, on cpu and on wasm (with the own kernels, and without them).
const shape = SHAPES.tiny;
const dir = await ensureModelFolder(shape);
await writeBatches(shape, 1, (await stsbSentences()).slice(0, 64));
type StepNumbers = { loss: number; gradNorm?: number } | null;
async function firstStep(backend: 'cpu' | 'wasm', ownKernels: boolean): Promise<StepNumbers> {
  await chooseBackend(backend, { wasmPaths });
  setWasmKernelsEnabled(ownKernels);
  let step: StepNumbers = null;
  const config = benchExperiment(backend, { model: dir, train: TRAIN_FILE });
  (config.encoder as { hiddenDropout: number; attentionDropout: number }).hiddenDropout = 0;
  (config.encoder as { hiddenDropout: number; attentionDropout: number }).attentionDropout = 0;
  const trainer = await Trainer.create(config, {
    runId: 'verify',
    keepBackend: true,
    io: {
      openFile: async (p: string) => new Uint8Array(readFileSync(p)),
      openModel: (p: string) => folderSource(p),
    },
    emit: (e) => {
      if (e.type === 'step') step = e;
    },
  });
  await trainer.trainStep();
  trainer.dispose();
  setWasmKernelsEnabled(true);
  return step;
}
const steps: [string, StepNumbers][] = [
  ['cpu', await firstStep('cpu', false)],
  ['wasm, own kernels (src/engine/kernels)', await firstStep('wasm', true)],
  ['wasm, stock kernels', await firstStep('wasm', false)],
];
const out = join(TMP_DIR, 'verify-torch.json');
const py = spawnSync(
  PYTHON,
  [
    join(BENCH_DIR, 'reference', 'simcse_step.py'),
    '--model',
    dir,
    '--batches',
    BATCHES_FILE,
    '--check',
    '--out',
    out,
  ],
  { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2' } },
);
if (py.status !== 0) throw new Error(`simcse_step.py --check failed: ${py.stderr}`);
const torch = JSON.parse(readFileSync(out, 'utf8')) as { loss: number; gradNorm: number };
for (const [where, ts] of steps) {
  process.stdout.write(
    `TF.js ${where}: loss ${ts?.loss} grad norm ${ts?.gradNorm}; PyTorch: loss ${torch.loss} grad norm ${torch.gradNorm}\n`,
  );
  check(
    `first-step loss, TF.js ${where} vs PyTorch (relative)`,
    Math.abs((ts?.loss ?? Number.NaN) - torch.loss) / torch.loss,
    1e-4,
  );
  check(
    `first-step gradient norm, TF.js ${where} vs PyTorch (relative)`,
    Math.abs((ts?.gradNorm ?? Number.NaN) - torch.gradNorm) / torch.gradNorm,
    1e-3,
  );
}
process.exitCode = failed ? 1 : 0;
