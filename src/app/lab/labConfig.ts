/**
 * The page's journey configs: a chapter's recipe (src/engine/lab/chapters.ts), then the panel's
 * encoder field (the pre-trained start of every chapter that has one: `builtin:bert-tiny-en`
 * offline, or a Hub encoder such as `prajjwal1/bert-tiny`), then the link's `?labSet=key=value`
 * assignments (repeatable; the URL hash's dotted keys) over every chapter, e.g. tiny settings
 * for a test. The hash stays the controls' config; this is read from the query string.
 */
import { applyAssignments } from '../../engine/config/dottedKeys.ts';
import type { ExperimentConfig } from '../../engine/config/schema.ts';
import { parseExperiment } from '../../engine/config/validate.ts';
import { UserError } from '../../engine/errors.ts';
import {
  type Chapter,
  chapterConfig,
  type LabLength,
  PRETRAINED_ENCODER,
} from '../../engine/lab/chapters.ts';
import { parseHubSource } from '../../engine/train/hubSource.ts';

export function labOverrides(search = globalThis.location?.search ?? ''): string[] {
  return new URLSearchParams(search).getAll('labSet');
}

/**
 * The encoder field as a source: empty or the built-in means the chapters' own start (null);
 * `owner/name` and `hf:owner/name[@revision]` mean that Hub encoder. Anything else is refused
 * with what the field takes.
 */
export function journeyEncoder(text: string): string | null {
  const t = text.trim();
  if (t === '' || t === PRETRAINED_ENCODER) return null;
  if (t.startsWith('builtin:'))
    throw new UserError(
      `Encoder: "${t}" is not a pre-trained built-in encoder; the one that ships is ${PRETRAINED_ENCODER}.`,
    );
  const source = t.startsWith('hf:') ? t : `hf:${t}`;
  try {
    parseHubSource(source);
  } catch {
    throw new UserError(
      `Encoder: "${t}" is not a Hub model id; give owner/name (e.g. prajjwal1/bert-tiny), hf:owner/name@revision, or leave ${PRETRAINED_ENCODER}.`,
    );
  }
  return source;
}

/**
 * A chapter's validated config for the page; a bad `labSet` is a UserError naming the chapter.
 * `encoder` (a source from journeyEncoder) replaces the pre-trained start; chapters that train
 * from random init (`wordnet`) keep theirs.
 */
export function pageChapterConfig(
  chapter: Chapter,
  length: LabLength,
  overrides: readonly string[] = labOverrides(),
  encoder: string | null = null,
): ExperimentConfig {
  try {
    let input = chapterConfig(chapter, length);
    if (encoder && input.encoder?.source === PRETRAINED_ENCODER)
      input = { ...input, encoder: { ...input.encoder, source: encoder } };
    return parseExperiment(applyAssignments(input, overrides, 'labSet'));
  } catch (e) {
    throw new UserError(`Chapter ${chapter.id}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
