/**
 * Sweeps: one config per value of a numeric field (the dropout and temperature ablations are two
 * sweeps). A field is a dotted path of the experiment config (`objective.temperature`); several
 * fields joined by commas take the same value (`encoder.hiddenDropout,encoder.attentionDropout`
 * is SimCSE's p). Each config is validated, so a value the schema refuses names itself.
 */
import { setDotted } from '../config/dottedKeys.ts';
import type { ExperimentConfig, ExperimentInput } from '../config/schema.ts';
import { parseExperiment } from '../config/validate.ts';
import { UserError } from '../errors.ts';

export interface SweepSpec {
  /** Dotted paths set to each value together (at least one). */
  fields: string[];
  values: number[];
}

export interface SweepPoint {
  value: number;
  config: ExperimentConfig;
}

/** The value at a dotted path, or undefined where the path does not exist. */
export function getDotted(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** `a.b, c.d` → ['a.b', 'c.d']; an empty list is a UserError. */
export function parseSweepFields(text: string, what = 'sweep field'): string[] {
  const fields = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (fields.length === 0)
    throw new UserError(`${what}: name a numeric config field, e.g. objective.temperature.`);
  return [...new Set(fields)];
}

/** `0, 0.1, 0.5` (commas or spaces) → numbers; anything else is a UserError naming it. */
export function parseSweepValues(text: string, what = 'sweep values'): number[] {
  const parts = text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new UserError(`${what}: give at least one number, e.g. 0.05, 0.1.`);
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isFinite(n)) throw new UserError(`${what}: "${p}" is not a number.`);
    return n;
  });
}

/**
 * One validated config per value. Each field must hold a number in the base config (after
 * defaults); a field that is a string, an object or absent is refused, and so is a value the
 * schema refuses (the error names the field and the value).
 */
export function sweepConfigs(base: ExperimentInput, spec: SweepSpec): SweepPoint[] {
  if (spec.fields.length === 0) throw new UserError('sweep: name at least one field.');
  if (spec.values.length === 0) throw new UserError('sweep: give at least one value.');
  const resolved = parseExperiment(base);
  for (const f of spec.fields) {
    const v = getDotted(resolved, f);
    // A nullable number (optimizer.lr for Adafactor, data.train.limit) is numeric too.
    const nullableNumber =
      v === null && (f === 'optimizer.lr' || f.endsWith('.limit') || f === 'optimizer.clipNorm');
    if (typeof v !== 'number' && !nullableNumber)
      throw new UserError(
        `sweep: ${f} is not a numeric config field (${v === undefined ? 'there is no such field' : `it holds ${JSON.stringify(v)}`}).`,
      );
  }
  const seen = new Set<number>();
  const points: SweepPoint[] = [];
  for (const value of spec.values) {
    if (seen.has(value)) continue;
    seen.add(value);
    let next: ExperimentConfig = resolved;
    for (const f of spec.fields) next = setDotted(next, f, value);
    let config: ExperimentConfig;
    try {
      config = parseExperiment(next);
    } catch (e) {
      throw new UserError(
        `sweep: ${spec.fields.join(', ')} = ${value} is not accepted: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    points.push({ value, config });
  }
  return points;
}

/** The short label of one sweep point: `objective.temperature = 0.1`. */
export function sweepLabel(fields: readonly string[], value: number): string {
  return `${fields.join(' = ')} = ${value}`;
}
