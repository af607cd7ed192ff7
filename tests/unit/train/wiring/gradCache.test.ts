/**
 * GradCache with a head on top of the representations (the classifier's variables are `headVars`,
 * reached only through the loss): with dropout on, the chunked gradient of every variable,
 * encoder and head, equals the full-batch gradient of the same step (the same chunks and dropout
 * masks under one tape, `computeGradients(..., fullBatchReference = true)`) within 1e-5, and so
 * does the loss. Cases: R-Drop and SupCon/SCL on a 2-class head, CE on a 1-output regression
 * head (kind sts), CE on sentence pairs (labeled-pairs).
 */
import { describe, expect, it } from 'vitest';
import type { EmbeddingViewPass } from '../../../../src/engine/augment/consert.ts';
import { mergeConfig } from '../../../../src/engine/config/presets.ts';
import type { ExperimentInput } from '../../../../src/engine/config/schema.ts';
import * as tf from '../../../../src/engine/tf.ts';
import type { GradResult } from '../../../../src/engine/train/gradCache.ts';
import { wiringCases, wiringTrainer } from './host.ts';

const { cases } = wiringCases();

function worstDiff(a: GradResult, b: GradResult): number {
  let worst = 0;
  for (const [k, g] of a.grads) {
    const other = b.grads.get(k);
    if (!other) throw new Error(`${k} has no full-batch gradient`);
    worst = Math.max(
      worst,
      tf.tidy(() => tf.max(tf.abs(tf.sub(g, other))).dataSync()[0]!),
    );
  }
  return worst;
}

function release(...rs: GradResult[]) {
  for (const r of rs) {
    r.loss.dispose();
    for (const g of r.grads.values()) g.dispose();
  }
}

const CASES: [string, ExperimentInput][] = [
  ['rdrop, classifier head', mergeConfig(cases['rdrop-labeled']!, { gradCache: { chunkSize: 2 } })],
  [
    'supcon, classifier head',
    mergeConfig(cases['rdrop-labeled']!, {
      objective: { kind: 'supcon', temperature: 0.1 },
      gradCache: { chunkSize: 2 },
    }),
  ],
  ['ce, regression head (sts)', mergeConfig(cases['ce-sts']!, { gradCache: { chunkSize: 4 } })],
  ['ce, labeled-pairs', mergeConfig(cases['ce-labeled-pairs']!, { gradCache: { chunkSize: 2 } })],
];

describe('GradCache with a head equals the full-batch gradient (dropout on)', () => {
  for (const [name, config] of CASES) {
    it(name, async () => {
      const { trainer } = await wiringTrainer(config);
      const { batch, stepSeed } = trainer.nextBatch();
      const passes: EmbeddingViewPass[] = [];
      const cached = trainer.computeGradients(batch, stepSeed, passes);
      const full = trainer.computeGradients(batch, stepSeed, passes, true);
      expect(Math.abs(cached.loss.dataSync()[0]! - full.loss.dataSync()[0]!)).toBeLessThan(1e-5);
      expect([...cached.grads.keys()].sort()).toEqual([...full.grads.keys()].sort());
      // The head's variables are among them, with a non-zero gradient.
      const head = [...trainer.bundle.classifier!.variables().values()];
      for (const v of head) {
        expect(cached.grads.has(v.name), v.name).toBe(true);
        expect(
          tf.tidy(() => tf.sum(tf.abs(cached.grads.get(v.name)!)).dataSync()[0]!),
        ).toBeGreaterThan(0);
      }
      expect(cached.grads.size).toBe(39 + head.length); // BERT's 39 tensors + the head's 2
      expect(worstDiff(cached, full)).toBeLessThan(1e-5);
      // The test can fail: other dropout masks (another step seed) give another gradient.
      const other = trainer.computeGradients(batch, stepSeed + 1, passes, true);
      expect(worstDiff(other, full)).toBeGreaterThan(1e-4);
      release(cached, full, other);
      trainer.dispose();
    });
  }
});
