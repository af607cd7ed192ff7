import type { z } from 'zod';
import { UserError } from '../errors.ts';
import { type ExperimentConfig, ExperimentSchema } from './schema.ts';
import { closestKeys, keysAt } from './suggest.ts';

/** One problem of a config: the dotted field it concerns ('' for the whole config) and why. */
export interface ConfigProblem {
  path: string;
  message: string;
}

const joinPath = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** "a", "a or b", "a, b or c". */
function either(names: readonly string[]): string {
  return names.length < 2
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/**
 * Zod issues as problems that name the field and, where known, the allowed values. An unknown
 * key is one problem per key, at the key's own path, with the closest valid key when one is
 * close (`objective.temprature: unknown key — did you mean objective.temperature?`). `schema` is
 * the schema the issues came from (for the valid keys; the experiment's by default).
 */
export function explainIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.core.$ZodType = ExperimentSchema,
): ConfigProblem[] {
  return issues.flatMap((issue): ConfigProblem[] => {
    const path = joinPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const valid = keysAt(schema, issue.path, (issue as { input?: unknown }).input) ?? [];
      return issue.keys.map((key) => {
        const near = closestKeys(key, valid).map((k) => joinPath([...issue.path, k]));
        return {
          path: joinPath([...issue.path, key]),
          message: near.length ? `unknown key — did you mean ${either(near)}?` : 'unknown key',
        };
      });
    }
    if (issue.code === 'invalid_value' && 'values' in issue) {
      const allowed = (issue.values as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return [
        {
          path,
          message: `${JSON.stringify((issue as { input?: unknown }).input)} is not allowed; use one of ${allowed}`,
        },
      ];
    }
    if (
      issue.code === 'invalid_union' &&
      'note' in issue &&
      issue.note === 'No matching discriminator'
    ) {
      return [{ path, message: `unknown kind; ${issue.message}` }];
    }
    return [{ path, message: issue.message }];
  });
}

/** Zod issues as sentences that start with the field they concern (see explainIssues). */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.core.$ZodType = ExperimentSchema,
): string[] {
  return explainIssues(issues, schema).map((p) => `${p.path || '(config)'}: ${p.message}`);
}

/**
 * Parses and fills defaults; throws UserError listing every problem (field + allowed values).
 * Unknown keys anywhere are errors, never dropped.
 */
export function parseExperiment(input: unknown): ExperimentConfig {
  const r = ExperimentSchema.safeParse(input, { reportInput: true });
  if (!r.success) {
    throw new UserError(`Invalid experiment config: ${describeIssues(r.error.issues).join('; ')}`);
  }
  return r.data;
}

/** Parses a JSON text (a config file, a URL hash) with a clear message for broken JSON. */
export function parseExperimentJson(text: string, where = 'config'): ExperimentConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${where} is not valid JSON (${(e as Error).message}).`);
  }
  return parseExperiment(json);
}

/**
 * A config without the keys this version does not know (an old saved run's, a newer version's
 * export), and the dotted paths of the keys dropped. Nothing else is changed or checked.
 */
export function dropUnknownKeys(input: unknown): { config: unknown; dropped: string[] } {
  const cur = structuredClone(input);
  const dropped: string[] = [];
  for (let round = 0; round < 32; round++) {
    const r = ExperimentSchema.safeParse(cur);
    const unknown = r.success ? [] : r.error.issues.filter((i) => i.code === 'unrecognized_keys');
    const before = dropped.length;
    for (const issue of unknown) {
      let obj: unknown = cur;
      for (const k of issue.path) obj = (obj as Record<PropertyKey, unknown> | null)?.[k];
      if (!obj || typeof obj !== 'object') continue;
      for (const key of issue.keys) {
        delete (obj as Record<string, unknown>)[key];
        dropped.push(joinPath([...issue.path, key]));
      }
    }
    if (dropped.length === before) break;
  }
  return { config: cur, dropped };
}
