/**
 * The URL hash *is* the experiment (TensorFlow Playground's state.ts idea): readable dotted keys,
 * only the values that differ from the defaults, the seed always included.
 *   #seed=0&objective.kind=simcse-sup&optimizer.lr=0.0005&encoder.builtin.hidden=64
 * Parsing goes through the experiment schema, so a hand-edited hash is validated like any config.
 */
import { ExperimentSchema, type ExperimentConfig } from '../../engine/config/schema.ts';
import { parseExperiment } from '../../engine/config/validate.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

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

const DEFAULTS = ExperimentSchema.parse({}) as unknown as Json;

/** Config → hash (without '#'): the seed plus every value that differs from the defaults. */
export function configToHash(config: ExperimentConfig): string {
  const defaults = new Map<string, Json>();
  flatten(DEFAULTS, '', defaults);
  const current = new Map<string, Json>();
  flatten(config as unknown as Json, '', current);
  const parts: string[] = [`seed=${config.seed}`];
  for (const [k, v] of current) {
    if (k === 'seed') continue;
    if (JSON.stringify(defaults.get(k)) !== JSON.stringify(v) || !defaults.has(k)) {
      parts.push(`${k}=${encodeURIComponent(encodeValue(v))}`);
    }
  }
  // A default that became null/absent (e.g. eval: null → object) is covered by the full values above.
  return parts.join('&');
}

/** Hash → config; throws UserError naming the bad field. An empty hash gives the defaults. */
export function hashToConfig(hash: string, base: Json = DEFAULTS): ExperimentConfig {
  const obj = JSON.parse(JSON.stringify(base)) as Record<string, Json>;
  const body = hash.replace(/^#/, '');
  if (body) {
    for (const part of body.split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq);
      const raw = eq < 0 ? 'true' : decodeURIComponent(part.slice(eq + 1));
      setPath(obj, key.split('.'), decodeValue(raw));
    }
  }
  return parseExperiment(obj);
}
