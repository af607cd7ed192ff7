/**
 * The URL hash *is* the experiment (TensorFlow Playground's state.ts idea): readable dotted keys,
 * only the values that differ from the playground default, the seed always included.
 *   #seed=0&objective.kind=simcse-sup&optimizer.lr=0.0005&encoder.builtin.hidden=64
 * Parsing goes through the experiment schema, so a hand-edited hash is validated like any config
 * (strictly: an unknown key is an error, as in a config file).
 */

import { PLAYGROUND_DEFAULT } from '../../engine/config/presets.ts';
import type { ExperimentConfig } from '../../engine/config/schema.ts';
import { parseExperiment } from '../../engine/config/validate.ts';
import { type Json, repairDraft } from './draft.ts';

function flatten(value: Json, prefix: string, out: Map<string, Json>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(prefix, value);
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
}

function setPath(obj: Record<string, Json>, path: string[], value: Json): void {
  let cur: Record<string, Json> = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[key] = {};
    cur = cur[key] as Record<string, Json>;
  }
  cur[path[path.length - 1]!] = value;
}

function decodeValue(raw: string): Json {
  try {
    return JSON.parse(raw) as Json;
  } catch {
    return raw; // bare strings: objective.kind=simcse-sup
  }
}

function encodeValue(v: Json): string {
  return typeof v === 'string' && !/^[-\d[{"]|^(true|false|null)$/.test(v) ? v : JSON.stringify(v);
}

/** The page's default experiment: the playground default, every field filled. */
export const DEFAULT_CONFIG: ExperimentConfig = parseExperiment(PLAYGROUND_DEFAULT);
const DEFAULTS = DEFAULT_CONFIG as unknown as Json;

/**
 * Config → hash (without '#'): the seed plus every value that differs from the defaults.
 * Works on invalid drafts too (it only compares values).
 */
export function configToHash(config: ExperimentConfig | Json): string {
  const defaults = new Map<string, Json>();
  flatten(DEFAULTS, '', defaults);
  const current = new Map<string, Json>();
  flatten(config as unknown as Json, '', current);
  const seed = (config as { seed?: unknown }).seed;
  const parts: string[] = [`seed=${encodeURIComponent(encodeValue((seed ?? 0) as Json))}`];
  for (const [k, v] of current) {
    if (k === 'seed' || v === undefined) continue;
    if (JSON.stringify(defaults.get(k)) !== JSON.stringify(v) || !defaults.has(k)) {
      parts.push(`${k}=${encodeURIComponent(encodeValue(v))}`);
    }
  }
  return parts.join('&');
}

/**
 * Hash → draft over the defaults, without validating. Parts that cannot be decoded are skipped
 * and reported.
 */
export function hashToRaw(hash: string, base: Json = DEFAULTS): { raw: Json; problems: string[] } {
  const obj = structuredClone(base) as Record<string, Json>;
  const problems: string[] = [];
  const body = hash.replace(/^#/, '');
  for (const part of body ? body.split('&') : []) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    let raw: string;
    try {
      raw = eq < 0 ? 'true' : decodeURIComponent(part.slice(eq + 1));
    } catch {
      problems.push(`${key}: the value is not readable and was ignored.`);
      continue;
    }
    if (!/^[A-Za-z][\w]*(\.[A-Za-z0-9][\w]*)*$/.test(key)) {
      problems.push(`"${key}" is not a setting and was ignored.`);
      continue;
    }
    setPath(obj, key.split('.'), decodeValue(raw));
  }
  return { raw: obj, problems };
}

/**
 * Hash → the draft the controls show: shape errors repaired with defaults (and reported), range
 * errors kept so the controls can show them. A misspelt key (`objective.temprature=0.5`) is kept
 * too, never dropped: the draft is invalid and its issue names the key and the one meant.
 */
export function hashToDraft(hash: string): { draft: ExperimentConfig; problems: string[] } {
  const { raw, problems } = hashToRaw(hash);
  const { draft, repaired } = repairDraft(raw, DEFAULTS);
  return { draft: draft as unknown as ExperimentConfig, problems: [...problems, ...repaired] };
}

/** Hash → config; throws UserError naming the bad field. An empty hash gives the defaults. */
export function hashToConfig(hash: string, base: Json = DEFAULTS): ExperimentConfig {
  return parseExperiment(hashToRaw(hash, base).raw);
}
