/**
 * `objective.fixedDropoutMask` (SimCSE Table 3's "fixed 0.1" control): dropout stays on, but both
 * views of a sentence get the same mask, so unsupervised SimCSE's positive pair is identical.
 *
 * What is checked, on a tiny random-init encoder (hidden 32, one layer, batch 8, cpu):
 *   - with the flag, the loss's two segments (view 1, view 2) are equal bit for bit, so every
 *     positive logit cos(z1_i, z2_i)/τ is 1/τ = 20 (within 1e-4: float32 normalisation);
 *   - dropout still acts: masks with zeros are drawn, and the embeddings differ from the
 *     no-dropout pass of the same rows by more than 1e-3;
 *   - without the flag, the views differ (> 1e-3) and the positive logits stay below 1/τ;
 *   - GradCache replays the fixed masks: its gradient equals the full-batch gradient of the same
 *     step within 1e-5 (the views are identical in every chunk);
 *   - 2 data-parallel replicas (worker_threads) take the same fixed-mask step as one worker with
 *     GradCache chunks of B/2 (loss, norm, weights within 1e-5), and another one than without it;
 *   - the field defaults to false, is refused for other objectives, and round-trips the URL hash
 *     and the exported model card.
 */
import { describe, expect, it } from 'vitest';
import { configToHash, hashToConfig } from '../../../src/app/state/urlState.ts';
import type { EmbeddingViewPass } from '../../../src/engine/augment/consert.ts';
import { mergeConfig } from '../../../src/engine/config/presets.ts';
import type { ExperimentInput } from '../../../src/engine/config/schema.ts';
import { parseExperiment } from '../../../src/engine/config/validate.ts';
import { nodeReplicaHost } from '../../../src/engine/node/replicaThreads.ts';
import { simcseUnsupLogits } from '../../../src/engine/objectives/simcse.ts';
import * as tf from '../../../src/engine/tf.ts';
import {
  encodeTokenised,
  representation,
  tokeniseSegments,
} from '../../../src/engine/train/encodeRows.ts';
import type { StepEvent, TrainEvent } from '../../../src/engine/train/events.ts';
import type { GradResult } from '../../../src/engine/train/gradCache.ts';
import { segmentRows } from '../../../src/engine/train/step.ts';
import type { Trainer } from '../../../src/engine/train/trainer.ts';
import { makeTrainer, TINY } from './helpers.ts';
import { type ProbeRecord, recorder } from './wiring/host.ts';

const TAU = 0.05;
const DROPOUT: ExperimentInput = {
  augment: { dropout: true },
  encoder: { hiddenDropout: 0.1, attentionDropout: 0.1 },
  objective: { kind: 'simcse-unsup', temperature: TAU },
  optimizer: { kind: 'adamw', lr: 1e-3 },
};
const FIXED = mergeConfig(TINY, DROPOUT, { objective: { fixedDropoutMask: true } });
const FREE = mergeConfig(TINY, DROPOUT);

/** One host for the file: its threads are kept warm from one trainer to the next. */
const HOST = nodeReplicaHost({ reuse: true });

function trainerFor(
  config: ExperimentInput,
  opts: { parallel?: boolean; probe?: ReturnType<typeof recorder>['probe'] } = {},
): Promise<{ trainer: Trainer; events: TrainEvent[] }> {
  return makeTrainer(config, {
    runId: 'fixed-mask',
    ...(opts.parallel ? { replicas: HOST } : {}),
    ...(opts.probe ? { probe: opts.probe } : {}),
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

const tensorOf = (r: ProbeRecord) =>
  tf.tensor2d(r.data as Float32Array, r.shape as [number, number]);

/** The positive logits cos(z1_i, z2_i)/τ of the two recorded views. */
function positiveLogits(z1: ProbeRecord, z2: ProbeRecord): number[] {
  return tf.tidy(() => {
    const logits = simcseUnsupLogits(tensorOf(z1), tensorOf(z2), TAU); // [N, N]
    const n = z1.shape[0]!;
    return Array.from(tf.sum(tf.mul(logits, tf.eye(n)), 1).dataSync());
  });
}

/** One step's gradients with a probe on the loss's segments and the dropout masks. */
async function oneStep(config: ExperimentInput, fullBatchReference = false) {
  const rec = recorder((n) => n.startsWith('loss.segment.') || n.startsWith('dropout.'));
  const { trainer } = await trainerFor(config, { probe: rec.probe });
  const { batch, stepSeed } = trainer.nextBatch();
  const passes: EmbeddingViewPass[] = [];
  const grads = trainer.computeGradients(batch, stepSeed, passes, fullBatchReference);
  for (const p of passes) p.dispose();
  return { trainer, rec, batch, stepSeed, grads };
}

function release(...rs: GradResult[]) {
  for (const r of rs) {
    r.loss.dispose();
    for (const g of r.grads.values()) g.dispose();
  }
}

describe('fixed dropout mask: both views of a sentence share one mask', () => {
  it('with the flag the views are identical (positive logit 1/τ), and dropout still acts', async () => {
    const { trainer, rec, batch, grads } = await oneStep(FIXED);
    const [z1, z2] = [rec.named('loss.segment.0')[0]!, rec.named('loss.segment.1')[0]!];
    expect(z1.shape).toEqual([8, 32]);
    expect(maxAbsDiff(z1.data, z2.data)).toBe(0);
    for (const l of positiveLogits(z1, z2)) expect(Math.abs(l - 1 / TAU)).toBeLessThan(1e-4);
    // Dropout is on: the masks it drew hold zeros (p = 0.1 of them, roughly) ...
    const masks = rec.records.filter((r) => r.name.startsWith('dropout.'));
    expect(masks.length).toBeGreaterThan(0);
    const zeros = masks.reduce((a, m) => a + m.data.filter((x) => x === 0).length, 0);
    const all = masks.reduce((a, m) => a + m.data.length, 0);
    expect(zeros / all).toBeGreaterThan(0.05);
    expect(zeros / all).toBeLessThan(0.15);
    // ... and each view pass draws the same masks as the other (one pass per view, same seed).
    const bySite = new Map<string, ProbeRecord[]>();
    for (const m of masks) bySite.set(m.name, [...(bySite.get(m.name) ?? []), m]);
    for (const [site, ms] of bySite) {
      expect(ms, site).toHaveLength(2);
      expect(maxAbsDiff(ms[0]!.data, ms[1]!.data), site).toBe(0);
    }
    // The embeddings are not the no-dropout pass of the same rows.
    const cfg = trainer.config;
    const tok = tokeniseSegments(trainer.bundle, batch.segments, cfg.encoder.maxLength);
    const clean = tf.tidy(() =>
      encodeTokenised(trainer.bundle, cfg, segmentRows(tok)[0]!, {
        training: false,
        dropoutSeed: 0,
        ...representation(cfg, 'train', true),
        views: [null, null],
      }).dataSync(),
    );
    expect(maxAbsDiff(z1.data, clean)).toBeGreaterThan(1e-3);
    release(grads);
    trainer.dispose();
  });

  it('without it the two views differ and the positive logits stay below 1/τ', async () => {
    const { trainer, rec, grads } = await oneStep(FREE);
    const [z1, z2] = [rec.named('loss.segment.0')[0]!, rec.named('loss.segment.1')[0]!];
    expect(maxAbsDiff(z1.data, z2.data)).toBeGreaterThan(1e-3);
    const below = positiveLogits(z1, z2).filter((l) => l < 1 / TAU - 1e-3);
    expect(below.length).toBe(8);
    release(grads);
    trainer.dispose();
  });

  it('GradCache replays the fixed masks: identical views per chunk, the full-batch gradient', async () => {
    const config = mergeConfig(FIXED, { gradCache: { chunkSize: 4 } });
    const { trainer, rec, batch, stepSeed, grads: cached } = await oneStep(config);
    const [z1, z2] = [rec.named('loss.segment.0')[0]!, rec.named('loss.segment.1')[0]!];
    expect(maxAbsDiff(z1.data, z2.data)).toBe(0);
    const passes: EmbeddingViewPass[] = [];
    const full = trainer.computeGradients(batch, stepSeed, passes, true);
    expect(Math.abs(cached.loss.dataSync()[0]! - full.loss.dataSync()[0]!)).toBeLessThan(1e-5);
    let worst = 0;
    for (const [k, g] of cached.grads) {
      worst = Math.max(
        worst,
        tf.tidy(() => tf.max(tf.abs(tf.sub(g, full.grads.get(k)!))).dataSync()[0]!),
      );
    }
    expect(worst).toBeLessThan(1e-5);
    expect(cached.grads.size).toBe(full.grads.size);
    release(cached, full);
    trainer.dispose();
  });

  it('2 data-parallel replicas take the one-worker fixed-mask step (chunks of B/2)', async () => {
    const firstStep = async (t: { trainer: Trainer; events: TrainEvent[] }) => {
      expect(await t.trainer.trainStep()).toBe(true);
      return t.events.find((e): e is StepEvent => e.type === 'step')!;
    };
    const one = await trainerFor(mergeConfig(FIXED, { workers: 1, gradCache: { chunkSize: 4 } }));
    const two = await trainerFor(mergeConfig(FIXED, { workers: 2 }), { parallel: true });
    expect([one.trainer.workers, two.trainer.workers]).toEqual([1, 2]);
    const [a, b] = [await firstStep(one), await firstStep(two)];
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
    expect(Math.abs(a.gradNorm! - b.gradNorm!)).toBeLessThan(1e-5);
    for (const [k, v] of one.trainer.bundle.model.variables()) {
      const w = two.trainer.bundle.model.variables().get(k)!;
      expect(maxAbsDiff(v.dataSync(), w.dataSync()), k).toBeLessThan(1e-5);
    }
    for (const t of [one, two]) t.trainer.dispose();
    // The flag changes the step: independent masks (on the same 2 replicas) give another loss.
    const free = await trainerFor(mergeConfig(FREE, { workers: 2 }), { parallel: true });
    expect(Math.abs((await firstStep(free)).loss - b.loss)).toBeGreaterThan(1e-4);
    free.trainer.dispose();
  });
});

describe('the objective.fixedDropoutMask field', () => {
  it('defaults to false and is refused for objectives without two views of one sentence', () => {
    expect(parseExperiment({}).objective.fixedDropoutMask).toBe(false);
    expect(() =>
      parseExperiment({
        objective: { kind: 'ce', fixedDropoutMask: true },
        data: { train: { source: 'builtin:brown-genres', kind: 'labeled' } },
      }),
    ).toThrow(/objective\.fixedDropoutMask: fixedDropoutMask is unsupervised SimCSE's control/);
    expect(() => parseExperiment({ objective: { fixedDropoutMaks: true } })).toThrow(
      /objective\.fixedDropoutMaks: unknown key — did you mean objective\.fixedDropoutMask\?/,
    );
  });

  it('round-trips the URL hash and the exported model card', async () => {
    const config = parseExperiment(FIXED);
    const hash = configToHash(config);
    expect(hash).toContain('objective.fixedDropoutMask=true');
    expect(hashToConfig(`#${hash}`)).toEqual(config);
    expect(configToHash(parseExperiment(FREE))).not.toContain('fixedDropoutMask');

    const { trainer } = await trainerFor(mergeConfig(FIXED, { maxSteps: 1 }));
    const files = await trainer.exportModel();
    const card = new TextDecoder().decode(files.get('README.md')!);
    const json = /## Experiment config\n\n```json\n([\s\S]*?)\n```/.exec(card)?.[1];
    expect(json).toBeDefined();
    const back = parseExperiment(JSON.parse(json!));
    expect(back.objective.fixedDropoutMask).toBe(true);
    expect(back).toEqual(trainer.config);
    trainer.dispose();
  });
});
