/**
 * Parquet files written by the tests (hyparquet-writer) from the real TSVs in ../shared/data,
 * shaped like the Hub's converted files: string columns, float64 scores, int64 labels, and the
 * `huggingface` key-value metadata with ClassLabel names when a set has them.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import { textOf } from './helpers.ts';

export interface TsvTable {
  header: string[];
  rows: string[][];
}

export function readTsvTable(...parts: string[]): TsvTable {
  const lines = textOf(...parts)
    .replace(/\n$/, '')
    .split('\n');
  const header = (lines[0] as string).split('\t');
  return { header, rows: lines.slice(1).map((l) => l.split('\t')) };
}

export interface ParquetSpec {
  /** Column name → parquet type; omitted columns are STRING. */
  types?: Record<string, 'DOUBLE' | 'INT64'>;
  /** Rename columns (file header → parquet column). */
  rename?: Record<string, string>;
  /** Map string labels of a column to their ClassLabel index. */
  classLabel?: { column: string; names: string[] };
  rowGroupSize?: number;
}

export function parquetFromTable(table: TsvTable, spec: ParquetSpec = {}): Uint8Array {
  const columnData = table.header.map((h, j) => {
    const name = spec.rename?.[h] ?? h;
    const raw = table.rows.map((r) => r[j] as string);
    if (spec.classLabel?.column === name) {
      const names = spec.classLabel.names;
      return { name, data: raw.map((v) => BigInt(names.indexOf(v))), type: 'INT64' as const };
    }
    const type = spec.types?.[name];
    if (type === 'DOUBLE') return { name, data: raw.map(Number), type };
    if (type === 'INT64') return { name, data: raw.map((v) => BigInt(v)), type };
    return { name, data: raw, type: 'STRING' as const };
  });
  const kvMetadata = spec.classLabel
    ? [
        {
          key: 'huggingface',
          value: JSON.stringify({
            info: {
              features: {
                [spec.classLabel.column]: { names: spec.classLabel.names, _type: 'ClassLabel' },
              },
            },
          }),
        },
      ]
    : undefined;
  const buf = parquetWriteBuffer({
    columnData,
    rowGroupSize: spec.rowGroupSize,
    kvMetadata,
  });
  return new Uint8Array(buf);
}
