/**
 * "Did you mean …?" for unknown config keys: the keys a schema accepts at a path, and the valid
 * keys closest to a misspelt one (same letters ignoring case and `_`/`-`, camelCase initials,
 * a prefix, or a few edits).
 */
import type { z } from 'zod';

/** The parts of a zod v4 schema definition the walk below reads. */
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  options?: readonly Schema[];
  values?: readonly unknown[];
  getter?: () => Schema;
}
type Schema = z.core.$ZodType;

const def = (s: Schema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object schemas a value at `s` may be checked against (wrappers and unions opened). */
function objects(s: Schema, depth = 0): Def[] {
  if (depth > 32) return [];
  const d = def(s);
  if (d.type === 'object') return [d];
  if (d.type === 'union') return (d.options ?? []).flatMap((o) => objects(o, depth + 1));
  if (d.type === 'pipe' && d.in) return objects(d.in, depth + 1);
  if (d.type === 'lazy' && d.getter) return objects(d.getter(), depth + 1);
  if (d.innerType) return objects(d.innerType, depth + 1);
  return [];
}

/** The literal values a field accepts, when it is a literal (a union's discriminator). */
function literals(s: Schema): readonly unknown[] | null {
  const d = def(s);
  if (d.type === 'literal') return d.values ?? [];
  if (d.innerType) return literals(d.innerType);
  return null;
}

/**
 * The union members `input` is meant for: those whose literal fields all match it, the ones that
 * match the most literal fields first (`{kind: 'shuffle'}` is the shuffle view, not `{view1, view2}`).
 */
function meantFor(options: Def[], input: unknown): Def[] {
  if (options.length < 2 || !input || typeof input !== 'object') return options;
  const value = input as Record<string, unknown>;
  const scored = options.map((o) => {
    let matched = 0;
    for (const [k, field] of Object.entries(o.shape ?? {})) {
      const lit = literals(field);
      if (!lit) continue;
      if (!lit.includes(value[k])) return { o, matched: -1 };
      matched++;
    }
    return { o, matched };
  });
  const best = Math.max(...scored.map((x) => x.matched));
  return best < 0 ? options : scored.filter((x) => x.matched === best).map((x) => x.o);
}

/**
 * The keys `root` accepts for the object at `path`, given that object's value (`input`, to pick a
 * union's member); null when the path leads to no object schema.
 */
export function keysAt(
  root: Schema,
  path: readonly PropertyKey[],
  input?: unknown,
): string[] | null {
  let nodes = objects(root);
  for (const key of path) {
    if (typeof key !== 'string') return null;
    nodes = nodes.flatMap((o) => (o.shape && key in o.shape ? objects(o.shape[key]!) : []));
    if (nodes.length === 0) return null;
  }
  const keys = new Set<string>();
  for (const o of meantFor(nodes, input)) for (const k of Object.keys(o.shape ?? {})) keys.add(k);
  return [...keys];
}

const normal = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '');
const initials = (s: string) =>
  s
    .split(/(?=[A-Z])|[_-]/)
    .filter(Boolean)
    .map((w) => w[0]!.toLowerCase())
    .join('');

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The valid keys closest to `key`, best first (ties all returned, at most 3); empty when none is
 * close. Ranks: the same key but for case and `_`/`-` (temperature ← Temperature, warmup_steps);
 * camelCase initials (synonymReplacement ← sr); a prefix of 3+ letters (temperature ← temp);
 * then an edit distance of at most a third of the shorter name (1 for short names).
 */
export function closestKeys(key: string, valid: readonly string[]): string[] {
  const k = normal(key);
  if (!k) return [];
  const ranked: { name: string; rank: number }[] = [];
  for (const name of valid) {
    const n = normal(name);
    const dist = editDistance(k, n);
    let rank = Number.POSITIVE_INFINITY;
    if (n === k) rank = 0;
    else if (k.length >= 2 && initials(name) === k && /[A-Z_-]/.test(name)) rank = 1;
    else if (k.length >= 3 && n.startsWith(k)) rank = 2;
    else if (dist <= Math.max(1, Math.floor(Math.min(k.length, n.length) / 3))) rank = 3 + dist;
    if (Number.isFinite(rank)) ranked.push({ name, rank });
  }
  if (ranked.length === 0) return [];
  const best = Math.min(...ranked.map((r) => r.rank));
  return ranked
    .filter((r) => r.rank === best)
    .map((r) => r.name)
    .slice(0, 3);
}
