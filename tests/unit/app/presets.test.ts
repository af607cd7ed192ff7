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
  it('the default is the unsupervised SimCSE preset', () => {
    expect(activePreset(DEFAULT_CONFIG)?.id).toBe('simcse-unsup');
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
  });
});
