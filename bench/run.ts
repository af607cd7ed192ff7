/**
 * `npm run bench` / `cplay bench`: SimCSE training and embedding throughput of the real Trainer on
 * every backend (Node: wasm, cpu; headless Chromium on the built app: webgpu, webgl, wasm, cpu),
 * beside PyTorch on the same machine in the same invocation.
 *
 *   npm run bench -- [--quick] [--only node,browser,torch] [--shapes tiny,mini] [--steps N]
 *                    [--backends wasm,cpu,...] [--wasm-threads N] [--profile | --no-profile]
 *                    [--no-build] [--no-docs] [--scaling | --no-scaling] [--auto | --no-auto]
 *   npm run bench -- --render bench/results/<date>.json   (table + docs block, no measuring)
 *   npm run bench -- --quality [--quick] …   training quality beside PyTorch (bench/quality/run.ts)
 *
 * A full run also measures data-parallel scaling (K = 1, 2 replicas in Node, bench/dataParallel.ts)
 * and what `auto` picks on the built page with its probe's cost (bench/autoProbe.ts); `--scaling`
 * / `--auto` add them to a quick run, `--no-…` leave them out. The targets of issue 12 are read
 * off the same run (bench/targets.ts).
 *
 * Writes bench/results/<date>.json and the generated blocks of docs/benchmarks.md; prints the tables.
 * Not part of `npm test`. See docs/benchmarks.md for what is measured and how to read it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../src/engine/errors.ts';
import type { BenchCaseRequest } from '../src/worker/bench.ts';
import { measureAutoProbe } from './autoProbe.ts';
import { BROWSER_DIST, type BrowserSession, buildApp, openBrowserSession } from './browser.ts';
import { measureDataParallel } from './dataParallel.ts';
import { chromiumVersion, describeMachine, load1 } from './machine.ts';
import { runNodeCase } from './node/runner.ts';
import {
  BENCH_DIR,
  ensureModelFolder,
  modelDir,
  REPO_ROOT,
  stsbSentences,
  TRAIN_FILE,
  writeBatches,
} from './prepare.ts';
import {
  type CaseRecord,
  generatedBlock,
  type Host,
  type RunRecord,
  rowsOf,
  terminalTable,
  updateDoc,
} from './report.ts';
import {
  BACKEND_ORDER,
  BATCH_SIZE,
  type BenchBackend,
  benchExperiment,
  DROPOUT,
  EMBED_BATCH,
  LR,
  SEQ_LENGTH,
  SHAPES,
  type Shape,
  TEMPERATURE,
  WEIGHT_DECAY,
} from './shapes.ts';
import { type TargetsRecord, targetRows, targetsBlock, updateTargets } from './targets.ts';
import { runTorch, TORCH_THREADS } from './torch.ts';

const NODE_BACKENDS: BenchBackend[] = ['wasm', 'cpu'];
const BROWSER_BACKENDS: BenchBackend[] = [...BACKEND_ORDER];
/**
 * --quick leaves out Chromium's webgpu and webgl: here they run on SwiftShader (a GPU emulated on
 * the CPU, minutes per step), which says nothing about a real GPU. Add them with --backends.
 */
const QUICK_BROWSER_BACKENDS: BenchBackend[] = ['wasm', 'cpu'];
/**
 * The slow backends (SwiftShader's webgpu / webgl, the JS cpu kernels: 20 s to minutes a step)
 * run on tiny only unless --backends names them: a mini step takes minutes, and tiny already
 * says where they stand.
 */
const SLOW_BACKENDS = new Set<string>(['webgpu', 'webgl', 'cpu']);

interface Plan {
  mode: 'quick' | 'full';
  hosts: Set<Host>;
  shapes: Shape[];
  backends: Set<string> | null;
  profile: boolean;
  build: boolean;
  docs: boolean;
  steps: number | null;
  /** WASM threads to ask for (default: what a training run asks for). */
  wasmThreads: number | null;
  /** Data-parallel scaling, K = 1 and 2 (full runs by default). */
  scaling: boolean;
  /** `auto` on the built page: the backend it lands on and the probe's cost (full runs by default). */
  auto: boolean;
}

/** How long each part may take. Slow backends (SwiftShader, the JS cpu kernels) get fewer steps. */
const BUDGET = {
  quick: {
    warmup: 1,
    minSteps: 1,
    maxSteps: 5,
    stepMs: 15_000,
    embedSentences: 256,
    embedPasses: 2,
    embedMs: 10_000,
    caseTimeoutMs: 6 * 60_000,
  },
  full: {
    warmup: 2,
    minSteps: 2,
    maxSteps: 20,
    stepMs: 60_000,
    embedSentences: 3000,
    embedPasses: 3,
    embedMs: 120_000,
    caseTimeoutMs: 20 * 60_000,
  },
};

function parsePlan(argv: string[]): Plan {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UserError(`${name} needs a value`);
    return v;
  };
  const known = [
    '--quick',
    '--only',
    '--shapes',
    '--steps',
    '--backends',
    '--wasm-threads',
    '--render',
    '--profile',
    '--no-profile',
    '--no-build',
    '--no-docs',
    '--scaling',
    '--no-scaling',
    '--auto',
    '--no-auto',
  ];
  for (const a of argv)
    if (a.startsWith('--') && !known.includes(a))
      throw new UserError(`unknown flag ${a}; flags: ${known.join(' ')}`);
  const quick = argv.includes('--quick');
  const only = value('--only');
  const hosts = new Set<Host>((only ?? 'node,browser,torch').split(',') as Host[]);
  for (const h of hosts)
    if (!['node', 'browser', 'torch'].includes(h))
      throw new UserError(`--only: ${h} is not node, browser or torch`);
  const shapeNames = (value('--shapes') ?? (quick ? 'tiny' : 'tiny,mini')).split(',');
  const shapes = shapeNames.map((n) => {
    const s = SHAPES[n as Shape['name']];
    if (!s) throw new UserError(`--shapes: ${n} is not tiny or mini`);
    return s;
  });
  const steps = value('--steps');
  if (steps !== undefined && !(Number.isInteger(Number(steps)) && Number(steps) > 0))
    throw new UserError('--steps needs a positive integer');
  const backends = value('--backends');
  return {
    mode: quick ? 'quick' : 'full',
    hosts,
    shapes,
    backends: backends ? new Set(backends.split(',')) : null,
    profile: argv.includes('--profile') || (!quick && !argv.includes('--no-profile')),
    build: !argv.includes('--no-build'),
    docs: !argv.includes('--no-docs'),
    steps: steps === undefined ? null : Number(steps),
    wasmThreads: value('--wasm-threads') ? Number(value('--wasm-threads')) : null,
    scaling: argv.includes('--scaling') || (!quick && !argv.includes('--no-scaling')),
    auto: argv.includes('--auto') || (!quick && !argv.includes('--no-auto')),
  };
}

const DOC = join(REPO_ROOT, 'docs', 'benchmarks.md');
const DOC_SKELETON = `# Benchmarks\n\nGenerated by \`npm run bench\` (bench/run.ts).\n`;

export async function runBench(argv: string[]): Promise<number> {
  // `--quality`: training quality beside PyTorch (bench/quality/run.ts), not speed.
  if (argv.includes('--quality')) return (await import('./quality/run.ts')).runQuality(argv);
  const render = argv.indexOf('--render');
  if (render >= 0) return renderOnly(argv[render + 1], !argv.includes('--no-docs'));
  const plan = parsePlan(argv);
  const budget = BUDGET[plan.mode];
  const t0 = Date.now();
  const say = (m: string) =>
    process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
  const machine = describeMachine();
  say(
    `${plan.mode} run on ${machine.cpu}, ${machine.cores} cores; load ${machine.loadStart.join(' ')}`,
  );

  // Shared inputs: model folders (same init for TF.js and PyTorch), sentences, token ids.
  for (const s of plan.shapes) await ensureModelFolder(s);
  const allSentences = await stsbSentences();
  const embedTexts = allSentences.slice(0, budget.embedSentences);
  const embedBatches = Math.ceil(embedTexts.length / EMBED_BATCH);
  await writeBatches(plan.shapes[0]!, 64, allSentences);

  // One worker (the step on one thread: what the kernels do) and, for WASM, the default a run
  // gets: one data-parallel replica per core (`workers` null → the cores), as a user pressing
  // Start trains. Profiles are taken on the one-worker cases (a profile sees the coordinator only).
  const cores = availableParallelism();
  const request = (
    backend: BenchBackend,
    sources: { model: string; train: string },
    workers = 1,
  ): BenchCaseRequest => ({
    config: { ...benchExperiment(backend, sources), workers },
    warmupSteps: budget.warmup,
    minSteps: plan.steps ?? budget.minSteps,
    maxSteps: plan.steps ?? budget.maxSteps,
    stepBudgetMs: plan.steps ? 1e12 : budget.stepMs, // finite: the request goes through JSON
    profile: plan.profile && workers === 1,
    embedTexts,
    embedBatch: EMBED_BATCH,
    embedPasses: budget.embedPasses,
    embedBudgetMs: budget.embedMs,
    ...(backend === 'wasm' && plan.wasmThreads ? { wasmThreads: plan.wasmThreads } : {}),
  });
  const wanted = (b: string) => !plan.backends || plan.backends.has(b);
  const runsOn = (b: string, shape: Shape) =>
    plan.backends !== null || shape.name === 'tiny' || !SLOW_BACKENDS.has(b);
  const cases: CaseRecord[] = [];
  const date = new Date().toISOString();
  const run: RunRecord & TargetsRecord = {
    date,
    mode: plan.mode,
    argv,
    machine,
    settings: {
      objective: 'unsupervised SimCSE',
      batchSize: BATCH_SIZE,
      rowsPerStep: 2 * BATCH_SIZE,
      seqLength: SEQ_LENGTH,
      temperature: TEMPERATURE,
      dropout: DROPOUT,
      optimizer: { kind: 'adamw', lr: LR, weightDecay: WEIGHT_DECAY },
      embed: { sentences: embedTexts.length, of: allSentences.length, batch: EMBED_BATCH },
      budget,
      steps: plan.steps,
      browserBuild: relative(REPO_ROOT, BROWSER_DIST),
    },
    cases,
  };
  const resultsDir = join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  // Written after every case, so an interrupted run keeps what it measured.
  const save = () => writeFileSync(file, `${JSON.stringify(run, null, 1)}\n`);
  const record = async (
    host: Host,
    backend: string,
    shape: Shape,
    f: () => Promise<CaseRecord['result']>,
    workers = 1,
  ) => {
    const start = Date.now();
    const l0 = load1();
    const what = `${host} ${backend}${workers > 1 ? ` ×${workers} workers` : ''} ${shape.name}`;
    say(`${what}: start`);
    const c: CaseRecord = {
      host,
      backend,
      shape: shape.name,
      ...(workers > 1 ? { workers } : {}),
      load: [l0, l0],
      wallMs: 0,
    };
    try {
      c.result = await f();
    } catch (e) {
      c.error = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
      say(`${what}: FAILED: ${c.error}`);
    }
    c.load[1] = load1();
    c.wallMs = Date.now() - start;
    cases.push(c);
    save();
  };

  // PyTorch first, then TF.js, per shape, so each comparison shares the machine's state.
  let session: BrowserSession | null = null;
  try {
    if (plan.hosts.has('browser')) {
      if (plan.build) {
        say('building the app into bench/tmp/dist (vite build)…');
        await buildApp();
      }
      session = await openBrowserSession();
      machine.chromium = chromiumVersion(session.chromium);
    }
    for (const shape of plan.shapes) {
      const dir = modelDir(shape);
      // The reference (2 threads) and a single-thread PyTorch: the WASM backend's matrix products
      // run on one thread (docs/benchmarks.md), and on a busy machine 2 threads can lose to 1.
      const torchRuns = [TORCH_THREADS, 1];
      for (const threads of plan.hosts.has('torch') && wanted('torch') ? torchRuns : []) {
        await record(
          'torch',
          threads === TORCH_THREADS ? 'torch' : `torch-${threads}t`,
          shape,
          async () => {
            const r = await runTorch({
              threads,
              modelDir: dir,
              shape: shape.name,
              warmup: budget.warmup,
              steps: plan.steps ?? (plan.mode === 'quick' ? 5 : 20),
              embedPasses: budget.embedPasses,
              embedBatches,
              profile: plan.profile,
              timeoutMs: budget.caseTimeoutMs,
              log: (m) => say(`  ${m}`),
            });
            machine.torch = r.torch;
            machine.python = r.python;
            machine.blas = r.blas;
            return r;
          },
        );
      }
      if (plan.hosts.has('node')) {
        for (const b of NODE_BACKENDS.filter(wanted).filter((b) => runsOn(b, shape))) {
          for (const k of b === 'wasm' && cores > 1 ? [1, cores] : [1]) {
            await record(
              'node',
              b,
              shape,
              () =>
                runNodeCase(
                  `${b}-${shape.name}${k > 1 ? `-x${k}` : ''}`,
                  request(b, { model: dir, train: TRAIN_FILE }, k),
                  budget.caseTimeoutMs,
                  (m) => say(`  ${m}`),
                ),
              k,
            );
          }
        }
      }
      if (session) {
        const s = session;
        const sources = {
          model: `${s.origin}/bench-files/models/${shape.name}`,
          train: `${s.origin}/bench-files/train.txt`,
        };
        const list =
          plan.mode === 'quick' && !plan.backends ? QUICK_BROWSER_BACKENDS : BROWSER_BACKENDS;
        for (const b of list.filter(wanted).filter((b) => runsOn(b, shape))) {
          for (const k of b === 'wasm' && cores > 1 ? [1, cores] : [1]) {
            await record(
              'browser',
              b,
              shape,
              () => s.runCase(request(b, sources, k), budget.caseTimeoutMs, (m) => say(`  ${m}`)),
              k,
            );
          }
        }
      }
    }
    if (plan.scaling && plan.hosts.has('node')) {
      say(
        'data-parallel scaling: K = 1, 2, 1, 2, 1, 2 replicas (Node worker_threads, wasm, tiny)…',
      );
      try {
        run.scaling = await measureDataParallel({
          // In turn, three times: drift in the host's speed falls on both (targets.ts pairs them),
          // and the figure is the middle pair's, not the mean of two.
          workers: [1, 2, 1, 2, 1, 2],
          shape: SHAPES.tiny,
          backend: 'wasm',
          warmup: budget.warmup,
          steps: plan.steps ?? (plan.mode === 'quick' ? 5 : 10),
          log: (m) => say(`  ${m}`),
        });
      } catch (e) {
        run.scaling = { error: (e instanceof Error ? e.message : String(e)).slice(0, 300) };
        say(`scaling: FAILED: ${run.scaling.error}`);
      }
      save();
    }
    if (plan.auto && session) {
      say('auto on the built page (fresh profile, default experiment)…');
      try {
        run.autoProbe = await measureAutoProbe(session.origin, budget.caseTimeoutMs, (m) =>
          say(`  ${m}`),
        );
      } catch (e) {
        run.autoProbe = { error: (e instanceof Error ? e.message : String(e)).slice(0, 300) };
        say(`auto: FAILED: ${run.autoProbe.error}`);
      }
      save();
    }
  } finally {
    await session?.close();
  }

  machine.loadEnd = describeMachine().loadStart;
  save();
  const rel = relative(REPO_ROOT, file);
  if (plan.docs) {
    updateDoc(DOC, generatedBlock(run, rel), DOC_SKELETON);
    updateTargets(DOC, targetsBlock(run, rel));
  }

  const rows = rowsOf(run);
  process.stdout.write(`\n${terminalTable(rows)}\n\n`);
  for (const t of targetRows(run))
    process.stdout.write(
      `${t.met === null ? '  –  ' : t.met ? ' met ' : ' NOT '} ${t.target}: ${t.measured} (goal ${t.goal})\n`,
    );
  process.stdout.write(
    `${machine.cpu}, ${machine.cores} cores; load ${machine.loadStart[0]} → ${machine.loadEnd[0]}; ${Math.round((Date.now() - t0) / 1000)} s in all.\n` +
      `Results: ${rel}${plan.docs ? '; docs/benchmarks.md updated' : ''}.\n`,
  );
  return cases.some((c) => c.error) ? 1 : 0;
}

/** `--render FILE`: the table and the docs block from a results file, without measuring. */
function renderOnly(path: string | undefined, docs: boolean): number {
  if (!path || !existsSync(path))
    throw new Error('--render needs a results file (bench/results/*.json)');
  const run = JSON.parse(readFileSync(path, 'utf8')) as RunRecord & TargetsRecord;
  const rel = relative(REPO_ROOT, resolve(path));
  if (docs) {
    updateDoc(DOC, generatedBlock(run, rel), DOC_SKELETON);
    updateTargets(DOC, targetsBlock(run, rel));
  }
  process.stdout.write(
    `${terminalTable(rowsOf(run))}\n${docs ? 'docs/benchmarks.md updated.\n' : ''}`,
  );
  return 0;
}

// `tsx bench/run.ts …` (npm run bench) runs it; `cplay bench` imports runBench.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runBench(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
