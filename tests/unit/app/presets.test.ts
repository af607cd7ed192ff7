import { describe, expect, it } from 'vitest';
import { setIn, validateDraft } from '../../../src/app/state/draft.ts';
import {
  activePreset,
  applyPreset,
  builtinSources,
  presetById,
} from '../../../src/app/state/presets.ts';
import { DEFAULT_CONFIG } from '../../../src/app/state/urlState.ts';
import { PRESETS } from '../../../src/engine/config/presets.ts';

const tiny = [
  ['encoder.builtin', { layers: 1, hidden: 32, heads: 2, intermediate: 64 }],
  ['encoder.maxLength', 16],
  ['batchSize', 8],
  ['maxSteps', 40],
  ['backend', 'wasm'],
  ['seed', 7],
] as const;

function tinyConfig() {
  let c = DEFAULT_CONFIG;
  for (const [p, v] of tiny) c = setIn(c, p, v);
  return c;
}

describe('presets in the page', () => {
  it('the default is the first preset, WordNet pairs → STS-B dev on a random-init encoder', () => {
    expect(PRESETS[0]!.id).toBe('default');
    expect(activePreset(DEFAULT_CONFIG)?.id).toBe('default');
    expect(DEFAULT_CONFIG.encoder.source).toBe('builtin');
    expect(DEFAULT_CONFIG.encoder.pooling).toBe('mean');
    expect(DEFAULT_CONFIG.encoder.mlpHead).toBe('none');
    expect(DEFAULT_CONFIG.data.train).toMatchObject({
      source: 'builtin:wordnet-pairs',
      kind: 'pairs',
    });
    expect(DEFAULT_CONFIG.data.eval).toMatchObject({ source: 'builtin:stsb-dev', kind: 'sts' });
    expect(DEFAULT_CONFIG.objective).toMatchObject({
      kind: 'simcse-unsup',
      symmetric: true,
      temperature: 0.05,
    });
    expect(DEFAULT_CONFIG.optimizer).toMatchObject({ kind: 'adamw', lr: 5e-4, schedule: 'linear' });
    expect([DEFAULT_CONFIG.batchSize, DEFAULT_CONFIG.maxSteps, DEFAULT_CONFIG.evalEvery]).toEqual([
      64, 300, 25,
    ]);
  });

  it('the preset ids are the public ones (links and `cplay train --preset` name them)', () => {
    const ids = PRESETS.map((p) => p.id);
    for (const id of ['eda', 'consert', 'simcse-unsup', 'simcse-sup', 'rdrop', 'logit-contrast'])
      expect(ids).toContain(id);
    expect(ids).toContain('simcse-unsup-pretrained');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('pre-trained presets set the built-in BERT; a random-init preset then goes back to the default encoder', () => {
    for (const id of ['eda', 'consert', 'simcse-unsup-pretrained']) {
      const c = applyPreset(presetById(id)!, DEFAULT_CONFIG);
      expect(c.encoder.source, id).toBe('builtin:bert-tiny-en');
      expect(c.encoder.pooling, id).toBe('mean');
      expect(c.data.train.source, id).toBe('builtin:wiki');
      expect(c.data.eval?.source, id).toBe('builtin:stsb-dev');
      expect(activePreset(c)?.id, id).toBe(id);
      const back = applyPreset(presetById('default')!, c);
      expect(back.encoder.source, id).toBe('builtin');
      expect(activePreset(back)?.id, id).toBe('default');
    }
    // Unsupervised SimCSE stays a random-init run on Brown, with [CLS] and the train-only MLP.
    const unsup = applyPreset(presetById('simcse-unsup')!, DEFAULT_CONFIG);
    expect(unsup.encoder).toMatchObject({
      source: 'builtin',
      pooling: 'cls',
      mlpHead: 'train-only',
    });
    expect(unsup.data.train).toMatchObject({ source: 'builtin:default', kind: 'sentences' });
    expect(unsup.objective.symmetric).toBe(false);
  });

  it("a user's own encoder survives a preset that does not name one", () => {
    const own = setIn(DEFAULT_CONFIG, 'encoder.source', 'hf:prajjwal1/bert-tiny');
    expect(applyPreset(presetById('rdrop')!, own).encoder.source).toBe('hf:prajjwal1/bert-tiny');
    expect(applyPreset(presetById('consert')!, own).encoder.source).toBe('builtin:bert-tiny-en');
  });

  it('each preset gives a valid config, is recognised as active, and keeps the machine settings', () => {
    const base = tinyConfig();
    for (const p of PRESETS) {
      const next = applyPreset(p, base);
      expect(validateDraft(next).issues, p.id).toEqual([]);
      expect(activePreset(next)?.id, p.id).toBe(p.id);
      for (const [path, v] of tiny) {
        expect(
          JSON.stringify(
            path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], next),
          ),
          `${p.id} ${path}`,
        ).toBe(JSON.stringify(v));
      }
    }
  });

  it('switching presets resets what the previous one set (EDA → ConSERT turns EDA off)', () => {
    const eda = applyPreset(presetById('eda')!, DEFAULT_CONFIG);
    expect(eda.augment.eda).not.toBeNull();
    expect(eda.augment.dropout).toBe(false);
    const consert = applyPreset(presetById('consert')!, eda);
    expect(consert.augment.eda).toBeNull();
    expect(consert.augment.embedding).toEqual({
      view1: { kind: 'shuffle' },
      view2: { kind: 'feature-cutoff', rate: 0.2 },
    });
    expect(consert.objective.temperature).toBe(0.1);
  });

  it('a row limit the user set survives a preset', () => {
    const limited = setIn(DEFAULT_CONFIG, 'data.train.limit', 400);
    const rdrop = applyPreset(presetById('rdrop')!, limited);
    expect(rdrop.data.train.limit).toBe(400);
    expect(activePreset(rdrop)?.id).toBe('rdrop');
    expect(applyPreset(presetById('simcse-sup')!, DEFAULT_CONFIG).data.train.limit).toBe(20000);
  });

  it('a changed view parameter is no preset', () => {
    const eda = applyPreset(presetById('eda')!, DEFAULT_CONFIG);
    expect(activePreset(setIn(eda, 'augment.eda.randomSwap', 0.3))).toBeNull();
  });

  it('lists the built-in data sets the presets use', () => {
    const s = builtinSources();
    expect(s[0]).toBe('builtin:default');
    expect(s.every((x) => x.startsWith('builtin:'))).toBe(true);
    for (const x of ['builtin:wordnet-pairs', 'builtin:stsb-dev', 'builtin:wiki'])
      expect(s).toContain(x);
  });
});
