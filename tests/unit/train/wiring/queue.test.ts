/**
 * Unsupervised SimCSE's negative queue (ESimCSE / MoCo) in real training steps: the negatives the
 * loss receives are the stored keys of the previous batches, and the step's loss is InfoNCE over
 * the in-batch columns plus those keys. The probe (src/engine/model/probe.ts) shows the loss's
 * inputs (`loss.segment.<s>`, `loss.queue`); the expected loss is computed here in float64 from
 * the paper's formula:  ℓ = mean_i −log( e^{s_ii} / (Σ_j e^{s_ij} + Σ_k e^{cos(z1_i, q_k)/τ}) ),
 * s_ij = cos(z1_i, z2_j)/τ, τ = 0.05. Tolerances: keys exact (m = 0) or 1e-5 (momentum encoder,
 * recomputed here), loss relative 1e-5.
 */
import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../../../src/engine/config/presets.ts';
import type { ExperimentInput } from '../../../../src/engine/config/schema.ts';
import { BertModel } from '../../../../src/engine/model/index.ts';
import * as tf from '../../../../src/engine/tf.ts';
import type { TrainEvent } from '../../../../src/engine/train/events.ts';
import { maxAbsDiff, type ProbeRecord, recorder, wiringTrainer } from './host.ts';

const TAU = 0.05;
const N = 4; // batch size; the 8 sentences make two batches per epoch

const BASE: ExperimentInput = {
  seed: 2,
  backend: 'cpu',
  encoder: {
    source: 'tests/fixtures/model/tiny-bert',
    pooling: 'cls',
    mlpHead: 'none',
    maxLength: 16,
  },
  data: { train: { source: 'tests/fixtures/wiring/sentences.txt', kind: 'sentences' } },
  objective: { kind: 'simcse-unsup', temperature: TAU, queue: { size: 2, momentum: 0 } },
  optimizer: { kind: 'sgd', lr: 0.1 },
  batchSize: N,
  maxSteps: 10,
  shuffle: false,
  evalEvery: 1000,
  checkpointEvery: 1000,
};

function rowsOf(data: ArrayLike<number>, d: number): number[][] {
  return Array.from({ length: data.length / d }, (_, i) =>
    Array.from(data).slice(i * d, (i + 1) * d),
  );
}

function cos(a: number[], b: number[]): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

/** InfoNCE of z1 against z2 (positives on the diagonal) and the queued negatives q. */
function infoNce(z1: number[][], z2: number[][], q: number[][]): number {
  let total = 0;
  z1.forEach((a, i) => {
    const logits = [...z2.map((b) => cos(a, b) / TAU), ...q.map((b) => cos(a, b) / TAU)];
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0));
    total += lse - logits[i]!;
  });
  return total / z1.length;
}

function stepLosses(events: TrainEvent[]): number[] {
  return events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
}

/** The probe's records of one step, by name. */
async function steps(config: ExperimentInput, n: number) {
  const perStep: Map<string, ProbeRecord>[] = [];
  const rec = recorder((name) => name.startsWith('loss.') || name.startsWith('encoder.'));
  const { trainer, events } = await wiringTrainer(config, { probe: rec.probe });
  const weights: Map<string, Float32Array>[] = [snapshot(trainer.bundle.model)];
  for (let s = 0; s < n; s++) {
    rec.clear();
    expect(await trainer.trainStep()).toBe(true);
    perStep.push(new Map(rec.records.map((r) => [r.name, r])));
    weights.push(snapshot(trainer.bundle.model));
  }
  return { trainer, events, perStep, weights };
}

function snapshot(model: BertModel): Map<string, Float32Array> {
  return new Map(
    [...model.variables()].map(([k, v]) => [k, (v.dataSync() as Float32Array).slice()]),
  );
}

describe('the negative queue in training', () => {
  it('m = 0: the negatives are the stored second views of the previous batches (oldest first)', async () => {
    const { trainer, events, perStep } = await steps(BASE, 4);
    const z2 = perStep.map((p) => p.get('loss.segment.1')!.data);
    expect(perStep[0]!.has('loss.queue')).toBe(false); // empty before the first update
    // Step 2 sees step 1's keys; step 3 both; step 4 the newest two batches (capacity 2 × 4 rows).
    expect(Array.from(perStep[1]!.get('loss.queue')!.data)).toEqual(Array.from(z2[0]!));
    expect(Array.from(perStep[2]!.get('loss.queue')!.data)).toEqual([...z2[0]!, ...z2[1]!]);
    expect(Array.from(perStep[3]!.get('loss.queue')!.data)).toEqual([...z2[1]!, ...z2[2]!]);
    // The checkpoint stores the queue the next step will use: steps 3 and 4's keys.
    const ckpt = await trainer.checkpoint();
    expect(Array.from(ckpt.queue!.data)).toEqual([...z2[2]!, ...z2[3]!]);

    // The reported losses are InfoNCE over the batch plus exactly those negatives.
    const losses = stepLosses(events);
    perStep.forEach((p, s) => {
      const d = p.get('loss.segment.0')!.shape[1]!;
      const z1 = rowsOf(p.get('loss.segment.0')!.data, d);
      const zz = rowsOf(p.get('loss.segment.1')!.data, d);
      const q = p.has('loss.queue') ? rowsOf(p.get('loss.queue')!.data, d) : [];
      const want = infoNce(z1, zz, q);
      expect(Math.abs(losses[s]! - want) / want, `step ${s + 1}`).toBeLessThan(1e-5);
      if (q.length)
        expect(Math.abs(want - infoNce(z1, zz, [])), `step ${s + 1}`).toBeGreaterThan(1e-3);
    });
    trainer.dispose();
  });

  it('m > 0: the negatives are the momentum encoder’s keys of the previous batch', async () => {
    const m = 0.9;
    const config = mergeConfig(BASE, {
      augment: { dropout: false },
      objective: { queue: { size: 1, momentum: m } },
    });
    const { trainer, events, perStep, weights } = await steps(config, 2);
    // Key encoder after step 1: θ_k = m·θ_0 + (1 − m)·θ_1 (it starts as a copy of θ_0).
    const tensors = new Map<string, tf.Tensor>();
    for (const [k, v] of trainer.bundle.model.variables()) {
      const t0 = weights[0]!.get(k)!;
      const t1 = weights[1]!.get(k)!;
      tensors.set(
        k,
        tf.tensor(
          t0.map((a, i) => m * a + (1 - m) * t1[i]!),
          v.shape,
        ),
      );
    }
    const keyModel = BertModel.fromWeights(trainer.bundle.model.config, tensors);
    for (const t of tensors.values()) t.dispose();
    // Its keys of step 1's sentences: the second view's rows of that step's encoder input.
    const ids = perStep[0]!.get('encoder.inputIds')!;
    const mask = perStep[0]!.get('encoder.attentionMask')!;
    const L = ids.shape[1]!;
    const half = (t: ProbeRecord) => tf.tensor2d(t.data.slice(N * L, 2 * N * L), [N, L], 'int32');
    const inputs = { inputIds: half(ids), attentionMask: half(mask) };
    const out = keyModel.forward(inputs, { training: false });
    const keys = out.poolerOutput.dataSync() as Float32Array; // pooling cls, no MLP
    tf.dispose([out, inputs]);
    keyModel.dispose();

    const q = perStep[1]!.get('loss.queue')!;
    expect(q.shape).toEqual([N, 32]);
    expect(maxAbsDiff(q.data, keys)).toBeLessThan(1e-5);
    // The keys are not the encoder's own second views (that would be m = 0).
    expect(maxAbsDiff(q.data, perStep[0]!.get('loss.segment.1')!.data)).toBeGreaterThan(1e-3);
    const p = perStep[1]!;
    const z1 = rowsOf(p.get('loss.segment.0')!.data, 32);
    const z2 = rowsOf(p.get('loss.segment.1')!.data, 32);
    const want = infoNce(z1, z2, rowsOf(keys, 32));
    expect(Math.abs(stepLosses(events)[1]! - want) / want).toBeLessThan(1e-5);
    trainer.dispose();
  });
});
