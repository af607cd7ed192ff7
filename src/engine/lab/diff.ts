/**
 * What differs between two experiment configs, field by field as dotted paths (the URL hash's
 * keys), so overlaid curves explain themselves ("objective.temperature 1 (vs 0.05)"). Objects
 * are compared key by key; arrays and values as a whole.
 */

export interface ConfigChange {
  path: string;
  /** The value in the run being described. */
  value: unknown;
  /** The value in the run it is compared with (undefined: the field is absent there). */
  base: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => same(a[k], b[k]));
  }
  return false;
}

/**
 * The fields where `config` differs from `base`, in key order. A field that is an object on one
 * side and not on the other (`data.eval` null vs an eval set) is one change at that path.
 */
export function configChanges(config: unknown, base: unknown, prefix = ''): ConfigChange[] {
  if (isObject(config) && isObject(base)) {
    const keys = [...new Set([...Object.keys(config), ...Object.keys(base)])];
    return keys.flatMap((k) => configChanges(config[k], base[k], prefix ? `${prefix}.${k}` : k));
  }
  return same(config, base) ? [] : [{ path: prefix, value: config, base }];
}

function show(v: unknown): string {
  if (v === undefined) return '(none)';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** "objective.temperature 1 (vs 0.05)". */
export function describeChange(c: ConfigChange): string {
  return `${c.path} ${show(c.value)} (vs ${show(c.base)})`;
}
