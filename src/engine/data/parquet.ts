/**
 * Parquet reading with hyparquet (+ hyparquet-compressors for gzip/brotli/zstd/lz4). The file is
 * read through an AsyncBuffer over the Blob or bytes, one row group at a time and only the
 * columns the kind needs, so a large upload is never decoded whole. Hugging Face's `huggingface`
 * key-value metadata supplies ClassLabel names.
 */
import {
  type AsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { UserError } from '../errors.ts';
import type { ReadContext } from './formats.ts';
import type { ByteSource } from './types.ts';

export const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

export function isParquetHead(head: Uint8Array): boolean {
  return PARQUET_MAGIC.every((b, i) => head[i] === b);
}

export function asyncBuffer(src: ByteSource): AsyncBuffer {
  if (src instanceof Uint8Array) {
    return {
      byteLength: src.byteLength,
      slice: (start, end) =>
        src.buffer.slice(
          src.byteOffset + start,
          src.byteOffset + (end ?? src.byteLength),
        ) as ArrayBuffer,
    };
  }
  return { byteLength: src.size, slice: (start, end) => src.slice(start, end).arrayBuffer() };
}

/**
 * Class names per column from the metadata the `datasets` library writes:
 * `huggingface` → `{"info": {"features": {"label": {"_type": "ClassLabel", "names": [...]}}}}`.
 */
export function classLabelNames(metadata: FileMetaData): Record<string, string[]> {
  const kv = metadata.key_value_metadata?.find((e) => e.key === 'huggingface');
  if (!kv?.value) return {};
  try {
    const parsed = JSON.parse(kv.value) as { info?: { features?: Record<string, unknown> } };
    const out: Record<string, string[]> = {};
    for (const [col, f] of Object.entries(parsed.info?.features ?? {})) {
      const feat = f as { _type?: string; names?: unknown };
      if (feat._type === 'ClassLabel' && Array.isArray(feat.names)) {
        out[col] = feat.names.map(String);
      }
    }
    return out;
  } catch {
    return {};
  }
}

async function readMetadata(name: string, file: AsyncBuffer): Promise<FileMetaData> {
  try {
    return await parquetMetadataAsync(file);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/PAR1|too short|exceeds available buffer/.test(msg)) {
      throw new UserError(
        `${name} is not a complete Parquet file: its footer is missing or damaged, so it was probably cut short (${msg}).`,
      );
    }
    throw new UserError(`${name} could not be read as Parquet (${msg}).`);
  }
}

export async function readParquet(ctx: ReadContext): Promise<void> {
  const { name, src, collector, onProgress } = ctx;
  const file = asyncBuffer(src);
  const metadata = await readMetadata(name, file);
  const header = topLevelNames(metadata);
  if (header.length === 0) throw new UserError(`${name} has no columns.`);
  collector.begin(name, header, false, 'row', classLabelNames(metadata));
  const needed = collector.neededColumns();
  const index = new Map(header.map((h, i) => [h, i]));
  const total = Number(metadata.num_rows);
  let rowStart = 0;
  for (let g = 0; g < metadata.row_groups.length; g++) {
    const n = Number(metadata.row_groups[g]?.num_rows ?? 0);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({
        file,
        metadata,
        columns: needed,
        rowStart,
        rowEnd: rowStart + n,
        compressors,
      });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new UserError(
        `${name} row group ${g + 1} (rows ${rowStart + 1}–${rowStart + n}) could not be decoded, so the file is damaged or cut short (${msg}).`,
      );
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as Record<string, unknown>;
      const values: unknown[] = new Array(header.length);
      for (const c of needed) values[index.get(c) as number] = row[c];
      if (!collector.add(values, rowStart + i + 1)) return;
    }
    rowStart += n;
    onProgress?.({ phase: 'parse', loaded: rowStart, total });
  }
}

/** Names of the top-level fields (children of the schema root), skipping nested elements. */
function topLevelNames(metadata: FileMetaData): string[] {
  const schema = metadata.schema;
  const out: string[] = [];
  let i = 1;
  const rootChildren = schema[0]?.num_children ?? 0;
  for (let c = 0; c < rootChildren && i < schema.length; c++) {
    const el = schema[i];
    if (!el) break;
    out.push(el.name);
    i = skipSubtree(schema, i);
  }
  return out;
}

function skipSubtree(schema: FileMetaData['schema'], i: number): number {
  const kids = schema[i]?.num_children ?? 0;
  let next = i + 1;
  for (let k = 0; k < kids; k++) next = skipSubtree(schema, next);
  return next;
}
