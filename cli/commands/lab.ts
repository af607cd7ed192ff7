/**
 * cplay lab [--quick] [--chapters a,b,…] --out DIR [--set key=value …] [--max-steps N] [--backend B]
 * Runs the journey's chapters (src/engine/lab/chapters.ts) one after another with the engine's
 * Trainer in Node and fills the results table as each finishes. Writes, per chapter,
 * DIR/<chapter>/config.json (resolved), DIR/<chapter>/metrics.jsonl and DIR/<chapter>/model/;
 * and DIR/results.json, DIR/results.md, DIR/results.csv, rewritten after every chapter so a long
 * run's table can be read while it goes. `--set` (the page link's dotted keys) applies to every
 * chapter, after its recipe: a Hub encoder swapped in, or tiny settings for a test. A chapter
 * that fails is a row with its error; the others still run (exit code 1 at the end).
 * `cplay lab --merge DIR,DIR,… --out DIR` joins finished tables (cli/commands/labResults.ts).
 * Memory, per finished chapter: the optimiser state's bytes (its slots, exact) and the peak tensor
 * bytes of one more training step run under tf.profile after the model is exported (not part of
 * the run: its step is neither in metrics.jsonl nor in the row).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { applyAssignments } from '../../src/engine/config/dottedKeys.ts';
import type { ExperimentConfig } from '../../src/engine/config/schema.ts';
import { parseExperiment } from '../../src/engine/config/validate.ts';
import { UserError } from '../../src/engine/errors.ts';
import {
  type Chapter,
  chapterConfig,
  type LabLength,
  parseChapterList,
} from '../../src/engine/lab/chapters.ts';
import {
  formatSeconds,
  type MemoryRecord,
  memoryCell,
  optimizerStateBytes,
  type ResultRow,
  type RowStatus,
  resultRow,
  type StepRecord,
  scoreCell,
} from '../../src/engine/lab/results.ts';
import { installNodeAssetLoader } from '../../src/engine/node/assets.ts';
import { folderSource } from '../../src/engine/node/folderSource.ts';
import * as tf from '../../src/engine/tf.ts';
import type { TrainEvent } from '../../src/engine/train/events.ts';
import { Trainer } from '../../src/engine/train/trainer.ts';
import { parseFlags } from '../args.ts';
import { mergeLab, writeResults } from './labResults.ts';

const BACKENDS = ['auto', 'wasm', 'cpu', 'webgpu', 'webgl'];

/** Every chapter's resolved config, validated before anything trains (a bad --set fails fast). */
export function labConfigs(
  chapters: readonly Chapter[],
  length: LabLength,
  sets: readonly string[],
  maxSteps?: number,
): { chapter: Chapter; config: ExperimentConfig }[] {
  return chapters.map((chapter) => {
    let input = applyAssignments(chapterConfig(chapter, length), sets);
    if (maxSteps !== undefined) input = { ...input, maxSteps };
    try {
      return { chapter, config: parseExperiment(input) };
    } catch (e) {
      throw new UserError(`chapter ${chapter.id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}

export async function runLab(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, {
    quick: 'boolean',
    chapters: 'string',
    out: 'string',
    set: 'list',
    'max-steps': 'string',
    backend: 'string',
    merge: 'string',
  });
  const outDir = resolve(flags.string('out', true));
  const merge = flags.string('merge', false);
  if (merge !== undefined) {
    for (const f of ['quick', 'chapters', 'set', 'max-steps', 'backend'] as const)
      if (argv.some((a) => a === `--${f}` || a.startsWith(`--${f}=`)))
        throw new UserError(`--merge reads finished tables and trains nothing: drop --${f}.`);
    return await mergeLab(merge, outDir);
  }
  const backend = flags.string('backend', false);
  if (backend && !BACKENDS.includes(backend))
    throw new UserError(`--backend ${backend} is not one of ${BACKENDS.join(', ')}.`);
  const maxSteps = flags.number('max-steps');
  if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 0))
    throw new UserError(`--max-steps must be a whole number of at least 0, got ${maxSteps}.`);
  const length: LabLength = flags.boolean('quick') ? 'quick' : 'full';
  const chapters = parseChapterList(flags.string('chapters', false));
  const sets = flags.list('set');
  const plan = labConfigs(chapters, length, sets, maxSteps);

  installNodeAssetLoader();
  await mkdir(outDir, { recursive: true });
  const rows: ResultRow[] = [];
  const setting = `${length}${maxSteps !== undefined ? `, --max-steps ${maxSteps}` : ''}${sets.length ? `, --set ${sets.join(' ')}` : ''}`;
  const save = () => writeResults(outDir, length, sets, rows, setting);

  let failures = 0;
  for (const [i, { chapter, config }] of plan.entries()) {
    process.stderr.write(`cplay lab: [${i + 1}/${plan.length}] ${chapter.id}: ${chapter.title}\n`);
    const row = await runChapter(chapter, config, join(outDir, chapter.id), backend);
    if (row.status !== 'finished') failures++;
    rows.push(row);
    await save();
    if (row.status !== 'failed')
      process.stderr.write(
        `cplay lab: ${chapter.id}: ${scoreCell(row)} in ${row.steps} steps, ${formatSeconds(row.seconds)}; memory (optimiser state · step peak) ${memoryCell(row)}\n`,
      );
  }
  process.stderr.write(`cplay lab: results in ${join(outDir, 'results.md')}\n`);
  return failures ? 1 : 0;
}

/** Trains one chapter in this process and exports its model; failures become the row's error. */
async function runChapter(
  chapter: Chapter,
  config: ExperimentConfig,
  dir: string,
  backend: string | undefined,
): Promise<ResultRow> {
  const raw = JSON.parse(JSON.stringify(config)) as ExperimentConfig;
  if (backend) raw.backend = backend as ExperimentConfig['backend'];
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(raw, null, 2)}\n`);
  const metrics = createWriteStream(join(dir, 'metrics.jsonl'));
  // Set by the trainer's events (a closure), read after the run.
  const end: { status: RowStatus; error?: string } = { status: 'failed' };
  // While the memory is measured (a step after the run), its events are not the run's.
  let measuring = false;
  const emit = (e: TrainEvent) => {
    if (measuring) return;
    if (e.type === 'step') {
      metrics.write(
        `${JSON.stringify({ event: 'step', step: e.step, loss: e.loss, lr: e.lr, ms: Math.round(e.stepMs), elapsedMs: Math.round(e.elapsedMs) })}\n`,
      );
    } else if (e.type === 'eval') {
      const { type: _t, cosine: _c, projection: _p, ...rest } = e;
      metrics.write(`${JSON.stringify({ event: 'eval', ...rest })}\n`);
    } else if (e.type === 'error') {
      end.error = e.message;
    } else if (e.type === 'done') {
      end.status = e.reason;
    }
  };
  const require = createRequire(import.meta.url);
  const wasmPaths = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
  let trainer: Trainer | null = null;
  // The run's steps, copied before the measured step is added to the trainer's list.
  let steps: StepRecord[] | null = null;
  let memory: MemoryRecord = {};
  try {
    trainer = await Trainer.create(raw, {
      emit,
      runId: `lab-${chapter.id}`,
      backendOptions: { wasmPaths },
      io: {
        openFile: async (source: string) => new Uint8Array(await readFile(resolve(source))),
        openModel: (source: string) => folderSource(resolve(source)),
      },
    });
    await trainer.run();
    steps = [...trainer.stepEvents];
    if (end.status === 'finished') {
      for (const [name, bytes] of await trainer.exportModel()) {
        const p = join(dir, 'model', name);
        await mkdir(dirname(p), { recursive: true });
        await writeFile(p, bytes);
      }
      measuring = true;
      memory = await measureMemory(trainer, chapter);
      measuring = false;
    }
  } catch (e) {
    end.status = 'failed';
    end.error = e instanceof Error ? e.message : String(e);
  } finally {
    await new Promise<void>((r) => metrics.end(r));
  }
  const row = resultRow(
    chapter,
    config,
    steps ?? trainer?.stepEvents ?? [],
    trainer?.evalEvents ?? [],
    end.status,
    end.error,
    memory,
  );
  trainer?.dispose();
  if (end.error) process.stderr.write(`cplay lab: ${chapter.id} failed: ${end.error}\n`);
  return row;
}

/**
 * The optimiser state's bytes (every slot, from the run's own state) and the peak tensor bytes of
 * one training step: tf.profile reads the engine's byte count (tf.memory().numBytes) after every
 * kernel of the step, so the peak holds the weights, the optimiser state and the step's
 * activations and gradients at their largest. A measurement that fails leaves its cell empty.
 */
async function measureMemory(trainer: Trainer, chapter: Chapter): Promise<MemoryRecord> {
  const out: MemoryRecord = {};
  try {
    out.optimizerBytes = optimizerStateBytes((await trainer.checkpoint()).optimizer);
    let ok = false;
    const info = await tf.profile(async () => {
      ok = await trainer.trainStep();
    });
    if (ok) out.peakBytes = info.peakBytes;
  } catch (e) {
    process.stderr.write(
      `cplay lab: ${chapter.id}: memory not measured: ${e instanceof Error ? e.message : String(e)}\n`,
    );
  }
  return out;
}
