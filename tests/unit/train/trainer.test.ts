import { describe, expect, it } from 'vitest';
import type { EmbeddingViewPass } from '../../../src/engine/augment/consert.ts';
import { mergeConfig } from '../../../src/engine/config/presets.ts';
import * as tf from '../../../src/engine/tf.ts';
import { losses, makeTrainer, memoryStore, TINY } from './helpers.ts';

describe('Trainer (cpu backend, tiny built-in encoder)', () => {
  it('is deterministic: the same config and seed give the same loss sequence', async () => {
    const a = await makeTrainer({ ...TINY, maxSteps: 6 });
    await a.trainer.run();
    a.trainer.dispose();
    const b = await makeTrainer({ ...TINY, maxSteps: 6 });
    await b.trainer.run();
    b.trainer.dispose();
    expect(losses(a.events)).toHaveLength(6);
    expect(losses(b.events)).toEqual(losses(a.events));
    // A different seed gives a different run (dropout masks, batches, init).
    const c = await makeTrainer({ ...TINY, seed: 4, maxSteps: 6 });
    await c.trainer.run();
    c.trainer.dispose();
    expect(losses(c.events)).not.toEqual(losses(a.events));
  });

  it('resumes exactly from a checkpoint (weights, optimiser, RNG, batcher)', async () => {
    const straight = await makeTrainer({ ...TINY, maxSteps: 6 });
    await straight.trainer.run();
    straight.trainer.dispose();

    const store = memoryStore();
    const first = await makeTrainer({ ...TINY, maxSteps: 6 }, { store, runId: 'r' });
    for (let i = 0; i < 3; i++) await first.trainer.trainStep();
    await first.trainer.saveCheckpoint();
    first.trainer.dispose();
    expect(store.saved.get('r')?.step).toBe(3);

    const second = await makeTrainer({ ...TINY, maxSteps: 6 }, { store, runId: 'r', resume: true });
    expect(second.trainer.step).toBe(3);
    await second.trainer.run();
    second.trainer.dispose();
    const resumed = [...losses(first.events), ...losses(second.events)];
    expect(resumed).toEqual(losses(straight.events));
  });

  it('stops on divergence with a clear event and keeps the last good checkpoint', async () => {
    const store = memoryStore();
    const { trainer, events } = await makeTrainer(
      { ...TINY, maxSteps: 20, checkpointEvery: 1 },
      { store, runId: 'nan' },
    );
    for (let i = 0; i < 3; i++) await trainer.trainStep();
    await trainer.saveCheckpoint();
    // A weight turns NaN (as after an overflow): the next loss is NaN.
    const w = trainer.bundle.model.variables().get('encoder.layer.0.output.dense.weight')!;
    w.assign(tf.fill(w.shape, Number.NaN));
    await trainer.run();
    trainer.dispose();
    const err = events.find((e) => e.type === 'error');
    expect(err).toMatchObject({ kind: 'divergence', step: 4 });
    expect(err?.type === 'error' && err.message).toMatch(
      /^Training diverged at step 4: the loss is NaN\. The update was not applied; the last good checkpoint \(step 3\) is kept\./,
    );
    expect(events.find((e) => e.type === 'done')).toMatchObject({ reason: 'failed', step: 3 });
    const ckpt = store.saved.get('nan')!;
    expect(ckpt.step).toBe(3);
    for (const rec of Object.values(ckpt.weights))
      expect(rec.data.every(Number.isFinite)).toBe(true);
  });

  it('keeps the tensor count and bytes flat over 200 steps', async () => {
    const { trainer, events } = await makeTrainer({
      ...TINY,
      batchSize: 4,
      maxSteps: 200,
      evalEvery: 50,
      encoder: { builtin: { layers: 1, hidden: 16, heads: 2, intermediate: 32 }, maxLength: 16 },
    });
    await trainer.run();
    const steps = events.flatMap((e) => (e.type === 'step' ? [e] : []));
    expect(steps).toHaveLength(200);
    const after10 = steps[9]!;
    const last = steps[199]!;
    expect(last.tensors).toBe(after10.tensors);
    expect(last.bytes).toBe(after10.bytes);
    trainer.dispose();
  }, 120_000);
});

describe('GradCache', () => {
  for (const objective of ['simcse-unsup', 'simcse-sup'] as const) {
    it(`${objective}: with dropout on, the chunked gradient equals the full-batch gradient (1e-5)`, async () => {
      const config = mergeConfig(TINY, {
        gradCache: { chunkSize: 2 },
        objective: { kind: objective },
        data:
          objective === 'simcse-sup'
            ? { train: { source: 'tests/fixtures/train/triplets.tsv', kind: 'triplets' } }
            : TINY.data!,
        batchSize: objective === 'simcse-sup' ? 4 : 8,
        augment: { dropout: true },
        encoder: { hiddenDropout: 0.1, attentionDropout: 0.1 },
      });
      const { trainer } = await makeTrainer(config);
      const { batch, stepSeed } = trainer.nextBatch();
      const passes: EmbeddingViewPass[] = [];
      const cached = trainer.computeGradients(batch, stepSeed, passes);
      const full = trainer.computeGradients(batch, stepSeed, passes, true);
      const lossDiff = Math.abs(cached.loss.dataSync()[0]! - full.loss.dataSync()[0]!);
      expect(lossDiff).toBeLessThan(1e-5);
      expect([...cached.grads.keys()].sort()).toEqual([...full.grads.keys()].sort());
      let worst = 0;
      let norm = 0;
      for (const [k, g] of cached.grads) {
        const d = tf.max(tf.abs(tf.sub(g, full.grads.get(k)!))).dataSync()[0]!;
        worst = Math.max(worst, d);
        norm += tf.sum(tf.square(g)).dataSync()[0]!;
      }
      expect(norm).toBeGreaterThan(0);
      expect(worst).toBeLessThan(1e-5);
      // The dropout masks matter: another seed gives another gradient.
      const other = trainer.computeGradients(batch, stepSeed + 1, passes, true);
      const changed = [...other.grads].some(
        ([k, g]) => tf.max(tf.abs(tf.sub(g, full.grads.get(k)!))).dataSync()[0]! > 1e-4,
      );
      expect(changed).toBe(true);
      for (const r of [cached, full, other]) {
        r.loss.dispose();
        for (const g of r.grads.values()) g.dispose();
      }
      trainer.dispose();
    });
  }
});

describe('backend failures in plain words', () => {
  it('out of memory names the batch size, a lost GPU the backend; other errors pass through', async () => {
    const { explainRuntimeFailure } = await import('../../../src/engine/train/trainer.ts');
    const oom = explainRuntimeFailure(new RangeError('Array buffer allocation failed'), 6, 5);
    expect(oom?.field).toBe('batchSize');
    expect(oom?.message).toMatch(
      /^The backend ran out of memory at step 7: lower batchSize or encoder\.maxLength, or turn on GradCache with a small chunk\. The checkpoint at step 5 is kept\. \(Array buffer allocation failed\)$/,
    );
    const lost = explainRuntimeFailure(new Error('GPUDevice was lost: reason destroyed'), 0, 0);
    expect(lost?.field).toBe('backend');
    expect(lost?.message).toMatch(
      /^The GPU device was lost at step 1 .*choose another backend\. \(GPUDevice was lost/,
    );
    expect(explainRuntimeFailure(new Error('shape mismatch'), 3, 0)).toBeNull();
  });
});
