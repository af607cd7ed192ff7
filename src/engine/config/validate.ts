import type { z } from 'zod';
import { UserError } from '../errors.ts';
import { type ExperimentConfig, ExperimentSchema } from './schema.ts';

/** Turns zod issues into sentences that name the field and, where known, the allowed values. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(config)';
    if (issue.code === 'invalid_value' && 'values' in issue) {
      const allowed = (issue.values as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return `${field}: ${JSON.stringify((issue as { input?: unknown }).input)} is not allowed; use one of ${allowed}`;
    }
    if (
      issue.code === 'invalid_union' &&
      'note' in issue &&
      issue.note === 'No matching discriminator'
    ) {
      return `${field}: unknown kind; ${issue.message}`;
    }
    if (issue.code === 'unrecognized_keys') {
      return `${field}: unknown field(s) ${issue.keys.join(', ')}`;
    }
    return `${field}: ${issue.message}`;
  });
}

/** Parses and fills defaults; throws UserError listing every problem (field + allowed values). */
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
