/**
 * The batches a run draws (src/engine/train/batchDraws.ts) are the same whether or not the next
 * one is drawn a step early (as a data-parallel run does, so that its replicas encode the texts
 * while they wait): the same examples, step seeds and EDA views, in the same order. A checkpoint
 * taken while a batch is held early records the states from before it, so a resume draws that
 * batch again instead of skipping it.
 */
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../../src/engine/config/presets.ts';
import { parseExperiment } from '../../../src/engine/config/validate.ts';
import { Batcher } from '../../../src/engine/data/batcher.ts';
import type { Example } from '../../../src/engine/data/types.ts';
import { nodeDataIO } from '../../../src/engine/node/fileIO.ts';
import { Rng } from '../../../src/engine/rng.ts';
import { BatchDraws, type DrawnBatch } from '../../../src/engine/train/batchDraws.ts';
import { makeTask } from '../../../src/engine/train/tasks.ts';
import { TextViews } from '../../../src/engine/train/textViews.ts';
import { REPO_ROOT } from '../../helpers/paths.ts';
import { TINY } from './helpers.ts';

const EXAMPLES: Example[] = Array.from({ length: 40 }, (_, i) => ({
  text: `the sentence number ${i} is here with some words`,
}));

// EDA views, so that each batch's texts depend on its step seed too.
const CONFIG = parseExperiment(
  mergeConfig(TINY, {
    batchSize: 4,
    augment: {
      eda: {
        synonymReplacement: 0.3,
        randomInsertion: 0.2,
        randomSwap: 0.2,
        randomDeletion: 0.2,
        synonyms: 'tests/fixtures/wiring/synonyms.txt',
      },
    },
  }),
);

async function draws(): Promise<BatchDraws> {
  const batcher = new Batcher(EXAMPLES, { batchSize: 4, seed: 5, shuffle: true, dropLast: true });
  const views = await TextViews.create(CONFIG, nodeDataIO(REPO_ROOT));
  return new BatchDraws(new Rng(11), batcher, makeTask(CONFIG), views);
}

/** What a step receives of a batch: its seed, its examples and every view's texts. */
const seen = (d: DrawnBatch) => ({
  stepSeed: d.stepSeed,
  epoch: d.epoch,
  examples: d.examples.map((e) => e.text),
  views: d.batch.segments.map((s) => s.texts),
});

describe('BatchDraws: a batch drawn a step early', () => {
  it('gives the same batches in the same order as drawing each when it is due', async () => {
    const plain = await draws();
    const early = await draws();
    const want = Array.from({ length: 25 }, () => seen(plain.next())); // past an epoch (10 steps)
    const got = Array.from({ length: 25 }, (_, i) => {
      const d = early.next();
      if (i % 3 !== 2) {
        // peeked once or twice: the same batch, drawn once
        expect(seen(early.peek())).toEqual(seen(early.peek()));
      }
      return seen(d);
    });
    expect(got).toEqual(want);
    // The views really differ from batch to batch (EDA from each step's seed).
    expect(new Set(want.map((w) => JSON.stringify(w.views))).size).toBe(25);
  });

  it('a checkpoint taken while one is held records the states before it; a restore draws it again', async () => {
    const a = await draws();
    a.next();
    const before = structuredClone(a.state());
    const held = seen(a.peek());
    expect(a.state()).toEqual(before);
    const b = await draws();
    b.peek(); // dropped by the restore
    b.restore(before.rng, structuredClone(before.batcher));
    expect(seen(b.next())).toEqual(held);
    expect(seen(a.next())).toEqual(held);
    expect(seen(b.next())).toEqual(seen(a.next()));
  });

  it('a checkpoint without one held is the current states', async () => {
    const a = await draws();
    a.next();
    a.next();
    const s = a.state();
    const b = await draws();
    b.restore(s.rng, s.batcher);
    expect(seen(b.next())).toEqual(seen(a.next()));
  });
});
