/**
 * Bad input: each case rejects with one UserError sentence that names the file and the line,
 * row or column, and no data set is returned (nothing is loaded half-way). Where possible the bad
 * file is a real one (a Latin-1 file, a binary file, a ragged upstream file, a split without
 * labels); otherwise a real file is damaged in one place.
 */
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../../src/engine/data/parseFile.ts';
import type { ColumnMap, DataKind, ParseOptions } from '../../../src/engine/data/types.ts';
import { isUserError } from '../../../src/engine/errors.ts';
import { blobOf, bytesOf, textOf, utf8 } from './helpers.ts';
import { parquetFromTable, readTsvTable } from './parquetFixtures.ts';

async function failure(
  name: string,
  bytes: Uint8Array | Blob,
  kind: DataKind,
  columns?: ColumnMap,
  options?: ParseOptions,
): Promise<string> {
  let result: unknown;
  try {
    result = await parseFile(name, bytes, kind, columns, undefined, options);
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    const msg = (e as Error).message;
    expect(msg.startsWith(name) || msg.includes(` ${name} `) || msg.includes(name)).toBe(true);
    expect(msg.trim().endsWith('.')).toBe(true);
    return msg;
  }
  throw new Error(`expected ${name} to be refused, got ${JSON.stringify(result).slice(0, 200)}`);
}

/** Replace line `no` (1-based) of a real text file. */
function withLine(text: string, no: number, edit: (line: string) => string): Uint8Array {
  const lines = text.split('\n');
  lines[no - 1] = edit(lines[no - 1] as string);
  return utf8(lines.join('\n'));
}

describe('refused input names the file and the place', () => {
  it('an empty file', async () => {
    expect(await failure('empty.tsv', new Uint8Array(0), 'sts')).toBe(
      'empty.tsv is empty (0 bytes).',
    );
  });

  it('a header and no rows', async () => {
    const header = `${textOf('stsb', 'train.tsv').split('\n')[0]}\n`;
    expect(await failure('train.tsv', utf8(header), 'sts')).toBe(
      'train.tsv has a header line but no data rows.',
    );
  });

  it('only blank lines', async () => {
    expect(await failure('blank.txt', utf8('\n \n\n'), 'sentences')).toBe(
      'blank.txt has 3 data row(s) but every one has an empty sentence field.',
    );
    expect(await failure('blank.tsv', utf8('\n\n'), 'pairs')).toBe(
      'blank.tsv has only blank lines.',
    );
  });

  it('a split without the label column (BQ test is unlabelled)', async () => {
    const msg = await failure(
      'test_unlabelled.tsv',
      bytesOf('bq', 'test_unlabelled.tsv'),
      'labeled-pairs',
    );
    expect(msg).toBe(
      'test_unlabelled.tsv has no column for the class label (label): none of its columns ("sentence1", "sentence2") is an obvious match, so map it with columns.label.',
    );
  });

  it('a misnamed column in the map', async () => {
    const msg = await failure('dev.tsv', bytesOf('stsb', 'dev.tsv'), 'sts', {
      score: 'similarity',
    });
    expect(msg).toBe(
      'dev.tsv has no column "similarity" for the similarity score (score): its columns are "sentence1", "sentence2", "score".',
    );
  });

  it('ragged rows in the raw STS-B file (7 or 9 tab fields)', async () => {
    const msg = await failure('sts-dev.csv', bytesOf('stsb', 'original', 'sts-dev.csv'), 'sts', {
      text: '6',
      text2: '7',
      score: '5',
    });
    expect(msg).toBe(
      'sts-dev.csv line 1479 has 9 tab-separated field(s) but the first line has 7.',
    );
  });

  it('a row with a tab missing', async () => {
    const bytes = withLine(textOf('stsb', 'dev.tsv'), 11, (l) => l.replace('\t', ' '));
    expect(await failure('dev.tsv', bytes, 'sts')).toBe(
      'dev.tsv line 11 has 2 tab-separated field(s) but the header has 3.',
    );
  });

  it('a score that is not a number, on the last line (no partial data set)', async () => {
    const text = textOf('stsb', 'dev.tsv');
    const last = text.trimEnd().split('\n').length;
    const bytes = withLine(text, last, (l) => l.replace(/\t[^\t]*$/, '\tn/a'));
    expect(await failure('dev.tsv', bytes, 'sts')).toBe(
      `dev.tsv line ${last}, column "score": the score "n/a" is not a number.`,
    );
  });

  it('a score outside the range the set declares', async () => {
    const bytes = withLine(textOf('stsb', 'dev.tsv'), 3, (l) => l.replace(/\t[^\t]*$/, '\t7.5'));
    expect(await failure('dev.tsv', bytes, 'sts', undefined, { scoreRange: [0, 5] })).toBe(
      'dev.tsv line 3, column "score": the score 7.5 is outside this set\'s range 0–5.',
    );
  });

  it('an unlabelled (-1) row in labelled data', async () => {
    const bytes = withLine(textOf('sst2', 'dev.tsv'), 4, (l) => l.replace(/\t\d$/, '\t-1'));
    expect(await failure('dev.tsv', bytes, 'labeled')).toBe(
      'dev.tsv line 4, column "label" has the negative label -1, which marks an unlabelled row (a test split?).',
    );
  });

  it('a label that is not one of the set’s classes', async () => {
    const msg = await failure('dev.tsv', bytesOf('snli', 'dev.tsv'), 'labeled-pairs', undefined, {
      labelNames: ['entailment', 'contradiction'],
    });
    expect(msg).toBe(
      'dev.tsv line 2, column "label": the label "neutral" is not one of "entailment", "contradiction".',
    );
  });

  it('invalid JSON on line 7 of a JSONL file', async () => {
    const bytes = withLine(textOf('simclue', 'original', 'train_pair_1w.json'), 7, (l) =>
      l.slice(0, 20),
    );
    const msg = await failure('train_pair_1w.json', bytes, 'labeled-pairs');
    expect(msg).toMatch(/^train_pair_1w\.json line 7 is not valid JSON \(.+\)\.$/);
  });

  it('a JSONL line that lacks a needed field', async () => {
    const bytes = withLine(textOf('simclue', 'original', 'train_rank_1w.json'), 5, (l) =>
      l.replace('"neg_title"', '"other"'),
    );
    expect(await failure('train_rank_1w.json', bytes, 'triplets')).toBe(
      'train_rank_1w.json line 5 has no "neg_title" field.',
    );
  });

  it('a binary file (an xz-compressed R data file)', async () => {
    const blob = await blobOf('glove-twitter-25d-subset', 'original', 'glove_twitter_25d.rda');
    expect(await failure('glove_twitter_25d.rda', blob, 'sentences')).toBe(
      'glove_twitter_25d.rda contains a NUL byte on line 1, so it looks like a binary file, not text.',
    );
  });

  it('a binary file with a text extension', async () => {
    const bytes = bytesOf('glove-twitter-25d-subset', 'original', 'glove_twitter_25d.rda');
    const msg = await failure('vectors.tsv', bytes, 'pairs');
    expect(msg).toMatch(
      /^vectors\.tsv contains a NUL byte on line \d+, so it looks like a binary file, not text\.$/,
    );
  });

  it('Latin-1 text (TREC train_5500.label) names the first bad line', async () => {
    const blob = await blobOf('trec', 'original', 'train_5500.label');
    expect(await failure('train_5500.label', blob, 'sentences')).toBe(
      'train_5500.label is not UTF-8 text: line 66 has a byte sequence that is not valid UTF-8 (re-save the file as UTF-8).',
    );
  });

  it('UTF-16 text', async () => {
    const text = textOf('sst2', 'dev.tsv').slice(0, 500);
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) bytes[2 + 2 * i] = text.charCodeAt(i);
    expect(await failure('dev.tsv', bytes, 'labeled')).toBe(
      'dev.tsv is UTF-16 text; save it as UTF-8 and upload it again.',
    );
  });

  it('a Parquet file cut short', async () => {
    const full = parquetFromTable(readTsvTable('stsb', 'dev.tsv'), { types: { score: 'DOUBLE' } });
    const cut = full.subarray(0, Math.floor(full.length * 0.6));
    const msg = await failure('dev.parquet', cut, 'sts');
    expect(msg).toMatch(
      /^dev\.parquet is not a complete Parquet file: its footer is missing or damaged, so it was probably cut short \(.+\)\.$/,
    );
  });

  it('a file called .parquet that is not Parquet', async () => {
    expect(await failure('dev.parquet', bytesOf('stsb', 'dev.tsv'), 'sts')).toBe(
      'dev.parquet does not start with the Parquet marker "PAR1", so it is not Parquet.',
    );
  });

  it('a CSV quote that is never closed', async () => {
    const csv = 'sentence1,sentence2,score\na,b,1\n"c,d,2\ne,f,3\n';
    expect(await failure('open.csv', utf8(csv), 'sts')).toBe(
      'open.csv line 3 opens a quoted field that is never closed.',
    );
  });

  it('plain text for a kind that needs columns', async () => {
    expect(
      await failure('wiki1m_head.txt', bytesOf('wiki1m-subset', 'wiki1m_head.txt'), 'pairs'),
    ).toBe(
      'wiki1m_head.txt is plain text with one sentence a line, which gives "sentences" data, not "pairs" (use TSV, CSV, JSONL or Parquet for columns).',
    );
  });

  it('a limit that is not a positive whole number', async () => {
    await expect(
      parseFile('dev.tsv', bytesOf('stsb', 'dev.tsv'), 'sts', undefined, 0),
    ).rejects.toThrow('The row limit must be a positive whole number, got 0.');
  });
});

describe('reported, not refused', () => {
  it('blank lines and rows with an empty sentence are counted as removed', async () => {
    const lines = textOf('stsb', 'dev.tsv').trimEnd().split('\n').slice(0, 11);
    lines.splice(3, 0, ''); // a blank line
    lines[6] = lines[6]?.replace(/^[^\t]*/, '  ') as string; // an empty first sentence
    const ds = await parseFile('dev.tsv', utf8(`${lines.join('\n')}\n\n`), 'sts');
    expect(ds.report).toEqual({
      rowsRead: 12,
      kept: 9,
      emptyRemoved: 3,
      duplicatesRemoved: 0,
      truncatedAtLimit: false,
    });
  });

  it('CRLF line ends and a UTF-8 BOM are accepted', async () => {
    const text = textOf('sst2', 'dev.tsv');
    const crlf = `\uFEFF${text.replace(/\n/g, '\r\n')}`;
    const a = await parseFile('dev.tsv', utf8(crlf), 'labeled');
    const b = await parseFile('dev.tsv', utf8(text), 'labeled');
    expect(a.examples).toEqual(b.examples);
    expect(a.report.kept).toBe(872);
  });

  it('opt-in dedup of whole examples for pair kinds', async () => {
    // STS-B train has 34 exactly repeated rows (sort | uniq -d on the whole line).
    const ds = await parseFile(
      'train.tsv',
      bytesOf('stsb', 'train.tsv'),
      'sts',
      undefined,
      undefined,
      {
        dedup: true,
      },
    );
    expect(ds.report.rowsRead).toBe(5749);
    expect(ds.report.duplicatesRemoved).toBeGreaterThanOrEqual(34);
    expect(ds.report.kept + ds.report.duplicatesRemoved).toBe(5749);
  });
});
