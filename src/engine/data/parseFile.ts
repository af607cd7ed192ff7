/**
 * `parseFile`: one uploaded (or fetched, or opened) file to a `Dataset`. The format comes from
 * the extension, checked against the first bytes:
 *
 * - starts with "PAR1" → Parquet, whatever the name says (and a `.parquet` without it is refused);
 * - `.tsv`/`.tab` → TSV; `.csv` → CSV, or TSV when the first lines are tab- and not comma-separated
 *   (the raw STS-Benchmark `sts-*.csv` files are);
 * - `.jsonl`/`.ndjson` → JSONL; `.json` → a JSON array when it starts with `[`, else JSONL;
 * - `.txt`/`.text` → one sentence a line, or TSV when the kind needs columns and the first line
 *   has a tab;
 * - anything else is sniffed: `{` → JSONL, `[` → JSON array, a tab → TSV, a comma (for a kind with
 *   several columns) → CSV, else one sentence a line.
 */
import { UserError } from '../errors.ts';
import { ExampleCollector } from './collector.ts';
import {
  type ReadContext,
  readCsv,
  readJsonArray,
  readJsonl,
  readTsv,
  readTxt,
} from './formats.ts';
import { isParquetHead, readParquet } from './parquet.ts';
import { byteLength, readRange, refuseNonText } from './text.ts';
import type { ByteSource, ColumnMap, DataKind, Dataset, ParseOptions } from './types.ts';

export type FileFormat = 'parquet' | 'tsv' | 'csv' | 'jsonl' | 'json' | 'txt';

const SNIFF_BYTES = 64 * 1024;

function extension(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** The first few non-blank lines, decoded leniently (only for choosing a format). */
function firstLines(head: Uint8Array, n: number): string[] {
  const text = new TextDecoder('utf-8').decode(head).replace(/^\uFEFF/, '');
  const lines = text.split('\n');
  if (head.length >= SNIFF_BYTES) lines.pop(); // maybe cut
  return lines
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '')
    .slice(0, n);
}

function count(s: string, ch: string): number {
  let k = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) k++;
  return k;
}

/** Tab-separated when every sampled line has a tab and no line has a comma outside quotes. */
function looksTabSeparated(lines: string[]): boolean {
  if (lines.length === 0) return false;
  const unquoted = (l: string) => l.replace(/"[^"]*"/g, '');
  return (
    lines.every((l) => count(l, '\t') > 0) &&
    (lines.every((l) => count(unquoted(l), ',') === 0) ||
      new Set(lines.map((l) => count(l, '\t'))).size === 1)
  );
}

/** Pick the reader for a file. Exported for tests and for hosts that show the format. */
export async function detectFormat(
  name: string,
  src: ByteSource,
  kind: DataKind,
): Promise<FileFormat> {
  const size = byteLength(src);
  if (size === 0) throw new UserError(`${name} is empty (0 bytes).`);
  const head = await readRange(src, 0, Math.min(size, SNIFF_BYTES));
  const ext = extension(name);
  if (isParquetHead(head)) return 'parquet';
  if (ext === 'parquet') {
    throw new UserError(
      `${name} does not start with the Parquet marker "PAR1", so it is not Parquet.`,
    );
  }
  refuseNonText(name, head);
  const lines = firstLines(head, 20);
  const first = lines[0]?.trimStart() ?? '';
  const multiColumn = kind !== 'sentences';
  switch (ext) {
    case 'tsv':
    case 'tab':
      return 'tsv';
    case 'csv':
      return looksTabSeparated(lines) ? 'tsv' : 'csv';
    case 'jsonl':
    case 'ndjson':
      return 'jsonl';
    case 'json':
      return first.startsWith('[') ? 'json' : 'jsonl';
    case 'txt':
    case 'text':
      return multiColumn && first.includes('\t') ? 'tsv' : 'txt';
  }
  if (first.startsWith('{')) return 'jsonl';
  if (first.startsWith('[')) return 'json';
  if (first.includes('\t')) return 'tsv';
  if (multiColumn && first.includes(',')) return 'csv';
  return 'txt';
}

/**
 * Parse one file into a data set.
 * @param name the file name (its extension picks the format; messages name it)
 * @param limit keep at most this many examples (the first in file order)
 */
export async function parseFile(
  name: string,
  bytes: Uint8Array | Blob,
  kind: DataKind,
  columns?: ColumnMap,
  limit?: number,
  options: ParseOptions = {},
): Promise<Dataset> {
  const collector = new ExampleCollector({ ...options, name, kind, columns, limit });
  const format = await detectFormat(name, bytes, kind);
  const ctx: ReadContext = { name, src: bytes, collector, columns, onProgress: options.onProgress };
  await readFormat(format, ctx, kind);
  return collector.finish();
}

/** Run one reader into the context's collector (the Hub loader feeds several shards to one). */
export async function readFormat(
  format: FileFormat,
  ctx: ReadContext,
  kind: DataKind,
): Promise<void> {
  switch (format) {
    case 'parquet':
      return readParquet(ctx);
    case 'tsv':
      return readTsv(ctx);
    case 'csv':
      return readCsv(ctx);
    case 'jsonl':
      return readJsonl(ctx);
    case 'json':
      return readJsonArray(ctx);
    case 'txt':
      if (kind !== 'sentences') {
        throw new UserError(
          `${ctx.name} is plain text with one sentence a line, which gives "sentences" data, not "${kind}" (use TSV, CSV, JSONL or Parquet for columns).`,
        );
      }
      return readTxt(ctx);
  }
}
