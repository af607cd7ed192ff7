/**
 * Every format parsed from the real files in ../shared/data. Expected row counts are the ones
 * ../shared/data/SOURCES.md gives; label and duplicate counts were measured with coreutils
 * (`cut | sort | uniq -c`, `sort | uniq -d`) on the same files.
 */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { detectFormat, parseFile } from '../../../src/engine/data/parseFile.ts';
import type { DataKind, Dataset } from '../../../src/engine/data/types.ts';
import { blobOf, bytesOf, labelCounts, textOf, utf8 } from './helpers.ts';

function expectClean(ds: Dataset, rows: number): void {
  expect(ds.report).toEqual({
    rowsRead: rows,
    kept: rows,
    emptyRemoved: 0,
    duplicatesRemoved: 0,
    truncatedAtLimit: false,
  });
  expect(ds.examples).toHaveLength(rows);
}

describe('TSV from ../shared/data (row counts of SOURCES.md)', () => {
  const sts: [string, string, number][] = [
    ['stsb', 'train.tsv', 5749],
    ['stsb', 'dev.tsv', 1500],
    ['stsb', 'test.tsv', 1379],
    ['sts12', 'all.tsv', 3108],
    ['sts13', 'all.tsv', 1500],
    ['sts14', 'all.tsv', 3750],
    ['sts15', 'all.tsv', 3000],
    ['sts16', 'all.tsv', 1186],
    ['zh-stsb', 'train.tsv', 5231],
    ['zh-stsb', 'dev.tsv', 1458],
    ['zh-stsb', 'test.tsv', 1361],
  ];
  it.each(sts)('%s/%s is sts data with %i scored pairs rescaled from 0–5', async (dir, file, n) => {
    const ds = await parseFile(file, await blobOf(dir, file), 'sts', undefined, undefined, {
      scoreRange: [0, 5],
    });
    expectClean(ds, n);
    expect(ds.scoreRange).toEqual([0, 5]);
    for (const e of ds.examples) {
      expect(e.text.length).toBeGreaterThan(0);
      expect(e.text2?.length).toBeGreaterThan(0);
      expect(e.score).toBeCloseTo((e.rawScore as number) / 5, 12);
      expect(e.score).toBeGreaterThanOrEqual(0);
      expect(e.score).toBeLessThanOrEqual(1);
    }
  });

  it('keeps the first STS-B pair exactly and keeps the raw score', async () => {
    const ds = await parseFile(
      'train.tsv',
      bytesOf('stsb', 'train.tsv'),
      'sts',
      undefined,
      undefined,
      {
        scoreRange: [0, 5],
      },
    );
    expect(ds.examples[0]).toEqual({
      text: 'A plane is taking off.',
      text2: 'An air plane is taking off.',
      score: 1,
      rawScore: 5,
    });
    expect(ds.examples[1]?.rawScore).toBe(3.8);
  });

  it('keeps the unbalanced quotes of STS15/16 as they are (TSV has no quoting)', async () => {
    const ds = await parseFile(
      'answers-students.tsv',
      bytesOf('sts15', 'answers-students.tsv'),
      'sts',
    );
    expect(ds.examples[0]?.text).toBe(
      '"The electrical state at the terminal matches the battery""s electrical state"',
    );
    const ds16 = await parseFile('postediting.tsv', bytesOf('sts16', 'postediting.tsv'), 'sts');
    expect(ds16.examples[0]?.text).toBe('"It would be a mistake to underestimate her.');
    expect(ds16.report.kept).toBe(244);
  });

  it.each([
    ['train.tsv', 4500],
    ['dev.tsv', 500],
    ['test.tsv', 4927],
  ])('SICK %s has %i relatedness pairs on the 1–5 scale', async (file, n) => {
    const ds = await parseFile(file, bytesOf('sick', file), 'sts', undefined, undefined, {
      scoreRange: [1, 5],
    });
    expectClean(ds, n);
    const raw = ds.examples.map((e) => e.rawScore as number);
    expect(Math.min(...raw)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...raw)).toBeLessThanOrEqual(5);
  });

  it('SICK entailment labels become sorted class names', async () => {
    const ds = await parseFile(
      'train.entailment.tsv',
      bytesOf('sick', 'train.entailment.tsv'),
      'labeled-pairs',
    );
    expectClean(ds, 4500);
    expect(ds.labelNames).toEqual(['CONTRADICTION', 'ENTAILMENT', 'NEUTRAL']);
    expect(labelCounts(ds.examples)).toEqual({ 0: 665, 1: 1299, 2: 2536 });
  });

  const triplets: [string, string, number][] = [
    ['snli', 'dev.triplets.tsv', 2943],
    ['snli', 'test.triplets.tsv', 2921],
    ['zh-snli', 'dev.triplets.tsv', 2699],
    ['zh-snli', 'test.triplets.tsv', 2618],
    ['simclue', 'train_rank_1w.triplets.tsv', 10000],
    ['simclue', 'triclue_small_train.triplets.tsv', 8313],
  ];
  it.each(triplets)('%s/%s has %i triplets (sent0, sent1, hard_neg)', async (dir, file, n) => {
    const ds = await parseFile(file, await blobOf(dir, file), 'triplets');
    expectClean(ds, n);
    expect(ds.examples.every((e) => e.text && e.text2 && e.text3)).toBe(true);
  });

  it('SNLI dev pairs keep their three NLI classes with fixed names', async () => {
    const ds = await parseFile(
      'dev.tsv',
      bytesOf('snli', 'dev.tsv'),
      'labeled-pairs',
      undefined,
      undefined,
      {
        labelNames: ['entailment', 'neutral', 'contradiction'],
      },
    );
    expectClean(ds, 9842);
    expect(labelCounts(ds.examples)).toEqual({ 0: 3329, 1: 3235, 2: 3278 });
  });

  const matching: [string, string, number, number][] = [
    ['lcqmc', 'dev.tsv', 8802, -1],
    ['lcqmc', 'test.tsv', 12500, 6250],
    ['atec', 'dev.tsv', 20000, 3688],
    ['atec', 'test.tsv', 20000, 3610],
    ['afqmc', 'train.tsv', 34334, -1],
    ['afqmc', 'dev.tsv', 4316, -1],
    ['bq', 'dev.tsv', 10000, -1],
    ['pawsx', 'dev.tsv', 2000, -1],
    ['pawsx', 'test.tsv', 2000, -1],
    ['simclue', 'train_pair_1w.tsv', 10000, -1],
  ];
  it.each(matching)('Chinese %s/%s has %i labelled pairs', async (dir, file, n, positives) => {
    const ds = await parseFile(file, await blobOf(dir, file), 'labeled-pairs');
    expectClean(ds, n);
    expect(ds.labelNames).toBeUndefined();
    const counts = labelCounts(ds.examples);
    expect(Object.keys(counts).sort()).toEqual(['0', '1']);
    if (positives >= 0) expect(counts[1]).toBe(positives); // SOURCES.md: positives per split
    expect(/[\u4e00-\u9fff]/.test(ds.examples[0]?.text ?? '')).toBe(true);
  });

  const labeled: [string, string, number][] = [
    ['sst2', 'train.tsv', 67349],
    ['sst2', 'dev.tsv', 872],
    ['sst2', 'test.tsv', 1821],
    ['mr', 'all.tsv', 10662],
  ];
  it.each(labeled)('%s/%s has %i sentences with 0/1 labels', async (dir, file, n) => {
    const ds = await parseFile(file, await blobOf(dir, file), 'labeled');
    expectClean(ds, n);
    expect(ds.examples.every((e) => e.label === 0 || e.label === 1)).toBe(true);
  });

  it.each([
    ['train.tsv', 5452, { 0: 86, 1: 1162, 2: 1250, 3: 1223, 4: 835, 5: 896 }],
    ['test.tsv', 500, null],
  ] as const)('TREC %s has %i questions in 6 coarse classes', async (file, n, counts) => {
    const ds = await parseFile(file, bytesOf('trec', file), 'labeled');
    expectClean(ds, n);
    expect(ds.labelNames).toEqual(['ABBR', 'DESC', 'ENTY', 'HUM', 'LOC', 'NUM']);
    if (counts) expect(labelCounts(ds.examples)).toEqual(counts);
  });

  it('reads a pairs kind from the first two columns of a labelled file', async () => {
    const ds = await parseFile('dev.tsv', bytesOf('lcqmc', 'dev.tsv'), 'pairs');
    expectClean(ds, 8802);
    expect(ds.examples[0]).toEqual({
      text: '开初婚未育证明怎么弄？',
      text2: '初婚未育情况证明怎么开？',
    });
  });

  it('honours an explicit column map by name and by position', async () => {
    const byName = await parseFile('train.tsv', bytesOf('sst2', 'train.tsv'), 'sentences', {
      text: 'sentence',
    });
    const byPos = await parseFile('train.tsv', bytesOf('sst2', 'train.tsv'), 'sentences', {
      text: '1',
    });
    expect(byPos.examples).toEqual(byName.examples);
    // Phrases repeat in SST-2's train split: 371 duplicates (sort | uniq -d on column 1).
    expect(byName.report.rowsRead).toBe(67349);
    expect(byName.report.duplicatesRemoved).toBeGreaterThan(0);
    expect(byName.report.kept + byName.report.duplicatesRemoved).toBe(67349);
  });
});

describe('header-less files and sniffing (original upstream files)', () => {
  it('ATEC.valid.data (no header, no extension the reader knows) is sniffed as TSV', async () => {
    const blob = await blobOf('atec', 'original', 'ATEC.valid.data');
    expect(await detectFormat('ATEC.valid.data', blob, 'labeled-pairs')).toBe('tsv');
    const ds = await parseFile('ATEC.valid.data', blob, 'labeled-pairs');
    expectClean(ds, 20000);
    expect(labelCounts(ds.examples)).toEqual({ 0: 16312, 1: 3688 });
  });

  it('LCQMC dev.txt is tab-separated text, read as TSV for pairs', async () => {
    const ds = await parseFile('dev.txt', bytesOf('lcqmc', 'original', 'dev.txt'), 'labeled-pairs');
    expectClean(ds, 8802);
  });

  it.each([
    ['SICK_train.txt', 4500],
    ['SICK_trial.txt', 500],
    ['SICK_test_annotated.txt', 4927],
  ])(
    'the SICK original %s maps sentence_A/sentence_B/relatedness_score by header',
    async (file, n) => {
      const ds = await parseFile(
        file,
        bytesOf('sick', 'original', file),
        'sts',
        undefined,
        undefined,
        {
          scoreRange: [1, 5],
        },
      );
      expectClean(ds, n);
    },
  );

  it('the raw STS-B sts-dev.csv is tab-separated despite its name', async () => {
    const bytes = bytesOf('stsb', 'original', 'sts-dev.csv');
    expect(await detectFormat('sts-dev.csv', bytes, 'sts')).toBe('tsv');
  });
});

describe('TXT, JSONL, CSV and Parquet from real data', () => {
  it('wiki1m_head.txt: 11,914 lines, 366 repeated sentences dropped (sort | uniq -d)', async () => {
    const ds = await parseFile(
      'wiki1m_head.txt',
      await blobOf('wiki1m-subset', 'wiki1m_head.txt'),
      'sentences',
    );
    expect(ds.report).toEqual({
      rowsRead: 11914,
      kept: 11548,
      emptyRemoved: 0,
      duplicatesRemoved: 366,
      truncatedAtLimit: false,
    });
    expect(ds.examples[0]).toEqual({ text: 'YMCA in South Australia' });
    expect(new Set(ds.examples.map((e) => e.text)).size).toBe(11548);
  });

  it('the SimCLUE corpus is 10,000 Chinese sentences', async () => {
    const ds = await parseFile(
      'corpus_1w.sentences.txt',
      bytesOf('simclue', 'corpus_1w.sentences.txt'),
      'sentences',
    );
    expectClean(ds, 10000);
    expect(ds.examples[0]?.text).toBe('我还有几天过生日');
  });

  it('a limit keeps the first rows and says the file went on', async () => {
    const ds = await parseFile(
      'wiki1m_head.txt',
      bytesOf('wiki1m-subset', 'wiki1m_head.txt'),
      'sentences',
      undefined,
      100,
    );
    expect(ds.report.kept).toBe(100);
    expect(ds.report.truncatedAtLimit).toBe(true);
    expect(ds.examples[0]?.text).toBe('YMCA in South Australia');
    const exact = await parseFile(
      'test.tsv',
      bytesOf('trec', 'test.tsv'),
      'labeled',
      undefined,
      500,
    );
    expect(exact.report.truncatedAtLimit).toBe(false);
    const one = await parseFile('test.tsv', bytesOf('trec', 'test.tsv'), 'labeled', undefined, 499);
    expect(one.report).toMatchObject({ kept: 499, rowsRead: 499, truncatedAtLimit: true });
  });

  it('SimCLUE JSONL (.json with one object a line): pairs with string labels', async () => {
    const ds = await parseFile(
      'train_pair_1w.json',
      await blobOf('simclue', 'original', 'train_pair_1w.json'),
      'labeled-pairs',
    );
    expectClean(ds, 10000);
    const tsv = await parseFile(
      'train_pair_1w.tsv',
      bytesOf('simclue', 'train_pair_1w.tsv'),
      'labeled-pairs',
    );
    expect(ds.examples).toEqual(tsv.examples);
  });

  it('SimCLUE JSONL query/title/neg_title maps to triplets by name', async () => {
    const ds = await parseFile(
      'train_rank_1w.json',
      bytesOf('simclue', 'original', 'train_rank_1w.json'),
      'triplets',
    );
    expectClean(ds, 10000);
    expect(ds.examples[0]).toEqual({
      text: '胡子长得太快怎么办？',
      text2: '胡子长得快怎么办？',
      text3: '怎样使胡子不浓密！',
    });
  });

  it('CSV written from the STS-B TSV (quotes, commas) reads back identically', async () => {
    const tsv = await parseFile('train.tsv', bytesOf('stsb', 'train.tsv'), 'sts');
    const rows = textOf('stsb', 'train.tsv')
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    const csv = Papa.unparse(rows, { newline: '\r\n' });
    expect(csv).toContain('"'); // some sentences need quoting
    const ds = await parseFile('train.csv', utf8(csv), 'sts');
    expect(ds.examples).toEqual(tsv.examples);
    expect(ds.report.kept).toBe(5749);
  });

  it('CSV fields may hold line breaks; line numbers stay exact after them', async () => {
    const csv = 'sentence1,sentence2,score\n"a\nb",c,1\nd,e,x\n';
    await expect(parseFile('multi.csv', utf8(csv), 'sts')).rejects.toThrow(
      'multi.csv line 4, column "score": the score "x" is not a number.',
    );
    const ok = await parseFile('multi.csv', utf8('sentence1,sentence2,score\n"a\nb",c,1\n'), 'sts');
    expect(ok.examples).toEqual([{ text: 'a\nb', text2: 'c', score: 1, rawScore: 1 }]);
  });
});

describe('format detection', () => {
  const cases: [string, string, DataKind, string][] = [
    ['a.tsv', 'x\ty\n', 'pairs', 'tsv'],
    ['a.csv', 'x,y\n', 'pairs', 'csv'],
    ['a.json', '[{"text":"x"}]', 'sentences', 'json'],
    ['a.json', '{"text":"x"}\n', 'sentences', 'jsonl'],
    ['a.txt', 'x\ty\n', 'sentences', 'txt'],
    ['a.txt', 'x\ty\n', 'pairs', 'tsv'],
    ['noext', '{"a":1}\n', 'pairs', 'jsonl'],
    ['noext', 'hello, world\n', 'sentences', 'txt'],
    ['noext', 'hello, world\n', 'pairs', 'csv'],
  ];
  it.each(cases)('%s %j as %s is %s', async (name, text, kind, format) => {
    expect(await detectFormat(name, utf8(text), kind)).toBe(format);
  });
});
