import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../../src/engine/config/presets.ts';
import type { ExperimentInput } from '../../../src/engine/config/schema.ts';
import { losses, makeTrainer, TINY } from './helpers.ts';

const GENRES: ExperimentInput['data'] = {
  train: { source: 'builtin:brown-genres', kind: 'labeled', limit: 200 },
  eval: { source: 'builtin:brown-genres-test', kind: 'labeled', limit: 40 },
};

/** Runs a few steps; checks finite losses, a flat tensor count, and the events the UI needs. */
async function runs(config: ExperimentInput, steps = 6) {
  const { trainer, events } = await makeTrainer({ ...config, maxSteps: steps, evalEvery: steps });
  await trainer.run();
  const stepEvents = events.flatMap((e) => (e.type === 'step' ? [e] : []));
  const errors = events.filter((e) => e.type === 'error');
  trainer.dispose();
  expect(errors).toEqual([]);
  expect(stepEvents).toHaveLength(steps);
  for (const l of losses(events)) expect(Number.isFinite(l)).toBe(true);
  expect(stepEvents[steps - 1]!.tensors).toBe(stepEvents[1]!.tensors);
  return events;
}

describe('training with views, queues and heads (cpu, tiny encoder)', () => {
  it('ConSERT shuffle + feature cutoff views (one per view)', async () => {
    await runs(
      mergeConfig(TINY, {
        augment: {
          embedding: { view1: { kind: 'shuffle' }, view2: { kind: 'feature-cutoff', rate: 0.2 } },
        },
      }),
    );
  });

  it('token cutoff, span cutoff, embedding dropout and noise, with GradCache', async () => {
    for (const view of [
      { kind: 'token-cutoff', rate: 0.15 },
      { kind: 'span-cutoff', rate: 0.2 },
      { kind: 'dropout', rate: 0.2 },
      { kind: 'noise', sigma: 0.05 },
    ] as const) {
      await runs(
        mergeConfig(TINY, { augment: { embedding: view }, gradCache: { chunkSize: 4 } }),
        3,
      );
    }
  });

  it('EDA text views with WordNet synonyms, dropout off', async () => {
    await runs(
      mergeConfig(TINY, {
        augment: {
          dropout: false,
          eda: {
            synonymReplacement: 0.2,
            randomInsertion: 0.1,
            randomSwap: 0.1,
            randomDeletion: 0.1,
          },
        },
      }),
      4,
    );
  });

  it('a negative queue from the encoder itself (m = 0) and from a momentum encoder', async () => {
    await runs(mergeConfig(TINY, { objective: { queue: { size: 2, momentum: 0 } } }), 5);
    await runs(mergeConfig(TINY, { objective: { queue: { size: 2, momentum: 0.9 } } }), 5);
  });

  it('classifier objectives on the built-in genre set report accuracy and macro-F1', async () => {
    for (const kind of ['ce', 'rdrop', 'logit-contrast', 'supcon'] as const) {
      const events = await runs(
        mergeConfig(TINY, { data: GENRES, objective: { kind }, encoder: { mlpHead: 'none' } }),
        4,
      );
      const ev = events.find((e) => e.type === 'eval');
      expect(ev && ev.type === 'eval' && ev.accuracy, kind).toBeGreaterThanOrEqual(0);
      expect(ev && ev.type === 'eval' && ev.macroF1, kind).toBeGreaterThanOrEqual(0);
      expect(ev && ev.type === 'eval' && ev.projection?.length, kind).toBe(40);
    }
  });

  it('the adversarial (FGV) view on a supervised objective', async () => {
    await runs(
      mergeConfig(TINY, {
        data: GENRES,
        objective: { kind: 'rdrop' },
        encoder: { mlpHead: 'none' },
        augment: { embedding: { view1: null, view2: { kind: 'adversarial', epsilon: 1 } } },
      }),
      3,
    );
  });

  it('without an STS set, alignment and uniformity use two views of held-out sentences', async () => {
    const events = await runs({ ...TINY }, 4);
    const ev = events.find((e) => e.type === 'eval');
    expect(ev).toMatchObject({ protocol: 'held-out-views' });
    if (ev?.type !== 'eval') throw new Error('no eval');
    expect(ev.alignment).toBeGreaterThanOrEqual(0);
    expect(ev.alignment).toBeLessThanOrEqual(4);
    expect(ev.uniformity).toBeLessThanOrEqual(0);
    expect(ev.cosine).toHaveLength(16);
  });
});
