/**
 * Text formats: TSV, CSV (papaparse), JSONL / JSON, TXT. Each reader streams lines from the
 * source (see text.ts), splits them into columns and feeds an `ExampleCollector`.
 *
 * - TSV: fields split on tabs, no quoting (fields never contain tabs; SentEval and SimCSE read
 *   these files with QUOTE_NONE, and real STS files contain unbalanced `"`).
 * - CSV: RFC 4180 via papaparse, fed a batch of whole records at a time (a record ends at a line
 *   break outside quotes), so quoted fields may span lines and line numbers stay exact.
 * - JSONL: one JSON object per line; the first object's keys are the columns.
 * - JSON: an array of objects (read whole).
 * - TXT: one sentence per line.
 * Blank lines count as empty rows (reported, not loaded). A row with a different number of fields
 * from the header is an error naming its line.
 */
import Papa from 'papaparse';
import { UserError } from '../errors.ts';
import type { ExampleCollector } from './collector.ts';
import { looksLikeHeader, positionalHeader } from './columns.ts';
import { type Line, textLines } from './text.ts';
import type { ByteSource, ColumnMap, DataProgress } from './types.ts';

export interface ReadContext {
  name: string;
  src: ByteSource;
  collector: ExampleCollector;
  columns?: ColumnMap;
  onProgress?: (p: DataProgress) => void;
}

interface RecordRow {
  /** null for a blank line. */
  fields: string[] | null;
  no: number;
}

async function* tsvRecords(lines: AsyncIterable<Line>): AsyncGenerator<RecordRow> {
  for await (const { text, no } of lines) {
    yield { fields: text.trim() === '' ? null : text.split('\t'), no };
  }
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
}

const CSV_BATCH_CHARS = 1 << 16;

/** CSV records: lines are grouped into whole records by quote parity, then parsed in batches. */
async function* csvRecords(name: string, lines: AsyncIterable<Line>): AsyncGenerator<RecordRow> {
  let batch: string[] = [];
  let starts: number[] = [];
  let chars = 0;
  let open: string[] = [];
  let openStart = 0;
  let openQuotes = 0;

  function* flush(): Generator<RecordRow> {
    if (batch.length === 0) return;
    const result = Papa.parse<string[]>(batch.join('\n'), {
      delimiter: ',',
      newline: '\n',
      header: false,
      skipEmptyLines: false,
    });
    const quoteError = result.errors.find((e) => e.type === 'Quotes');
    if (quoteError) {
      const at = starts[quoteError.row ?? 0] ?? starts[0];
      throw new UserError(`${name} line ${at} has a badly quoted field (${quoteError.message}).`);
    }
    if (result.data.length !== batch.length) {
      throw new UserError(`${name} near line ${starts[0]} could not be split into CSV records.`);
    }
    for (let i = 0; i < result.data.length; i++) {
      yield { fields: result.data[i] as string[], no: starts[i] as number };
    }
    batch = [];
    starts = [];
    chars = 0;
  }

  for await (const { text, no } of lines) {
    if (open.length === 0 && text.trim() === '') {
      yield* flush();
      yield { fields: null, no };
      continue;
    }
    if (open.length === 0) openStart = no;
    open.push(text);
    openQuotes += countQuotes(text);
    if (openQuotes % 2 === 1) continue; // inside a quoted field: the record goes on
    const record = open.join('\n');
    open = [];
    openQuotes = 0;
    batch.push(record);
    starts.push(openStart);
    chars += record.length;
    if (chars >= CSV_BATCH_CHARS) yield* flush();
  }
  if (open.length > 0) {
    throw new UserError(`${name} line ${openStart} opens a quoted field that is never closed.`);
  }
  yield* flush();
}

/** Shared loop for TSV and CSV: header detection, width check, feeding the collector. */
async function readRecords(
  ctx: ReadContext,
  records: AsyncIterable<RecordRow>,
  what: string,
): Promise<void> {
  const { name, collector, columns } = ctx;
  let width = -1;
  let headerless = true;
  for await (const { fields, no } of records) {
    if (width < 0) {
      if (fields === null) continue; // blank lines before the header
      headerless = !looksLikeHeader(fields, columns);
      const header = headerless ? positionalHeader(fields.length) : fields.map((f) => f.trim());
      collector.begin(name, header, headerless, 'line');
      width = fields.length;
      if (!headerless) continue;
    }
    if (fields === null) {
      if (!collector.add([], no)) break;
      continue;
    }
    if (fields.length !== width) {
      throw new UserError(
        `${name} line ${no} has ${fields.length} ${what} field(s) but the ${headerless ? 'first line' : 'header'} has ${width}.`,
      );
    }
    if (!collector.add(fields, no)) break;
  }
  if (width < 0) throw new UserError(`${name} has only blank lines.`);
}

export function readTsv(ctx: ReadContext): Promise<void> {
  return readRecords(
    ctx,
    tsvRecords(textLines(ctx.name, ctx.src, ctx.onProgress)),
    'tab-separated',
  );
}

export function readCsv(ctx: ReadContext): Promise<void> {
  const lines = textLines(ctx.name, ctx.src, ctx.onProgress);
  return readRecords(ctx, csvRecords(ctx.name, lines), 'comma-separated');
}

export async function readTxt(ctx: ReadContext): Promise<void> {
  const { name, collector } = ctx;
  collector.begin(name, positionalHeader(1), true, 'line');
  for await (const { text, no } of textLines(name, ctx.src, ctx.onProgress)) {
    if (!collector.add([text], no)) break;
  }
}

function jsonObject(name: string, value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(`${name} ${where} is not a JSON object with one field per column.`);
  }
  return value as Record<string, unknown>;
}

/** Feed JSON objects; the first one's keys are the columns; needed keys must be in every one. */
class ObjectRows {
  private keys: string[] = [];
  private needed: string[] = [];
  constructor(private readonly ctx: ReadContext) {}

  add(obj: Record<string, unknown>, no: number, unit: 'line' | 'row'): boolean {
    const { name, collector } = this.ctx;
    if (this.keys.length === 0) {
      this.keys = Object.keys(obj);
      if (this.keys.length === 0) throw new UserError(`${name} ${unit} ${no} is an empty object.`);
      collector.begin(name, this.keys, false, unit);
      this.needed = collector.neededColumns();
    }
    for (const k of this.needed) {
      if (!(k in obj)) throw new UserError(`${name} ${unit} ${no} has no "${k}" field.`);
    }
    return collector.add(
      this.keys.map((k) => obj[k]),
      no,
    );
  }

  get started(): boolean {
    return this.keys.length > 0;
  }
}

export async function readJsonl(ctx: ReadContext): Promise<void> {
  const { name, collector } = ctx;
  const rows = new ObjectRows(ctx);
  for await (const { text, no } of textLines(name, ctx.src, ctx.onProgress)) {
    if (text.trim() === '') {
      if (rows.started && !collector.add([], no)) break;
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new UserError(`${name} line ${no} is not valid JSON (${why}).`);
    }
    if (!rows.add(jsonObject(name, value, `line ${no}`), no, 'line')) break;
  }
  if (!rows.started) throw new UserError(`${name} has only blank lines.`);
}

/** A JSON array of objects: read whole (JSON arrays cannot be streamed line by line). */
export async function readJsonArray(ctx: ReadContext): Promise<void> {
  const { name } = ctx;
  const parts: string[] = [];
  for await (const { text } of textLines(name, ctx.src, ctx.onProgress)) parts.push(text);
  let value: unknown;
  try {
    value = JSON.parse(parts.join('\n'));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new UserError(`${name} is not valid JSON (${why}).`);
  }
  if (!Array.isArray(value)) throw new UserError(`${name} is JSON but not an array of rows.`);
  const rows = new ObjectRows(ctx);
  for (let i = 0; i < value.length; i++) {
    if (!rows.add(jsonObject(name, value[i], `row ${i + 1}`), i + 1, 'row')) break;
  }
  if (!rows.started) throw new UserError(`${name} is an empty JSON array.`);
}
