import { describe, expect, it } from 'vitest';
import {
  mergeConfig,
  PAPER_SETTINGS,
  PLAYGROUND_DEFAULT,
  PRESETS,
  presetConfig,
} from '../../../src/engine/config/presets.ts';
import { ExperimentSchema } from '../../../src/engine/config/schema.ts';
import { parseExperiment, parseExperimentJson } from '../../../src/engine/config/validate.ts';

describe('experiment config', () => {
  it('fills the papers defaults (SimCSE: τ 0.05, dropout 0.1, lr 3e-5, batch 64, max length 32)', () => {
    const c = parseExperiment({});
    expect(c.objective).toMatchObject({
      kind: 'simcse-unsup',
      temperature: 0.05,
      hardNegativeWeight: 0,
    });
    expect(c.encoder).toMatchObject({
      hiddenDropout: 0.1,
      attentionDropout: 0.1,
      maxLength: 32,
      pooling: 'cls',
    });
    expect(c.optimizer).toMatchObject({
      kind: 'adamw',
      lr: 3e-5,
      schedule: 'constant',
      clipNorm: null,
    });
    expect(c.batchSize).toBe(64);
    expect(c.gradCache).toBeNull();
  });

  it('names the field and the allowed values in validation errors', () => {
    expect(() => parseExperiment({ objective: { kind: 'simclr' } })).toThrow(
      /objective\.kind: "simclr" is not allowed; use one of "simcse-unsup", "simcse-sup", "supcon", "rdrop", "ce", "logit-contrast"/,
    );
    expect(() => parseExperiment({ encoder: { pooling: 'max' } })).toThrow(
      /encoder\.pooling: "max" is not allowed/,
    );
    expect(() => parseExperiment({ batchSize: 1 })).toThrow(/batchSize: Too small/);
    expect(() => parseExperiment({ objective: { kind: 'simcse-sup' } })).toThrow(
      /data\.train\.kind: objective simcse-sup needs training data of kind triplets, got sentences/,
    );
    expect(() => parseExperiment({ gradCache: { chunkSize: 128 }, batchSize: 64 })).toThrow(
      /gradCache\.chunkSize: chunkSize \(128\) must not exceed batchSize \(64\)/,
    );
    expect(() => parseExperiment({ augment: { embedding: { kind: 'adversarial' } } })).toThrow(
      /augment\.embedding: the adversarial view needs a supervised objective/,
    );
    expect(() => parseExperiment({ encoder: { builtin: { hidden: 30, heads: 4 } } })).toThrow(
      /encoder\.builtin\.hidden: hidden must be a multiple of heads/,
    );
    expect(() => parseExperimentJson('{"seed": 1,', 'exp.json')).toThrow(
      /^exp\.json is not valid JSON/,
    );
  });

  it('every preset and paper setting is a valid experiment', () => {
    for (const p of PRESETS) expect(() => parseExperiment(presetConfig(p.id)), p.id).not.toThrow();
    for (const [id, s] of Object.entries(PAPER_SETTINGS)) {
      expect(() => parseExperiment(mergeConfig(PLAYGROUND_DEFAULT, s)), id).not.toThrow();
    }
    expect(ExperimentSchema.safeParse(PLAYGROUND_DEFAULT).success).toBe(true);
  });

  it('ConSERT views: one view for both, or one per view', () => {
    const one = parseExperiment({ augment: { embedding: { kind: 'token-cutoff' } } });
    expect(one.augment.embedding).toEqual({ kind: 'token-cutoff', rate: 0.15 });
    const two = parseExperiment({
      augment: { embedding: { view1: { kind: 'shuffle' }, view2: { kind: 'feature-cutoff' } } },
    });
    expect(two.augment.embedding).toEqual({
      view1: { kind: 'shuffle' },
      view2: { kind: 'feature-cutoff', rate: 0.2 },
    });
  });
});
