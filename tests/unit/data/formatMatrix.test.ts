/**
 * The same faults in every upload format (docs/reliability.md): the first rows of the real STS-B
 * dev set written as TSV, CSV, JSONL, a JSON array and Parquet, then broken in one place each —
 * empty, header only, a missing column, a ragged row, a score that is not a number, invalid JSON,
 * a NUL byte (binary), a Latin-1 byte (not UTF-8). Each is refused with one UserError sentence
 * naming the file and, where there is one, the line or row; nothing is loaded half-way.
 */
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../../src/engine/data/parseFile.ts';
import { isUserError } from '../../../src/engine/errors.ts';
import { utf8 } from './helpers.ts';
import { parquetFromTable, readTsvTable, type TsvTable } from './parquetFixtures.ts';

/** Header sentence1, sentence2, score and the first 4 pairs of STS-B dev. */
function sts(): TsvTable {
  const t = readTsvTable('stsb', 'dev.tsv');
  return { header: t.header, rows: t.rows.slice(0, 4) };
}

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
/** Rows as JSON objects; a score is a JSON number when it reads as one. */
const objects = (t: TsvTable) =>
  t.rows.map((r) =>
    Object.fromEntries(
      t.header.map((h, j) => {
        const v = r[j] as string;
        return [h, h === 'score' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v];
      }),
    ),
  );

const write = {
  tsv: (t: TsvTable) => utf8(`${[t.header, ...t.rows].map((r) => r.join('\t')).join('\n')}\n`),
  csv: (t: TsvTable) =>
    utf8(`${[t.header, ...t.rows].map((r) => r.map(csvField).join(',')).join('\n')}\n`),
  jsonl: (t: TsvTable) =>
    utf8(
      `${objects(t)
        .map((o) => JSON.stringify(o))
        .join('\n')}\n`,
    ),
  json: (t: TsvTable) => utf8(JSON.stringify(objects(t), null, 1)),
  parquet: (t: TsvTable) =>
    parquetFromTable(t, t.header.includes('score') ? { types: { score: 'DOUBLE' } } : {}),
};
type Format = keyof typeof write;
const FORMATS = Object.keys(write) as Format[];
/** The text formats, with plain text (one sentence a line: the first column's sentences). */
const TEXT = ['tsv', 'csv', 'jsonl', 'json', 'txt'] as const;
const textBytes = (f: (typeof TEXT)[number]) =>
  f === 'txt'
    ? utf8(
        `${sts()
          .rows.map((r) => r[0])
          .join('\n')}\n`,
      )
    : write[f](sts());

/** The refusal of `name` read as STS pairs (plain text as sentences, the kind it gives). */
async function refusal(name: string, bytes: Uint8Array): Promise<string> {
  try {
    await parseFile(name, bytes, name.endsWith('.txt') ? 'sentences' : 'sts');
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error(`${name} was accepted`);
}

/** The table without one column. */
function without(t: TsvTable, column: string): TsvTable {
  const j = t.header.indexOf(column);
  return {
    header: t.header.filter((_, k) => k !== j),
    rows: t.rows.map((r) => r.filter((_, k) => k !== j)),
  };
}

/** Rows are numbered as the reader numbers them: file lines for text, rows for JSON and Parquet. */
const where = (f: Format, n: number) =>
  f === 'json' || f === 'parquet' ? `row ${n}` : `line ${f === 'jsonl' ? n : n + 1}`;

describe('every format refuses the same faults, naming the file and the place', () => {
  it.each([...FORMATS, 'txt'])('%s: an empty file', async (f) => {
    expect(await refusal(`dev.${f}`, new Uint8Array(0))).toBe(`dev.${f} is empty (0 bytes).`);
  });

  it.each(FORMATS)('%s: a header and no rows', async (f) => {
    const t = { ...sts(), rows: [] };
    const bytes = f === 'jsonl' ? utf8('\n\n') : write[f](t);
    const expected: Record<Format, string> = {
      tsv: 'dev.tsv has a header line but no data rows.',
      csv: 'dev.csv has a header line but no data rows.',
      jsonl: 'dev.jsonl has only blank lines.',
      json: 'dev.json is an empty JSON array.',
      parquet: 'dev.parquet has a header line but no data rows.',
    };
    expect(await refusal(`dev.${f}`, bytes)).toBe(expected[f]);
  });

  it.each(FORMATS)('%s: a column the kind needs is missing', async (f) => {
    expect(await refusal(`dev.${f}`, write[f](without(sts(), 'sentence2')))).toBe(
      `dev.${f} has no column for the second sentence (text2): none of its columns ("sentence1", "score") is an obvious match, so map it with columns.text2.`,
    );
  });

  it.each(['tsv', 'csv', 'jsonl', 'json'] as const)(
    '%s: a ragged row (row 3 lacks its score)',
    async (f) => {
      const t = sts();
      let bytes: Uint8Array;
      if (f === 'tsv' || f === 'csv') {
        const sep = f === 'tsv' ? '\t' : ',';
        const lines = new TextDecoder().decode(write[f](t)).split('\n');
        lines[3] = lines[3]!.slice(0, lines[3]!.lastIndexOf(sep));
        bytes = utf8(lines.join('\n'));
      } else {
        const rows = objects(t);
        delete (rows[2] as Record<string, unknown>).score;
        bytes = utf8(
          f === 'json' ? JSON.stringify(rows) : rows.map((o) => JSON.stringify(o)).join('\n'),
        );
      }
      const expected: Record<typeof f, string> = {
        tsv: 'dev.tsv line 4 has 2 tab-separated field(s) but the header has 3.',
        csv: 'dev.csv line 4 has 2 comma-separated field(s) but the header has 3.',
        jsonl: 'dev.jsonl line 3 has no "score" field.',
        json: 'dev.json row 3 has no "score" field.',
      };
      expect(await refusal(`dev.${f}`, bytes)).toBe(expected[f]);
    },
  );

  it.each(FORMATS)('%s: a score that is not a number (row 3)', async (f) => {
    const t = sts();
    t.rows[2]![2] = 'high';
    // Parquet: a STRING score column (a DOUBLE column cannot hold "high").
    const bytes = f === 'parquet' ? parquetFromTable(t) : write[f](t);
    expect(await refusal(`dev.${f}`, bytes)).toBe(
      `dev.${f} ${where(f, 3)}, column "score": the score "high" is not a number.`,
    );
  });

  it('jsonl: invalid JSON on line 3; json: an array cut short', async () => {
    const lines = new TextDecoder().decode(write.jsonl(sts())).split('\n');
    lines[2] = lines[2]!.slice(0, 15);
    expect(await refusal('dev.jsonl', utf8(lines.join('\n')))).toMatch(
      /^dev\.jsonl line 3 is not valid JSON \(.+\)\.$/,
    );
    const json = write.json(sts());
    expect(await refusal('dev.json', json.subarray(0, json.length - 10))).toMatch(
      /^dev\.json is not valid JSON \(.+\)\.$/,
    );
  });

  it.each(TEXT)('%s: a NUL byte (a binary file)', async (f) => {
    const bytes = textBytes(f);
    const broken = new Uint8Array(bytes);
    broken[new TextDecoder().decode(bytes).indexOf('\n') + 1] = 0; // the second line's first byte
    expect(await refusal(`dev.${f}`, broken)).toBe(
      `dev.${f} contains a NUL byte on line 2, so it looks like a binary file, not text.`,
    );
  });

  it.each(TEXT)('%s: a Latin-1 byte (not UTF-8)', async (f) => {
    const bytes = textBytes(f);
    const broken = new Uint8Array(bytes);
    broken[new TextDecoder().decode(bytes).indexOf('\n') + 1] = 0xe9; // "é" in Latin-1, starting line 2
    expect(await refusal(`dev.${f}`, broken)).toBe(
      `dev.${f} is not UTF-8 text: line 2 has a byte sequence that is not valid UTF-8 (re-save the file as UTF-8).`,
    );
  });

  it('parquet: a file cut short, and one that is not Parquet at all', async () => {
    const full = write.parquet(readTsvTable('stsb', 'dev.tsv'));
    expect(await refusal('dev.parquet', full.subarray(0, full.length - 100))).toMatch(
      /^dev\.parquet is not a complete Parquet file: its footer is missing or damaged, so it was probably cut short \(.+\)\.$/,
    );
    expect(await refusal('dev.parquet', write.tsv(sts()))).toBe(
      'dev.parquet does not start with the Parquet marker "PAR1", so it is not Parquet.',
    );
  });
});
