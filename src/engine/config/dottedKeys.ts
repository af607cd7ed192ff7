/**
 * The experiment config's dotted keys, as the page's URL hash writes them
 * (`objective.kind=simcse-sup`, `optimizer.lr=0.0001`, `encoder.builtin.hidden=32`), for hosts
 * that take settings as text (`cplay train --set key=value`). A value is read as JSON when it
 * parses (numbers, true/false/null, objects, arrays, quoted strings), else kept as the bare string.
 */
import { UserError } from '../errors.ts';

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A dotted path of config field names: letters, digits and `_`, starting with a letter. */
const KEY = /^[A-Za-z]\w*(\.[A-Za-z0-9]\w*)*$/;
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/** A value as the hash reads it: JSON when it parses, else the bare string. */
export function parseDottedValue(raw: string): JsonValue {
  try {
    return JSON.parse(raw) as JsonValue;
  } catch {
    return raw;
  }
}

/** `key=value` → its dotted key and value; `what` names the source in the error (`--set`). */
export function parseAssignment(text: string, what = '--set'): { key: string; value: JsonValue } {
  const eq = text.indexOf('=');
  if (eq < 0)
    throw new UserError(
      `${what} "${text}" is not key=value (e.g. ${what} optimizer.lr=0.0001 or ${what} objective.kind=simcse-sup).`,
    );
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  checkKey(key, what);
  if (raw === '') throw new UserError(`${what} ${key}= needs a value after "=".`);
  return { key, value: parseDottedValue(raw) };
}

function checkKey(key: string, what: string): void {
  if (!KEY.test(key) || key.split('.').some((k) => FORBIDDEN.has(k)))
    throw new UserError(
      `${what}: "${key}" is not a dotted config key (field names joined by dots, e.g. encoder.builtin.hidden).`,
    );
}

/**
 * A copy of `config` with the value at the dotted `key` set; missing, null or non-object steps on
 * the way become empty objects (as the URL hash does), so `data.eval.source=…` works when
 * `data.eval` is null. Which keys exist is the schema's business: validate the result.
 */
export function setDotted<T extends object>(config: T, key: string, value: JsonValue): T {
  checkKey(key, 'setDotted');
  const out = structuredClone(config) as Record<string, unknown>;
  const path = key.split('.');
  let cur = out;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = structuredClone(value);
  return out as T;
}

/** Applies `key=value` assignments in order (later ones win). */
export function applyAssignments<T extends object>(
  config: T,
  assignments: readonly string[],
  what = '--set',
): T {
  let out = config;
  for (const a of assignments) {
    const { key, value } = parseAssignment(a, what);
    out = setDotted(out, key, value);
  }
  return out;
}
