/**
 * cplay train --config FILE.json --out DIR [--backend B] [--resume]
 * Runs an experiment headless. Writes DIR/config.json (resolved), DIR/metrics.jsonl (one JSON
 * object per step / eval event), DIR/model/ (the exported model folder) and DIR/checkpoints/.
 * Relative paths in the config resolve from the config file's folder.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseExperimentJson } from '../../src/engine/config/validate.ts';
import { UserError } from '../../src/engine/errors.ts';
import { installNodeAssetLoader } from '../../src/engine/node/assets.ts';
import { folderCheckpointStore } from '../../src/engine/node/checkpointStore.ts';
import { folderSource } from '../../src/engine/node/folderSource.ts';
import type { TrainEvent } from '../../src/engine/train/events.ts';
import { Trainer } from '../../src/engine/train/trainer.ts';
import { parseFlags } from '../args.ts';

const BACKENDS = ['auto', 'wasm', 'cpu', 'webgpu', 'webgl'];

/** A source string that names a local file or folder (not builtin, hf:, upload: or a URL). */
function isLocalPath(source: string): boolean {
  return !/^(builtin(:|$)|hf:|upload:|https?:\/\/)/.test(source);
}

export async function runTrain(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, {
    config: 'string',
    out: 'string',
    backend: 'string',
    resume: 'boolean',
  });
  const configPath = flags.string('config', true);
  const outDir = resolve(flags.string('out', true));
  const backend = flags.string('backend', false);
  if (backend && !BACKENDS.includes(backend)) {
    throw new UserError(`--backend ${backend} is not one of ${BACKENDS.join(', ')}.`);
  }
  if (!existsSync(configPath)) throw new UserError(`config file ${configPath} does not exist.`);
  const baseDir = dirname(resolve(configPath));
  const raw = JSON.parse(
    JSON.stringify(parseExperimentJson(await readFile(configPath, 'utf8'), configPath)),
  );
  if (backend) raw.backend = backend;
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
          `cplay train: ${e.backend} backend${e.reasons.length ? ` (${e.reasons.join(' ')})` : ''}; ${e.parameters.toLocaleString('en')} parameters; ${e.dataReport}\n`,
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
