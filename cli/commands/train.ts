/**
 * cplay train (--preset ID | --config FILE.json) [--set key=value …] [--max-steps N] --out DIR
 *             [--backend B] [--workers N] [--resume]
 * Runs an experiment headless: a playground preset by its page id, or a config file, with any
 * field changed by the URL hash's dotted keys (`--set optimizer.lr=1e-4`). Writes DIR/config.json
 * (resolved), DIR/metrics.jsonl (one JSON object per step / eval event, the step-0 eval first),
 * DIR/model/ (the exported model folder) and DIR/checkpoints/. `--max-steps 0` evaluates and
 * exports the untrained start. Relative paths resolve from the config file's folder (from the
 * working folder with --preset). `--workers N` sets the config's `workers` (data-parallel replicas
 * in worker_threads on wasm / cpu; the config's null means one per core).
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { applyAssignments } from '../../src/engine/config/dottedKeys.ts';
import { presetConfig } from '../../src/engine/config/presets.ts';
import type { ExperimentInput } from '../../src/engine/config/schema.ts';
import { parseExperiment, parseExperimentJson } from '../../src/engine/config/validate.ts';
import { UserError } from '../../src/engine/errors.ts';
import { installNodeAssetLoader } from '../../src/engine/node/assets.ts';
import { folderCheckpointStore } from '../../src/engine/node/checkpointStore.ts';
import { folderSource } from '../../src/engine/node/folderSource.ts';
import { nodeReplicaHost } from '../../src/engine/node/replicaThreads.ts';
import type { TrainEvent } from '../../src/engine/train/events.ts';
import { Trainer } from '../../src/engine/train/trainer.ts';
import { parseFlags } from '../args.ts';

const BACKENDS = ['auto', 'wasm', 'cpu', 'webgpu', 'webgl'];

/** A source string that names a local file or folder (not builtin, catalogue:, hf:, upload: or a URL). */
function isLocalPath(source: string): boolean {
  return !/^(builtin(:|$)|catalogue:|hf:|upload:|https?:\/\/)/.test(source);
}

/** The experiment to run: a preset or a config file, then --set and --max-steps over it. */
async function experimentOf(flags: ReturnType<typeof parseFlags>): Promise<{
  input: ExperimentInput;
  baseDir: string;
}> {
  const preset = flags.string('preset', false);
  const configPath = flags.string('config', false);
  if (preset !== undefined && configPath !== undefined)
    throw new UserError('give --preset or --config, not both.');
  if (preset === undefined && configPath === undefined)
    throw new UserError('give --preset ID (a playground preset) or --config FILE.json.');
  let input: ExperimentInput;
  let baseDir = process.cwd();
  if (configPath !== undefined) {
    if (!existsSync(configPath)) throw new UserError(`config file ${configPath} does not exist.`);
    baseDir = dirname(resolve(configPath));
    input = parseExperimentJson(await readFile(configPath, 'utf8'), configPath);
  } else {
    input = presetConfig(preset!);
  }
  input = applyAssignments(input, flags.list('set'));
  const maxSteps = flags.number('max-steps');
  if (maxSteps !== undefined) {
    if (!Number.isInteger(maxSteps) || maxSteps < 0)
      throw new UserError(`--max-steps must be a whole number of at least 0, got ${maxSteps}.`);
    input = { ...input, maxSteps };
  }
  return { input, baseDir };
}

export async function runTrain(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, {
    preset: 'string',
    config: 'string',
    set: 'list',
    'max-steps': 'string',
    out: 'string',
    backend: 'string',
    workers: 'string',
    resume: 'boolean',
  });
  const outDir = resolve(flags.string('out', true));
  const backend = flags.string('backend', false);
  if (backend && !BACKENDS.includes(backend)) {
    throw new UserError(`--backend ${backend} is not one of ${BACKENDS.join(', ')}.`);
  }
  const workers = flags.number('workers');
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1))
    throw new UserError(`--workers must be a whole number of at least 1, got ${workers}.`);
  const { input, baseDir } = await experimentOf(flags);
  const raw = JSON.parse(JSON.stringify(parseExperiment(input)));
  if (backend) raw.backend = backend;
  if (workers !== undefined) raw.workers = workers;
  const local = (p: string) => (isAbsolute(p) ? p : join(baseDir, p));
  // Resolve relative paths from the config's folder, so the resolved config stands on its own.
  if (isLocalPath(raw.data.train.source)) raw.data.train.source = local(raw.data.train.source);
  if (raw.data.eval && isLocalPath(raw.data.eval.source))
    raw.data.eval.source = local(raw.data.eval.source);
  if (raw.encoder.source !== 'builtin' && isLocalPath(raw.encoder.source))
    raw.encoder.source = local(raw.encoder.source);
  if (raw.augment.eda?.synonyms && isLocalPath(raw.augment.eda.synonyms)) {
    raw.augment.eda.synonyms = local(raw.augment.eda.synonyms);
  }

  installNodeAssetLoader();
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'config.json'), `${JSON.stringify(raw, null, 2)}\n`);
  const metrics = createWriteStream(join(outDir, 'metrics.jsonl'), {
    flags: flags.boolean('resume') ? 'a' : 'w',
  });
  const tty = process.stderr.isTTY;
  let total = 0;
  let failed: string | null = null;
  const emit = (e: TrainEvent) => {
    switch (e.type) {
      case 'ready':
        total = e.totalSteps;
        process.stderr.write(
          `cplay train: ${e.backend} backend${e.reasons.length ? ` (${e.reasons.join(' ')})` : ''}; ${e.parameters.toLocaleString('en')} parameters; ${e.dataReport}${e.evalName ? ` Evaluating on ${e.evalName}.` : ''}\n`,
        );
        break;
      case 'step':
        metrics.write(
          `${JSON.stringify({ event: 'step', step: e.step, epoch: e.epoch, loss: e.loss, lr: e.lr, gradNorm: e.gradNorm, ms: Math.round(e.stepMs) })}\n`,
        );
        if (tty)
          process.stderr.write(
            `\r${bar(e.step, total)} step ${e.step}/${total} loss ${e.loss.toFixed(4)}   `,
          );
        break;
      case 'eval': {
        const { type: _t, cosine: _c, projection: _p, ...rest } = e;
        metrics.write(`${JSON.stringify({ event: 'eval', ...rest })}\n`);
        if (tty) process.stderr.write('\n');
        process.stderr.write(`eval @${e.step}: ${formatEval(rest)}\n`);
        if (e.baselines)
          process.stderr.write(
            `  word-overlap baselines on the same pairs: bag-of-words ${e.baselines.bagOfWords.toFixed(2)}, TF-IDF ${e.baselines.tfidf.toFixed(2)} (Spearman × 100)\n`,
          );
        break;
      }
      case 'error':
        failed = e.message;
        break;
      case 'log':
        process.stderr.write(`${e.message}\n`);
        break;
      default:
        break;
    }
  };
  const require = createRequire(import.meta.url);
  const wasmPaths = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
  const trainer = await Trainer.create(raw, {
    emit,
    runId: 'cli',
    resume: flags.boolean('resume'),
    backendOptions: { wasmPaths },
    io: {
      openFile: async (source: string) => new Uint8Array(await readFile(local(source))),
      openModel: (source: string) => folderSource(local(source)),
    },
    checkpoints: folderCheckpointStore(join(outDir, 'checkpoints')),
    replicas: nodeReplicaHost(),
  });
  await trainer.run();
  if (tty) process.stderr.write('\n');
  await new Promise<void>((r) => metrics.end(r));
  if (failed) {
    trainer.dispose();
    throw new UserError(failed);
  }
  const files = await trainer.exportModel();
  for (const [name, bytes] of files) {
    const p = join(outDir, 'model', name);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, bytes);
  }
  trainer.dispose();
  process.stderr.write(
    `cplay train: ${trainer.step} steps; model written to ${join(outDir, 'model')}\n`,
  );
  return 0;
}

function bar(step: number, total: number): string {
  const width = 24;
  const filled = total ? Math.round((step / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function formatEval(e: Record<string, unknown>): string {
  return Object.entries(e)
    .filter(([k, v]) => k !== 'step' && typeof v === 'number')
    .map(([k, v]) => `${k} ${(v as number).toFixed(4)}`)
    .join(', ');
}
