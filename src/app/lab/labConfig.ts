/**
 * The page's journey configs: a chapter's recipe (src/engine/lab/chapters.ts), then the link's
 * `?labSet=key=value` assignments (repeatable; the URL hash's dotted keys) over every chapter:
 * a Hub encoder swapped in (`?labSet=encoder.source=hf:prajjwal1/bert-tiny`), or tiny settings
 * for a test. The hash stays the controls' config; this is read from the query string.
 */
import { applyAssignments } from '../../engine/config/dottedKeys.ts';
import type { ExperimentConfig } from '../../engine/config/schema.ts';
import { parseExperiment } from '../../engine/config/validate.ts';
import { UserError } from '../../engine/errors.ts';
import { type Chapter, chapterConfig, type LabLength } from '../../engine/lab/chapters.ts';

export function labOverrides(search = globalThis.location?.search ?? ''): string[] {
  return new URLSearchParams(search).getAll('labSet');
}

/** A chapter's validated config for the page; a bad `labSet` is a UserError naming the chapter. */
export function pageChapterConfig(
  chapter: Chapter,
  length: LabLength,
  overrides: readonly string[] = labOverrides(),
): ExperimentConfig {
  try {
    return parseExperiment(applyAssignments(chapterConfig(chapter, length), overrides, 'labSet'));
  } catch (e) {
    throw new UserError(`Chapter ${chapter.id}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
