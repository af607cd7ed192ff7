/**
 * The trainer's own STS evaluation (Trainer.runEval on an `sts` eval set) against PyTorch on the
 * same weights (tests/fixtures/model/tiny-bert, untrained) and the same rows: the first 64 pairs
 * of STS-B dev (../shared/data/stsb/dev.tsv). SimCSE's protocol, as in
 * tests/fixtures/wiring/make_wiring.py: the test-time representation of unsupervised SimCSE with
 * pooling cls and mlpHead train-only is the [CLS] state before the pooler; Spearman and Pearson
 * × 100 of the pair cosines against the gold scores (scipy); alignment over the pairs with gold > 4
 * and uniformity over all 128 sentences (Wang & Isola's align_loss / uniform_loss, α = t = 2).
 * Tolerances: Spearman 1e-6 (ranks; the closest two cosines are 6e-5 apart), Pearson 1e-4,
 * alignment and uniformity 1e-5.
 */
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../helpers/paths.ts';
import { readJson, wiringTrainer } from './host.ts';

interface StsGolden {
  rows: number;
  maxLength: number;
  sentence1: string[];
  sentence2: string[];
  scores: number[];
  ids1: number[][];
  ids2: number[][];
  spearman: number;
  pearson: number;
  alignment: number;
  uniformity: number;
  positives: number;
}

describe('STS evaluation inside the trainer equals PyTorch', () => {
  it('Spearman, Pearson, alignment and uniformity on STS-B dev rows', async () => {
    const g = readJson<StsGolden>('sts_eval.json');
    const { trainer, events } = await wiringTrainer({
      seed: 0,
      backend: 'cpu',
      encoder: {
        source: 'tests/fixtures/model/tiny-bert',
        pooling: 'cls',
        mlpHead: 'train-only',
        maxLength: g.maxLength,
      },
      data: {
        train: { source: 'tests/fixtures/wiring/sentences.txt', kind: 'sentences' },
        eval: { source: sharedData('stsb', 'dev.tsv'), kind: 'sts', limit: g.rows },
      },
      objective: { kind: 'simcse-unsup' },
      batchSize: 8,
      maxSteps: 1,
      evalEvery: 1,
    });
    // The same rows and the same token ids as the PyTorch side.
    const ex = trainer.evalSet!.examples;
    expect(ex.map((e) => e.text)).toEqual(g.sentence1);
    expect(ex.map((e) => e.text2)).toEqual(g.sentence2);
    expect(ex.map((e) => e.rawScore)).toEqual(g.scores);
    const tok = trainer.bundle.tokenizer;
    expect(g.sentence1.map((s) => tok.encode(s, undefined, g.maxLength).ids)).toEqual(g.ids1);
    expect(g.sentence2.map((s) => tok.encode(s, undefined, g.maxLength).ids)).toEqual(g.ids2);
    expect(g.positives).toBeGreaterThan(10);

    await trainer.runEval();
    const ev = trainer.evalEvents.at(-1)!;
    expect(events.some((e) => e.type === 'eval')).toBe(true);
    expect(ev.protocol).toBe('sts-pairs');
    expect(Math.abs(ev.spearman! - g.spearman)).toBeLessThan(1e-6);
    expect(Math.abs(ev.pearson! - g.pearson)).toBeLessThan(1e-4);
    expect(Math.abs(ev.alignment! - g.alignment)).toBeLessThan(1e-5);
    expect(Math.abs(ev.uniformity! - g.uniformity)).toBeLessThan(1e-5);
    trainer.dispose();
  });
});
