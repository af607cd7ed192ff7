/**
 * Data-parallel scaling in Node (issue 12): the bench's step (bert-tiny, unsupervised SimCSE,
 * batch 64, AdamW; bench/shapes.ts) on K = 1, 2, … replicas in worker_threads, and where a K-replica
 * step's time goes (compute, waiting, copying weights and gradients, summing, the update).
 *
 *   npx tsx bench/dataParallel.ts [--workers 1,2] [--shape tiny|mini] [--backend wasm|cpu]
 *                                 [--warmup N] [--steps N] [--no-ceiling]
 *
 * Prints one JSON object (per K: step ms median, sentences/s, the breakdown) and the measured
 * model T(K) = serial + compute/K + communication(K) evaluated at K = 1…8, and the machine's
 * ceiling: K independent one-worker processes timed at once against one alone (what any K-way
 * split could reach here, with nothing shared). Not part of
 * `npm test`; docs/benchmarks.md ("Data-parallel scaling") says how to read it.
 */

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseFlags } from '../cli/args.ts';
import { installNodeAssetLoader } from '../src/engine/node/assets.ts';
import { folderSource } from '../src/engine/node/folderSource.ts';
import { nodeReplicaHost } from '../src/engine/node/replicaThreads.ts';
import type { PoolTimings } from '../src/engine/train/parallel/protocol.ts';
import { Trainer } from '../src/engine/train/trainer.ts';
import { ensureModelFolder, TRAIN_FILE } from './prepare.ts';
import { BATCH_SIZE, benchExperiment, SHAPES, type Shape } from './shapes.ts';
import { measureThreadScaling, type ThreadScaling } from './threadScaling.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface Measured {
  workers: number;
  stepMs: number;
  sentencesPerSec: number;
  loss: number[];
  /** Medians over the timed steps, ms (K > 1). */
  breakdown?: Record<string, number>;
}

export interface ScalingOptions {
  workers: number[];
  shape: Shape;
  backend: 'wasm' | 'cpu';
  warmup: number;
  steps: number;
  log?: (m: string) => void;
  /** Also time K independent one-worker processes at once (default true). */
  ceiling?: boolean;
}

export interface ScalingResult {
  shape: string;
  backend: string;
  parameters: number;
  wasmThreads: number | null;
  cores: number;
  load1: number;
  warmup: number;
  timed: number;
  results: Measured[];
  /** T(K) = serial + compute/K + copies + reduce(K), fitted on the measured K = 1 and K > 1. */
  model: Record<string, unknown> | null;
  /**
   * What the machine allows: K independent one-worker runs (separate processes, nothing shared,
   * nothing exchanged) timed at once, against one alone. Their summed throughput over one run's
   * is the most any K-way data-parallel step can reach here (absent when not measured).
   */
  ceiling?: Ceiling[];
  /** How K threads scale here on ALU-bound and on memory-bound work (threadScaling.ts). */
  threads?: ThreadScaling;
}

export interface Ceiling {
  processes: number;
  /**
   * Sentences per step in each of the K processes: the whole batch (each does a whole step: the
   * cores' throughput) or ⌈B/K⌉ (each does what one replica does: the bound on this split, since
   * a replica's half batch can contend for caches and memory differently from a whole one).
   * Absent in older records: the whole batch.
   */
  batchPerProcess?: number;
  /** Median step of each process while all ran at once, ms. */
  stepMs: number[];
  /** The one-process step, measured the same way just before, ms. */
  aloneMs: number;
  /** Σ throughput (sentences/s) of the K processes ÷ one whole-batch process alone. */
  speedup: number;
}

/** The bench's step on K = 1, 2, … replicas (each K a fresh Trainer), and the scaling model. */
export async function measureDataParallel(o: ScalingOptions): Promise<ScalingResult> {
  const log = o.log ?? ((m: string) => process.stderr.write(`  ${m}\n`));
  const { shape, backend, warmup } = o;
  const timed = o.steps;
  installNodeAssetLoader();
  const require = createRequire(import.meta.url);
  const wasmPaths = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
  const modelFolder = await ensureModelFolder(shape);
  const host = nodeReplicaHost();
  const results: Measured[] = [];
  let parameters = 0;
  /** The coordinator's WASM threads (the K = 1 step's; replicas run one each). */
  let wasmThreads: number | null = null;
  for (const K of o.workers) {
    const config = {
      ...benchExperiment(backend, { model: modelFolder, train: TRAIN_FILE }),
      workers: K,
    };
    const trainer = await Trainer.create(config, {
      emit: (e) => {
        if (e.type === 'log') log(e.message);
        if (e.type === 'ready') {
          parameters = e.parameters;
          wasmThreads = e.wasmThreads ?? null;
        }
      },
      runId: 'dp-bench',
      backendOptions: { wasmPaths },
      io: {
        openFile: async (p: string) => new Uint8Array(readFileSync(p)),
        openModel: (p: string) => folderSource(p),
      },
      replicas: host,
    });
    if (trainer.workers !== K) throw new Error(`asked for ${K} workers, got ${trainer.workers}`);
    const ms: number[] = [];
    const timings: PoolTimings[] = [];
    const losses: number[] = [];
    for (let i = 0; i < warmup + timed; i++) {
      const t0 = performance.now();
      if (!(await trainer.trainStep())) throw new Error('the step diverged');
      const dt = performance.now() - t0;
      if (i < warmup) continue;
      ms.push(dt);
      losses.push(trainer.stepEvents.at(-1)!.loss);
      if (trainer.parallelTimings) timings.push(trainer.parallelTimings);
    }
    const stepMs = median(ms);
    const m: Measured = {
      workers: K,
      stepMs,
      sentencesPerSec: ((config.batchSize ?? 64) * 1000) / stepMs,
      loss: losses,
    };
    if (timings.length) {
      const slowest = (f: (r: PoolTimings['replicas'][number]) => number) =>
        median(timings.map((t) => Math.max(...t.replicas.map(f))));
      const compute = median(
        timings.map((t) => Math.max(...t.replicas.map((r) => r.forward + r.backward))),
      );
      m.breakdown = {
        weightsOut: median(timings.map((t) => t.weightsOut)),
        // Each replica tokenises its own chunks (0 in records before it did).
        tokenise: slowest((r) => r.tokenise ?? 0),
        copyIn: slowest((r) => r.copyIn),
        compute,
        wait: slowest((r) => r.wait),
        writeOut: slowest((r) => r.writeOut),
        reduce: slowest((r) => r.reduce),
        // The sharded Adam update (its table rows, the norm exchange, its share): 0 without it.
        update: slowest((r) => r.update ?? 0),
        round: median(timings.map((t) => t.round)),
        sum: median(timings.map((t) => t.sum)),
        coordinator: stepMs - median(timings.map((t) => t.weightsOut + t.round + t.sum)),
      };
    }
    results.push(m);
    log(`K=${K}: ${stepMs.toFixed(0)} ms/step`);
    trainer.dispose();
  }

  // The model: T(K) = serial + compute/K + copies + reduce(K). `serial` is the coordinator's own
  // work (tokenising, clipping, the update, events); `compute` the K = 1 step less that; `copies`
  // the weights out and in and the gradients out and back into tensors, each P floats, done once per
  // replica in parallel (so flat in K while memory bandwidth holds); reduce(K) = (K−1)/K · P adds per
  // replica, measured at this K. Waiting at the barriers is load imbalance, left out of the model.
  const one = results.find((r) => r.workers === 1);
  const many = results.find((r) => r.workers > 1 && r.breakdown);
  let model: Record<string, unknown> | null = null;
  if (one && many?.breakdown) {
    const b = many.breakdown;
    const K = many.workers;
    const serial = b.coordinator!;
    const compute = one.stepMs - serial;
    const copies = b.weightsOut! + b.copyIn! + b.writeOut! + b.sum!;
    const addMs = b.reduce! / ((K - 1) / K); // all P parameters' adds on one replica
    const predict = (k: number) =>
      k === 1 ? one.stepMs : serial + compute / k + copies + (addMs * (k - 1)) / k;
    model = {
      serialMs: serial,
      computeMs: compute,
      copiesMs: copies,
      reduceAllMs: addMs,
      predicted: Object.fromEntries(
        [1, 2, 4, 8].map((k) => [k, { stepMs: predict(k), speedup: one.stepMs / predict(k) }]),
      ),
    };
  }
  const ceiling: Ceiling[] = [];
  const most = Math.max(...o.workers);
  if (o.ceiling !== false && most > 1) {
    const batch = BATCH_SIZE;
    const alone = await independentRuns(1, o, batch);
    for (const per of [batch, Math.ceil(batch / most)]) {
      const together = await independentRuns(most, o, per);
      const c: Ceiling = {
        processes: most,
        batchPerProcess: per,
        stepMs: together,
        aloneMs: alone[0]!,
        speedup: together.reduce((a, t) => a + per / t / (batch / alone[0]!), 0),
      };
      log(
        `ceiling: ${most} independent runs of ${per} sentences at once: ${together.map((t) => t.toFixed(0)).join(', ')} ms/step vs ${alone[0]!.toFixed(0)} for ${batch} alone → ${c.speedup.toFixed(2)}× the throughput`,
      );
      ceiling.push(c);
    }
  }
  let threads: ThreadScaling | undefined;
  if (o.ceiling !== false && most > 1) {
    threads = await measureThreadScaling(most);
    log(
      `threads: ${most} at once scale ${threads.alu.scaling.toFixed(2)}× on ALU-bound work, ${threads.memory.scaling.toFixed(2)}× on memory-bound work, ${threads.gemm?.scaling.toFixed(2)}× on the SIMD GEMM`,
    );
  }
  return {
    ceiling,
    ...(threads ? { threads } : {}),
    shape: shape.name,
    backend,
    parameters,
    wasmThreads,
    cores: availableParallelism(),
    load1: loadavg()[0]!,
    warmup,
    timed,
    results,
    model,
  };
}

/**
 * K copies of this script in `--independent` mode, each a one-worker Trainer in its own process:
 * each warms up, says "ready", and waits; when all are ready they are told "go" together and
 * time their steps. Returns each one's median step, ms.
 */
async function independentRuns(K: number, o: ScalingOptions, batch: number): Promise<number[]> {
  const here = fileURLToPath(import.meta.url);
  const args = [
    '--import',
    'tsx',
    here,
    '--batch',
    String(batch),
    '--independent',
    '--shape',
    o.shape.name,
    '--backend',
    o.backend,
    '--warmup',
    String(o.warmup),
    '--steps',
    String(o.steps),
  ];
  const kids = Array.from({ length: K }, () =>
    spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const lines = kids.map((k) => createInterface({ input: k.stdout! }));
  const next = (i: number) =>
    new Promise<string>((res, rej) => {
      lines[i]!.once('line', res);
      kids[i]!.once('exit', (code) => rej(new Error(`independent run ${i + 1} exited (${code})`)));
    });
  try {
    const ready = await Promise.all(kids.map((_, i) => next(i)));
    if (ready.some((l) => l !== 'ready')) throw new Error(`independent runs said ${ready}`);
    const results = kids.map((_, i) => next(i));
    for (const k of kids) k.stdin!.write('go\n');
    return (await Promise.all(results)).map((l) => (JSON.parse(l) as { stepMs: number }).stepMs);
  } finally {
    for (const k of kids) k.kill();
  }
}

/** The child of independentRuns: one-worker steps after "go" on stdin. */
async function independentChild(o: ScalingOptions, batch: number): Promise<void> {
  installNodeAssetLoader();
  const require = createRequire(import.meta.url);
  const wasmPaths = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
  const modelFolder = await ensureModelFolder(o.shape);
  const config = {
    ...benchExperiment(o.backend, { model: modelFolder, train: TRAIN_FILE }),
    workers: 1,
    batchSize: batch,
  };
  const trainer = await Trainer.create(config, {
    emit: () => {},
    runId: 'dp-independent',
    backendOptions: { wasmPaths },
    io: {
      openFile: async (p: string) => new Uint8Array(readFileSync(p)),
      openModel: (p: string) => folderSource(p),
    },
  });
  for (let i = 0; i < o.warmup; i++) await trainer.trainStep();
  const input = createInterface({ input: process.stdin });
  const go = new Promise<void>((res) => input.once('line', () => res()));
  process.stdout.write('ready\n');
  await go;
  const ms: number[] = [];
  for (let i = 0; i < o.steps; i++) {
    const t0 = performance.now();
    await trainer.trainStep();
    ms.push(performance.now() - t0);
  }
  process.stdout.write(`${JSON.stringify({ stepMs: median(ms) })}\n`);
  trainer.dispose();
  input.close();
}

// `npx tsx bench/dataParallel.ts …` prints the JSON; `npm run bench` (full) calls measureDataParallel.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flags = parseFlags(process.argv.slice(2), {
    workers: 'string',
    shape: 'string',
    backend: 'string',
    warmup: 'string',
    steps: 'string',
    independent: 'boolean',
    batch: 'string',
    'no-ceiling': 'boolean',
  });
  const opts = {
    workers: (flags.string('workers', false) ?? '1,2').split(',').map(Number),
    shape: SHAPES[(flags.string('shape', false) ?? 'tiny') as Shape['name']],
    backend: (flags.string('backend', false) ?? 'wasm') as 'wasm' | 'cpu',
    warmup: flags.number('warmup') ?? 2,
    steps: flags.number('steps') ?? 5,
    ceiling: !flags.boolean('no-ceiling'),
  };
  if (flags.boolean('independent')) {
    await independentChild(opts, flags.number('batch') ?? BATCH_SIZE);
    process.exit(0);
  }
  const result = await measureDataParallel(opts);
  console.log(JSON.stringify(result, null, 2));
}
