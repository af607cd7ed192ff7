/**
 * Reading back a `results.json` that `cplay lab` wrote, so tables from several runs (two
 * processes side by side, another machine, a chapter re-run later) can be merged into one. Every
 * field of every row is checked: a hand-edited or truncated file is refused with its path and the
 * row and field at fault, never read half-way. Merging refuses a chapter that appears twice and a
 * quick table mixed with a full one (their steps differ, so their scores do not compare).
 */
import { UserError } from '../errors.ts';
import { CHAPTER_IDS, type ChapterId, type LabLength } from './chapters.ts';
import { type ResultRow, ROW_STATUSES, type RowStatus } from './results.ts';

export interface LabResultsFile {
  version: 1;
  length: LabLength;
  createdAt: string;
  overrides: string[];
  rows: ResultRow[];
}

const NUMBER_OR_NULL = [
  'start',
  'end',
  'delta',
  'alignment',
  'uniformity',
  'loss',
  'seconds',
  'optimizerBytes',
  'peakBytes',
] as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkRow(v: unknown, where: string): ResultRow {
  if (!isObject(v)) throw new UserError(`${where} is not an object.`);
  const bad = (field: string, want: string) =>
    new UserError(`${where}: "${field}" should be ${want}, got ${JSON.stringify(v[field])}.`);
  if (typeof v.chapter !== 'string' || !(CHAPTER_IDS as readonly string[]).includes(v.chapter))
    throw bad('chapter', `one of the chapter ids (${CHAPTER_IDS.join(', ')})`);
  for (const f of ['title', 'recipe'] as const) if (typeof v[f] !== 'string') throw bad(f, 'text');
  if (v.metric !== 'spearman' && v.metric !== 'accuracy')
    throw bad('metric', '"spearman" or "accuracy"');
  if (v.paper !== null) {
    const p = v.paper;
    if (
      !isObject(p) ||
      typeof p.value !== 'number' ||
      typeof p.citation !== 'string' ||
      typeof p.measure !== 'string'
    )
      throw bad('paper', 'null or { value, citation, measure }');
  }
  for (const f of NUMBER_OR_NULL) {
    // Rows written before the memory columns existed have no such fields: read as not measured.
    if (v[f] === undefined && (f === 'optimizerBytes' || f === 'peakBytes')) continue;
    if (v[f] !== null && (typeof v[f] !== 'number' || !Number.isFinite(v[f])))
      throw bad(f, 'a number or null');
  }
  if (typeof v.steps !== 'number' || !Number.isInteger(v.steps) || v.steps < 0)
    throw bad('steps', 'a whole number of at least 0');
  if (!ROW_STATUSES.includes(v.status as RowStatus)) throw bad('status', ROW_STATUSES.join(' | '));
  if (v.error !== undefined && typeof v.error !== 'string') throw bad('error', 'text');
  const row = { ...v } as unknown as ResultRow;
  row.optimizerBytes ??= null;
  row.peakBytes ??= null;
  return row;
}

/** Parses one results.json; `path` names the file in every message. */
export function parseLabResults(text: string, path: string): LabResultsFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(
      `${path} is not valid JSON (${e instanceof Error ? e.message : String(e)}); is it a cplay lab results.json?`,
    );
  }
  if (!isObject(json)) throw new UserError(`${path}: expected a JSON object with "rows".`);
  if (json.version !== 1)
    throw new UserError(
      `${path}: results version ${JSON.stringify(json.version)} is not one this cplay reads (1).`,
    );
  if (json.length !== 'quick' && json.length !== 'full')
    throw new UserError(`${path}: "length" should be "quick" or "full".`);
  if (!Array.isArray(json.rows)) throw new UserError(`${path}: "rows" should be a list.`);
  const overrides = json.overrides ?? [];
  if (!Array.isArray(overrides) || overrides.some((s) => typeof s !== 'string'))
    throw new UserError(`${path}: "overrides" should be a list of key=value texts.`);
  return {
    version: 1,
    length: json.length,
    createdAt: typeof json.createdAt === 'string' ? json.createdAt : '',
    overrides: overrides as string[],
    rows: json.rows.map((r, i) => checkRow(r, `${path}, row ${i + 1}`)),
  };
}

export interface MergedResults {
  length: LabLength;
  /** In the journey's chapter order. */
  rows: ResultRow[];
  /** One line per file: where it came from and its overrides, for the table's setting line. */
  sources: string[];
}

/** Merges parsed files into one table in the journey's order. */
export function mergeLabResults(
  files: readonly { path: string; file: LabResultsFile }[],
): MergedResults {
  if (files.length === 0) throw new UserError('nothing to merge: name at least one results.json.');
  const length = files[0]!.file.length;
  const seen = new Map<ChapterId, string>();
  const rows: ResultRow[] = [];
  for (const { path, file } of files) {
    if (file.length !== length)
      throw new UserError(
        `${path} is a ${file.length} table and ${files[0]!.path} a ${length} one: their steps differ, so their scores do not compare; merge tables of one setting.`,
      );
    for (const r of file.rows) {
      const before = seen.get(r.chapter);
      if (before !== undefined)
        throw new UserError(
          `chapter ${r.chapter} is in both ${before} and ${path}: keep one of them (drop that chapter's row or re-run the others).`,
        );
      seen.set(r.chapter, path);
      rows.push(r);
    }
  }
  rows.sort((a, b) => CHAPTER_IDS.indexOf(a.chapter) - CHAPTER_IDS.indexOf(b.chapter));
  const sources = files.map(
    ({ path, file }) =>
      `${path} (${file.rows.map((r) => r.chapter).join(', ')}${file.overrides.length ? `; --set ${file.overrides.join(' ')}` : ''}${file.createdAt ? `; ${file.createdAt}` : ''})`,
  );
  return { length, rows, sources };
}
