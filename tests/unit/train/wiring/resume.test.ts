/**
 * `cplay train --resume` continues from the Node checkpoint folder (src/engine/node/checkpointStore.ts,
 * <out>/checkpoints/cli.ckpt.{json,bin}) exactly: a run interrupted after step 2 and resumed to
 * step 5 ends with the weights of an uninterrupted 5-step run (every exported tensor within 1e-6;
 * the cpu backend is deterministic, so they are in fact identical), and the resumed invocation runs
 * only steps 3–5, with the uninterrupted run's losses. The run uses everything a checkpoint must
 * carry: AdamW moments, a linear schedule with warm-up, dropout (the RNG), shuffling across
 * epochs (the batcher) and a negative queue (its stored keys).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runTrain } from '../../../../cli/commands/train.ts';
import { installNodeAssetLoader } from '../../../../src/engine/node/assets.ts';
import { folderCheckpointStore } from '../../../../src/engine/node/checkpointStore.ts';
import { folderSource } from '../../../../src/engine/node/folderSource.ts';
import { Trainer } from '../../../../src/engine/train/trainer.ts';
import { FIXTURES } from '../../../helpers/paths.ts';
import { maxAbsDiff, readTensors } from './host.ts';

const tmp = mkdtempSync(join(tmpdir(), 'cplay-resume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CONFIG = {
  seed: 5,
  backend: 'cpu',
  encoder: {
    source: join(FIXTURES, 'model', 'tiny-bert'),
    pooling: 'cls',
    mlpHead: 'train-only',
    maxLength: 16,
  },
  data: { train: { source: join(FIXTURES, 'wiring', 'sentences.txt'), kind: 'sentences' } },
  objective: { kind: 'simcse-unsup', queue: { size: 1, momentum: 0 } },
  optimizer: { kind: 'adamw', lr: 1e-3, weightDecay: 0.01, warmupSteps: 1, schedule: 'linear' },
  batchSize: 4,
  maxSteps: 5,
  shuffle: true,
  evalEvery: 1000,
  checkpointEvery: 2,
};

async function cli(args: string[]): Promise<number> {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return await runTrain(args);
  } finally {
    stderr.mockRestore();
  }
}

function stepLines(out: string): { step: number; loss: number }[] {
  return readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
    .filter((e) => e.event === 'step');
}

describe('cplay train --resume', () => {
  it('from the checkpoint folder equals an uninterrupted run', async () => {
    const configPath = join(tmp, 'config.json');
    writeFileSync(configPath, JSON.stringify(CONFIG));
    const straight = join(tmp, 'straight');
    expect(await cli(['--config', configPath, '--out', straight])).toBe(0);

    // The interrupted run: the same experiment, stopped as soon as the step-2 checkpoint is on
    // disk (as when the process is killed there). The CLI's run id is "cli".
    const resumed = join(tmp, 'resumed');
    const store = folderCheckpointStore(join(resumed, 'checkpoints'));
    installNodeAssetLoader();
    let first: Trainer | null = null;
    first = await Trainer.create(CONFIG, {
      emit: (e) => {
        if (e.type === 'checkpoint' && e.step === 2) first?.stop();
      },
      runId: 'cli',
      io: {
        openFile: async (p: string) => new Uint8Array(await readFile(p)),
        openModel: (p: string) => folderSource(p),
      },
      checkpoints: store,
    });
    await first.run();
    expect(first.step).toBe(2);
    first.dispose();
    expect((await store.load('cli'))?.step).toBe(2);

    expect(await cli(['--config', configPath, '--out', resumed, '--resume'])).toBe(0);
    // The resumed invocation ran steps 3..5 only, with the uninterrupted run's losses.
    const a = stepLines(straight);
    const b = stepLines(resumed);
    expect(a.map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
    expect(b.map((s) => s.step)).toEqual([3, 4, 5]);
    for (const [i, s] of b.entries()) expect(Math.abs(s.loss - a[i + 2]!.loss)).toBeLessThan(1e-6);

    const wa = readTensors(join(straight, 'model', 'model.safetensors'));
    const wb = readTensors(join(resumed, 'model', 'model.safetensors'));
    expect([...wb.keys()].sort()).toEqual([...wa.keys()].sort());
    expect(wa.size).toBeGreaterThanOrEqual(39);
    let worst = 0;
    for (const [name, t] of wa) worst = Math.max(worst, maxAbsDiff(wb.get(name)!.data, t.data));
    expect(worst).toBeLessThan(1e-6);
    // And training did move them (a resume that re-exported the start would fail above).
    const start = readTensors(join(FIXTURES, 'model', 'tiny-bert', 'model.safetensors'));
    const q = 'encoder.layer.0.attention.self.query.weight';
    expect(maxAbsDiff(wa.get(q)!.data, start.get(`bert.${q}`)!.data)).toBeGreaterThan(1e-4);
  }, 60_000);
});
