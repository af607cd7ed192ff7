/**
 * Presets in the page: a preset sets *what is learned* (views, objective, data, heads) and keeps
 * *how the machine runs it* (encoder size and source, optimiser, batch size, step budget,
 * backend, seed, a training row limit), so one click compares ideas at the size the user picked.
 */
import {
  mergeConfig,
  PLAYGROUND_DEFAULT,
  PRESETS,
  type Preset,
} from '../../engine/config/presets.ts';
import type { ExperimentConfig } from '../../engine/config/schema.ts';
import { parseExperiment } from '../../engine/config/validate.ts';
import { deepEqual, getIn, setIn } from './draft.ts';

/** Fields a preset leaves as they are. */
export const KEPT_BY_PRESETS = [
  'seed',
  'backend',
  'encoder.source',
  'encoder.builtin',
  'encoder.maxLength',
  'encoder.hiddenDropout',
  'encoder.attentionDropout',
  'optimizer',
  'batchSize',
  'maxSteps',
  'epochs',
  'shuffle',
  'evalEvery',
  'checkpointEvery',
  'gradCache',
] as const;

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** Encoder sources presets name (the built-in pre-trained BERT): a preset's choice, not the user's. */
const PRESET_ENCODERS = new Set(
  PRESETS.flatMap((p) => (p.config.encoder?.source ? [p.config.encoder.source] : [])),
);

/**
 * The preset applied over `current` (a draft: its kept fields are copied as they are). A preset
 * that names its encoder (fine-tuning the pre-trained built-in BERT) sets it; one that does not
 * keeps the user's encoder, or goes back to the default one if the current came from a preset.
 */
export function applyPreset(preset: Preset, current: ExperimentConfig): ExperimentConfig {
  let next = parseExperiment(mergeConfig(PLAYGROUND_DEFAULT, preset.config));
  const currentSource = getIn(current, 'encoder.source');
  const keepSource =
    preset.config.encoder?.source === undefined &&
    !(typeof currentSource === 'string' && PRESET_ENCODERS.has(currentSource));
  for (const path of KEPT_BY_PRESETS) {
    if (path === 'encoder.source' && !keepSource) continue;
    const v = getIn(current, path);
    if (v !== undefined) next = setIn(next, path, structuredClone(v));
  }
  // A row limit the user set is theirs too (how much data to read), whatever the source.
  const limit = getIn(current, 'data.train.limit');
  if (typeof limit === 'number') next = setIn(next, 'data.train.limit', limit);
  return next;
}

/** The preset the current experiment is exactly, if any. */
export function activePreset(current: ExperimentConfig): Preset | null {
  for (const p of PRESETS) {
    try {
      if (deepEqual(applyPreset(p, current), current)) return p;
    } catch {
      // an invalid draft matches no preset
    }
  }
  return null;
}

/** The built-in data sources the presets name, plus the default corpus. */
export function builtinSources(): string[] {
  const out = new Set<string>(['builtin:default']);
  for (const p of PRESETS) {
    const d = p.config.data;
    for (const s of [d?.train?.source, d?.eval?.source]) {
      if (typeof s === 'string' && s.startsWith('builtin:')) out.add(s);
    }
  }
  return [...out];
}
