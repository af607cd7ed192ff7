/**
 * The experiment being edited ("draft") and its validation. The draft is what the controls show
 * and what the URL hash holds; it may be invalid while the user types. `validateDraft` says which
 * fields are wrong (by dotted path) and gives the parsed config when everything is right.
 */
import { type ExperimentConfig, ExperimentSchema } from '../../engine/config/schema.ts';
import { explainIssues } from '../../engine/config/validate.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface Issue {
  /** Dotted config path, e.g. 'encoder.builtin.hidden'; '' for the whole config. */
  path: string;
  message: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function splitPath(path: string): string[] {
  return path === '' ? [] : path.split('.');
}

/** The value at a dotted path, or undefined when any step is missing. */
export function getIn(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of splitPath(path)) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/**
 * A copy of `obj` with `value` at `path` (objects along the path are copied, missing ones
 * created). `undefined` removes the key.
 */
export function setIn<T>(obj: T, path: string, value: unknown): T {
  const keys = splitPath(path);
  if (keys.length === 0) return value as T;
  const [head, ...rest] = keys as [string, ...string[]];
  const base: Record<string, unknown> = isObject(obj) ? { ...obj } : {};
  if (rest.length === 0) {
    if (value === undefined) delete base[head];
    else base[head] = value;
  } else {
    base[head] = setIn(base[head], rest.join('.'), value);
  }
  return base as T;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

export interface Validation {
  /** The parsed config (defaults filled) when the draft is valid, else null. */
  config: ExperimentConfig | null;
  issues: Issue[];
}

/**
 * The draft's problems by dotted path; an unknown key is an issue at the key's own path
 * ('objective.temprature': "unknown key — did you mean objective.temperature?").
 */
export function validateDraft(draft: unknown): Validation {
  const r = ExperimentSchema.safeParse(draft, { reportInput: true });
  if (r.success) return { config: r.data, issues: [] };
  return { config: null, issues: explainIssues(r.error.issues) };
}

/**
 * Issue codes the draft keeps as they are: a value of the right shape out of range (the control
 * shows it), and an unknown key (a misspelt link setting is shown and blocks Start, never dropped).
 */
const KEEP = new Set(['too_big', 'too_small', 'custom', 'not_multiple_of', 'unrecognized_keys']);

/**
 * Repairs a draft whose *shape* is wrong (a hand-edited link: an object replaced by a number,
 * an unknown kind) by putting back the default at the nearest path that has one, so every
 * control can render. Range problems are left for the user to see and fix.
 * Returns the repaired draft and one sentence per repair.
 */
export function repairDraft(draft: Json, defaults: Json): { draft: Json; repaired: string[] } {
  let cur = draft;
  const repaired: string[] = [];
  for (let round = 0; round < 20; round++) {
    const r = ExperimentSchema.safeParse(cur);
    if (r.success) break;
    const bad = r.error.issues.find((i) => !KEEP.has(i.code));
    if (!bad) break;
    const keys = bad.path.map(String);
    let at = keys.length;
    while (at > 0 && getIn(defaults, keys.slice(0, at).join('.')) === undefined) at--;
    const path = keys.slice(0, at).join('.');
    const next = setIn(cur, path, structuredClone(getIn(defaults, path)));
    const [sentence] = validateDraft(cur).issues.filter((i) => i.path === keys.join('.'));
    repaired.push(
      `${keys.join('.') || '(config)'}: ${sentence?.message ?? bad.message} — the default is used.`,
    );
    if (deepEqual(next, cur)) break;
    cur = next;
  }
  return { draft: cur, repaired };
}

/** Issues at `path` itself or below it ('data.train' shows 'data.train.kind' too). */
export function issuesAt(issues: readonly Issue[], path: string): Issue[] {
  return issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`));
}
