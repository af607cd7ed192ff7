/**
 * One SGD step of the real trainer (cpu backend, lr 0.1, the whole 8-row file as the batch) equals
 * the same step in PyTorch (tests/fixtures/wiring/make_wiring.py), for the objectives and inputs no
 * other golden covers: R-Drop with dropout ON (the KL term is non-zero), R-Drop and CE on a
 * regression head (kind sts), CE on sentence pairs (labeled-pairs), symmetric unsupervised SimCSE,
 * and the adversarial (FGV) view. With dropout on, PyTorch applies the very masks this step draws:
 * tests/fixtures/wiring/dump_masks.ts recorded them through the trainer's probe, and this test
 * first checks that the step still draws exactly those masks.
 *
 * Compared: the step's loss and global gradient norm (relative 1e-5) and every weight after the
 * update, BERT and classifier head (absolute 1e-5; the worst seen is 6e-7).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainEvent } from '../../../../src/engine/train/events.ts';
import type { Trainer } from '../../../../src/engine/train/trainer.ts';
import {
  maxAbsDiff,
  packBits,
  readJson,
  readTensors,
  recorder,
  rowsOf,
  WIRING,
  weightsAsPyTorch,
  wiringCases,
  wiringTrainer,
} from './host.ts';

interface Golden {
  loss: number;
  gradNorm: number;
  inputIds: number[][];
  tokenTypeIds: number[][];
  kl?: number;
  consistency?: number;
  lossOneDirection?: number;
}
interface Dumped {
  masks: { name: string; shape: number[]; bits: string }[];
}

const { masked, cases } = wiringCases();
const WEIGHT_TOL = 1e-5;

function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}

/** The step event's loss and norm, and every updated weight, against the PyTorch golden. */
function expectSameStep(name: string, trainer: Trainer, events: TrainEvent[], golden: Golden) {
  const step = events.find((e) => e.type === 'step');
  if (step?.type !== 'step') throw new Error(`${name}: no step event`);
  expect(
    relDiff(step.loss, golden.loss),
    `${name} loss ${step.loss} vs ${golden.loss}`,
  ).toBeLessThan(1e-5);
  expect(
    relDiff(step.gradNorm ?? Number.NaN, golden.gradNorm),
    `${name} gradient norm ${step.gradNorm} vs ${golden.gradNorm}`,
  ).toBeLessThan(1e-5);
  const ref = readTensors(join(WIRING, `golden-${name}.safetensors`));
  const ours = weightsAsPyTorch(trainer);
  let compared = 0;
  let worst = { diff: 0, weight: '' };
  for (const [w, want] of ref) {
    if (w.startsWith('fgv.')) continue;
    const got = ours.get(w);
    expect(got, `${name}: the trainer has no ${w}`).toBeDefined();
    const diff = maxAbsDiff(got!, want.data);
    if (diff > worst.diff) worst = { diff, weight: w };
    compared++;
  }
  expect(worst.diff, `${name}: ${worst.weight} after the step`).toBeLessThan(WEIGHT_TOL);
  expect(compared).toBe(ours.size); // every trained weight was compared
  expect(compared).toBeGreaterThanOrEqual(39); // BERT's 39 tensors (+ the head)
}

describe('one training step with dropout on equals PyTorch with the same masks', () => {
  for (const name of masked) {
    it(name, async () => {
      const golden = readJson<Golden>(`golden-${name}.json`);
      const dumped = readJson<Dumped>(`masks-${name}.json`);
      const rec = recorder(
        (n) =>
          n.startsWith('dropout.') ||
          n === 'classifier.dropout' ||
          n === 'encoder.inputIds' ||
          n === 'encoder.tokenTypeIds',
      );
      const { trainer, events } = await wiringTrainer(cases[name]!, { probe: rec.probe });
      expect(await trainer.trainStep()).toBe(true);

      // The batch PyTorch tokenised (its own WordPiece) is the one the encoder received.
      expect(rowsOf(rec.named('encoder.inputIds')[0]!)).toEqual(golden.inputIds);
      expect(rowsOf(rec.named('encoder.tokenTypeIds')[0]!)).toEqual(golden.tokenTypeIds);

      // The step draws the masks the fixture was made from (else: rerun make_wiring.py).
      const drawn = rec.records.filter(
        (r) => r.name.startsWith('dropout.') || r.name === 'classifier.dropout',
      );
      expect(drawn.map((r) => r.name)).toEqual(dumped.masks.map((m) => m.name));
      drawn.forEach((r, i) => {
        expect(r.shape).toEqual(dumped.masks[i]!.shape);
        expect(packBits(r.data), `${name}: ${r.name} differs from masks-${name}.json`).toBe(
          dumped.masks[i]!.bits,
        );
        // Dropout is really on: about 10% of each mask is zero.
        const zeros = Array.from(r.data).filter((v) => v === 0).length / r.data.length;
        expect(zeros, r.name).toBeGreaterThan(0.03);
        expect(zeros, r.name).toBeLessThan(0.2);
      });
      // BERT's 7 sites in the one forward of all rows; R-Drop's two head passes, CE's one.
      expect(drawn.filter((r) => r.name.startsWith('dropout.'))).toHaveLength(7);

      // The terms that dropout makes non-zero are non-zero in the golden.
      if (name === 'rdrop-labeled') expect(golden.kl!).toBeGreaterThan(0.05);
      if (name === 'rdrop-sts') expect(golden.consistency!).toBeGreaterThan(0.05);
      if (name === 'simcse-symmetric')
        expect(Math.abs(golden.loss - golden.lossOneDirection!)).toBeGreaterThan(0.1);

      expectSameStep(name, trainer, events, golden);
      trainer.dispose();
    });
  }
});

describe('the adversarial (FGV) view equals PyTorch', () => {
  for (const name of ['fgv-rdrop', 'fgv-ce-example']) {
    it(`${name}: the perturbation the encoder receives is ε·g/‖g‖ of the clean loss's gradient`, async () => {
      const golden = readJson<Golden>(`golden-${name}.json`);
      const rec = recorder((n) => n === 'encoder.embeddings');
      const { trainer, events } = await wiringTrainer(cases[name]!, { probe: rec.probe });
      expect(await trainer.trainStep()).toBe(true);
      // The clean pass (for g) and then the training pass, each with all rows.
      const [clean, trained] = rec.named('encoder.embeddings');
      expect(rec.records).toHaveLength(2);
      const delta = trained!.data.map((v, i) => v - clean!.data[i]!);
      const want = readTensors(join(WIRING, `golden-${name}.safetensors`)).get('fgv.perturbation')!;
      expect(trained!.shape).toEqual(want.shape);
      // |δ| per value is up to ε; float32 rounding of (x + δ) − x is ~1e-7.
      expect(maxAbsDiff(delta, want.data)).toBeLessThan(1e-5);
      const [rows, L, H] = want.shape as [number, number, number];
      if (name === 'fgv-rdrop') {
        // View 1 has no view: its rows are untouched; every real token of view 2 moves by ε = 1.
        const half = (rows / 2) * L * H;
        expect(delta.subarray(0, half).every((v) => v === 0)).toBe(true);
        let norm = 0;
        for (let h = 0; h < H; h++) norm += delta[half + h]! ** 2; // row 0 of view 2, [CLS]
        expect(Math.sqrt(norm)).toBeCloseTo(1, 4);
      }
      expectSameStep(name, trainer, events, golden);
      trainer.dispose();
    });
  }
});
