import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../../src/engine/config/presets.ts';
import type { ExperimentInput } from '../../../src/engine/config/schema.ts';
import { lexicalBaselines } from '../../../src/engine/metrics/lexical.ts';
import { installNodeAssetLoader } from '../../../src/engine/node/assets.ts';
import { nodeDataIO } from '../../../src/engine/node/fileIO.ts';
import * as tf from '../../../src/engine/tf.ts';
import type { EvalEvent, TrainEvent } from '../../../src/engine/train/events.ts';
import { Trainer } from '../../../src/engine/train/trainer.ts';
import { REPO_ROOT, sharedData } from '../../helpers/paths.ts';
import { makeTrainer, memoryStore, TINY } from './helpers.ts';

/**
 * The untrained start is evaluated before the first step (an EvalEvent with step 0), once: a
 * resumed run does not repeat it. On an STS set that eval carries the word-overlap baselines,
 * which must equal lexicalBaselines() on the same pairs (the function itself is checked against
 * scipy in tests/unit/metrics/lexical.test.ts).
 */
const PAIRS = 60;
const STS: ExperimentInput = mergeConfig(TINY, {
  data: { eval: { source: 'builtin:stsb-dev', kind: 'sts', limit: PAIRS } },
});

const evals = (events: TrainEvent[]): EvalEvent[] =>
  events.flatMap((e) => (e.type === 'eval' ? [e] : []));

/** The first rows of STS-B dev, read here on their own (builtin:stsb-dev is this file). */
function stsRows(n: number) {
  const rows = readFileSync(sharedData('stsb', 'dev.tsv'), 'utf8')
    .split('\n')
    .slice(1, n + 1)
    .map((l) => l.replace(/\r$/, '').split('\t'));
  return {
    s1: rows.map((r) => r[0]!),
    s2: rows.map((r) => r[1]!),
    gold: rows.map((r) => Number(r[2])),
  };
}

describe('step-0 evaluation', () => {
  it('evaluates before the first step, with the lexical baselines on the STS set', async () => {
    const { trainer, events } = await makeTrainer({ ...STS, maxSteps: 3, evalEvery: 2 });
    await trainer.run();
    trainer.dispose();
    const ready = events.find((e) => e.type === 'ready');
    expect(ready?.type === 'ready' && ready.evalName).toBe('STS-B dev');
    const ev = evals(events);
    // step 0 (untrained), 2 (evalEvery), 3 (the last step)
    expect(ev.map((e) => e.step)).toEqual([0, 2, 3]);
    const firstStep = events.findIndex((e) => e.type === 'step');
    expect(events.indexOf(ev[0]!)).toBeLessThan(firstStep);
    expect(Number.isFinite(ev[0]!.spearman)).toBe(true);
    const { s1, s2, gold } = stsRows(PAIRS);
    const want = lexicalBaselines(s1, s2, gold);
    expect(ev[0]!.baselines).toEqual(want);
    // On these 60 pairs word overlap is far from random (> 20 Spearman × 100).
    expect(want.tfidf).toBeGreaterThan(20);
    // Only the step-0 eval carries them.
    expect(ev.slice(1).every((e) => e.baselines === undefined)).toBe(true);
  });

  it('maxSteps 0: one eval at step 0, no step, finished, and the untrained model exports', async () => {
    const { trainer, events } = await makeTrainer({ ...STS, maxSteps: 0 });
    await trainer.run();
    expect(events.some((e) => e.type === 'step')).toBe(false);
    expect(evals(events).map((e) => e.step)).toEqual([0]);
    expect(events.at(-1)).toMatchObject({ type: 'done', reason: 'finished', step: 0 });
    const files = await trainer.exportModel();
    trainer.dispose();
    expect(files.has('model.safetensors')).toBe(true);
    const card = new TextDecoder().decode(files.get('README.md'));
    expect(card).toMatch(/spearman/);
  });

  it('without an STS set the step-0 eval has alignment / uniformity but no baselines', async () => {
    const { trainer, events } = await makeTrainer({ ...TINY, maxSteps: 1 });
    await trainer.run();
    trainer.dispose();
    const first = evals(events)[0]!;
    expect(first.step).toBe(0);
    expect(first.protocol).toBe('held-out-views');
    expect(first.baselines).toBeUndefined();
    const ready = events.find((e) => e.type === 'ready');
    expect(ready?.type === 'ready' && 'evalName' in ready).toBe(false);
  });

  it('is not repeated when a run resumes past step 0', async () => {
    installNodeAssetLoader();
    await tf.setBackend('cpu');
    const store = memoryStore();
    const config = { ...STS, maxSteps: 4, evalEvery: 2, checkpointEvery: 1000 };
    const create = async (resume: boolean, events: TrainEvent[], stopAt?: number) => {
      let trainer: Trainer | undefined;
      trainer = await Trainer.create(config, {
        emit: (e) => {
          events.push(e);
          if (e.type === 'step' && e.step === stopAt) trainer!.stop();
        },
        runId: 'zero',
        io: nodeDataIO(REPO_ROOT),
        keepBackend: true,
        checkpoints: store,
        resume,
      });
      return trainer;
    };
    const firstEvents: TrainEvent[] = [];
    const first = await create(false, firstEvents, 2);
    await first.run();
    first.dispose();
    expect(evals(firstEvents).map((e) => e.step)).toEqual([0, 2]);
    expect(store.saved.get('zero')?.step).toBe(2);

    const secondEvents: TrainEvent[] = [];
    const second = await create(true, secondEvents);
    expect(second.step).toBe(2);
    await second.run();
    second.dispose();
    expect(evals(secondEvents).map((e) => e.step)).toEqual([4]);
    // The run's history (restored from the checkpoint) holds the step-0 eval exactly once.
    expect(second.evalEvents.map((e) => e.step)).toEqual([0, 2, 4]);
    expect(second.evalEvents[0]!.baselines).toBeDefined();
  });
});
