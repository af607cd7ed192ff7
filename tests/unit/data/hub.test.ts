/**
 * The Hub loader against a local mirror (hubMirror.ts) serving Parquet files that this test writes
 * with hyparquet-writer from the real TSVs in ../shared/data. The expected examples are the ones
 * the TSV reader gives for the same files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryDataCache } from '../../../src/engine/data/cache.ts';
import { loadDataset } from '../../../src/engine/data/loadDataset.ts';
import { parseFile } from '../../../src/engine/data/parseFile.ts';
import type { DataIO, DataProgress } from '../../../src/engine/data/types.ts';
import { isUserError } from '../../../src/engine/errors.ts';
import { bytesOf, labelCounts, textOf } from './helpers.ts';
import { type HubMirror, startHubMirror } from './hubMirror.ts';
import { parquetFromTable, readTsvTable, type TsvTable } from './parquetFixtures.ts';

const STS = { types: { score: 'DOUBLE' as const } };
let mirror: HubMirror;
let stsbTrainShards: [number, number];

function halves(t: TsvTable): [TsvTable, TsvTable] {
  const mid = Math.ceil(t.rows.length / 2);
  return [
    { header: t.header, rows: t.rows.slice(0, mid) },
    { header: t.header, rows: t.rows.slice(mid) },
  ];
}

beforeAll(async () => {
  const train = halves(readTsvTable('stsb', 'train.tsv'));
  stsbTrainShards = [train[0].rows.length, train[1].rows.length];
  const wikiLines = textOf('wiki1m-subset', 'wiki1m_head.txt').replace(/\n$/, '').split('\n');
  const nliNames = ['entailment', 'neutral', 'contradiction'];
  const nli = { rename: { sentence1: 'premise', sentence2: 'hypothesis' } };
  const full = parquetFromTable(readTsvTable('stsb', 'dev.tsv'), STS);
  mirror = await startHubMirror({
    'mteb/stsbenchmark-sts': {
      default: {
        train: train.map((t) => parquetFromTable(t, STS)),
        validation: [parquetFromTable(readTsvTable('stsb', 'dev.tsv'), STS)],
        test: [parquetFromTable(readTsvTable('stsb', 'test.tsv'), { ...STS, rowGroupSize: 500 })],
      },
    },
    'C-MTEB/LCQMC': {
      default: {
        validation: [
          parquetFromTable(readTsvTable('lcqmc', 'dev.tsv'), {
            rename: { label: 'score' },
            types: { score: 'INT64' },
          }),
        ],
      },
    },
    'sentence-transformers/all-nli': {
      'pair-class': {
        dev: [
          parquetFromTable(readTsvTable('snli', 'dev.tsv'), {
            ...nli,
            classLabel: { column: 'label', names: nliNames },
          }),
        ],
      },
      triplet: {
        dev: [parquetFromTable(readTsvTable('snli', 'dev.triplets.tsv'))],
      },
    },
    'local/nli-no-catalogue': {
      default: {
        train: [
          parquetFromTable(readTsvTable('snli', 'test.tsv'), {
            ...nli,
            classLabel: { column: 'label', names: nliNames },
          }),
        ],
      },
    },
    'SeanLee97/nli_for_simcse': {
      default: {
        train: [
          parquetFromTable(readTsvTable('snli', 'dev.triplets.tsv'), {
            rename: { sent0: 'text', sent1: 'positive', hard_neg: 'negative' },
          }),
        ],
      },
    },
    'princeton-nlp/datasets-for-simcse': {
      default: {
        train: [parquetFromTable({ header: ['text'], rows: wikiLines.map((l) => [l]) })],
      },
    },
    'local/cut': { default: { train: [full.subarray(0, full.length - 200)] } },
  });
});

afterAll(async () => {
  await mirror?.close();
});

function io(extra: Partial<DataIO> = {}): DataIO {
  return { hubBase: mirror.base, ...extra };
}

async function tsvExamples(dir: string, file: string, scoreRange?: [number, number]) {
  return (await parseFile(file, bytesOf(dir, file), 'sts', undefined, undefined, { scoreRange }))
    .examples;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('Hugging Face data sets through a local mirror', () => {
  it('hf:mteb/stsbenchmark-sts@test reads the split like the TSV, rescaled by the catalogue', async () => {
    const ds = await loadDataset({ source: 'hf:mteb/stsbenchmark-sts@test', kind: 'sts' }, io());
    expect(ds.name).toBe('hf:mteb/stsbenchmark-sts:default@test');
    expect(ds.report).toEqual({
      rowsRead: 1379,
      kept: 1379,
      emptyRemoved: 0,
      duplicatesRemoved: 0,
      truncatedAtLimit: false,
    });
    expect(ds.scoreRange).toEqual([0, 5]);
    expect(ds.examples).toEqual(await tsvExamples('stsb', 'test.tsv', [0, 5]));
    const redirects = mirror.log.filter((l) =>
      l.startsWith('GET /api/datasets/mteb/stsbenchmark-sts/parquet/'),
    );
    expect(redirects).toEqual([
      'GET /api/datasets/mteb/stsbenchmark-sts/parquet/default/test/0.parquet',
    ]);
  });

  it('a split in two shards is read in order; the limit stops before the second download', async () => {
    const ds = await loadDataset({ source: 'catalogue:stsb@train', kind: 'sts' }, io());
    expect(ds.report.kept).toBe(5749);
    expect(ds.examples).toEqual(await tsvExamples('stsb', 'train.tsv', [0, 5]));

    mirror.log.length = 0;
    const first = stsbTrainShards[0];
    const limited = await loadDataset(
      { source: 'catalogue:stsb@train', kind: 'sts', limit: first },
      io(),
    );
    expect(limited.report).toMatchObject({ kept: first, rowsRead: first, truncatedAtLimit: true });
    expect(mirror.log.filter((l) => l.includes('/resolve/'))).toEqual([
      'GET /datasets/mteb/stsbenchmark-sts/resolve/refs%2Fconvert%2Fparquet/default/train/0000.parquet',
    ]);
    const across = await loadDataset(
      { source: 'catalogue:stsb@train', kind: 'sts', limit: first + 10 },
      io(),
    );
    expect(across.examples).toEqual(ds.examples.slice(0, first + 10));
    expect(across.report.truncatedAtLimit).toBe(true);
  });

  it('downloads once, then reads from the cache (also with the network down)', async () => {
    const cache = memoryDataCache();
    const phases: DataProgress[] = [];
    const onProgress = (p: DataProgress) => phases.push(p);
    mirror.log.length = 0;
    const a = await loadDataset(
      { source: 'hf:mteb/stsbenchmark-sts@validation', kind: 'sts' },
      io({ cache, onProgress }),
    );
    expect(a.report.kept).toBe(1500);
    expect(mirror.log.filter((l) => l.includes('/resolve/'))).toHaveLength(1);
    const download = phases.filter((p) => p.phase === 'download');
    expect(download.at(-1)?.loaded).toBe(download.at(-1)?.total);
    expect(phases.some((p) => p.phase === 'parse' && p.loaded === 1500 && p.total === 1500)).toBe(
      true,
    );

    phases.length = 0;
    mirror.log.length = 0;
    const b = await loadDataset(
      { source: 'hf:mteb/stsbenchmark-sts@validation', kind: 'sts' },
      io({ cache, onProgress }),
    );
    expect(b.examples).toEqual(a.examples);
    expect(mirror.log.filter((l) => l.includes('/resolve/'))).toHaveLength(0);
    expect(phases.some((p) => p.phase === 'cache')).toBe(true);

    const offline: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    const c = await loadDataset(
      { source: 'hf:mteb/stsbenchmark-sts@validation', kind: 'sts' },
      io({ cache, fetch: offline }),
    );
    expect(c.examples).toEqual(a.examples);
  });

  it('ClassLabel names come from the Parquet metadata when the catalogue has no entry', async () => {
    const ds = await loadDataset(
      { source: 'hf:local/nli-no-catalogue', kind: 'labeled-pairs' },
      io(),
    );
    expect(ds.labelNames).toEqual(['entailment', 'neutral', 'contradiction']);
    const tsv = await parseFile(
      'test.tsv',
      bytesOf('snli', 'test.tsv'),
      'labeled-pairs',
      undefined,
      undefined,
      {
        labelNames: ['entailment', 'neutral', 'contradiction'],
      },
    );
    expect(ds.examples).toEqual(tsv.examples);
    expect(ds.report.kept).toBe(9824);
  });

  it('catalogue sets: NLI pairs, NLI triplets, LCQMC, wiki1m', async () => {
    const pairs = await loadDataset({ source: 'catalogue:allnli', kind: 'labeled-pairs' }, io());
    expect(pairs.report.kept).toBe(9842);
    expect(labelCounts(pairs.examples)).toEqual({ 0: 3329, 1: 3235, 2: 3278 });

    const triplets = await loadDataset({ source: 'catalogue:nli-simcse', kind: 'triplets' }, io());
    expect(triplets.report.kept).toBe(2943);
    const tsv = await parseFile(
      'dev.triplets.tsv',
      bytesOf('snli', 'dev.triplets.tsv'),
      'triplets',
    );
    expect(triplets.examples).toEqual(tsv.examples);

    const lcqmc = await loadDataset(
      { source: 'catalogue:lcqmc@validation', kind: 'labeled-pairs' },
      io(),
    );
    expect(lcqmc.report.kept).toBe(8802);
    const lcqmcTsv = await parseFile('dev.tsv', bytesOf('lcqmc', 'dev.tsv'), 'labeled-pairs');
    expect(lcqmc.examples).toEqual(lcqmcTsv.examples);

    const wiki = await loadDataset({ source: 'catalogue:wiki1m', kind: 'sentences' }, io());
    expect(wiki.report).toMatchObject({ rowsRead: 11914, kept: 11548, duplicatesRemoved: 366 });
  });

  it('a config can be named, and the triplet config maps sent0/sent1/hard_neg', async () => {
    const ds = await loadDataset(
      { source: 'hf:sentence-transformers/all-nli:triplet', kind: 'triplets', split: 'dev' },
      io({ hubBase: `${mirror.base}/` }),
    );
    expect(ds.report.kept).toBe(2943);
  });

  it('falls back to the refs/convert/parquet layout when the listing API fails', async () => {
    mirror.failApi = true;
    try {
      const ds = await loadDataset(
        { source: 'hf:mteb/stsbenchmark-sts:default@train', kind: 'sts' },
        io(),
      );
      expect(ds.report.kept).toBe(5749);
      expect(mirror.log).toContain(
        'HEAD /datasets/mteb/stsbenchmark-sts/resolve/refs%2Fconvert%2Fparquet/default/train/0002.parquet',
      );
      const msg = await refusal(
        loadDataset({ source: 'hf:mteb/stsbenchmark-sts@train', kind: 'sts' }, io()),
      );
      expect(msg).toBe(
        `The Hub answered HTTP 500 for ${mirror.base}/api/datasets/mteb/stsbenchmark-sts/parquet.`,
      );
    } finally {
      mirror.failApi = false;
    }
  });

  it('refuses clearly: unknown set, unknown split, several configs, a cut-short shard, wrong kind', async () => {
    expect(await refusal(loadDataset({ source: 'hf:nobody/nothing', kind: 'sts' }, io()))).toBe(
      `The Hugging Face data set "nobody/nothing" was not found at ${mirror.base}, or it has no Parquet version.`,
    );
    expect(
      await refusal(loadDataset({ source: 'hf:mteb/stsbenchmark-sts@dev', kind: 'sts' }, io())),
    ).toBe(
      'The Hugging Face data set "mteb/stsbenchmark-sts" has no split "dev"; it has "train", "validation", "test".',
    );
    expect(
      await refusal(
        loadDataset({ source: 'hf:sentence-transformers/all-nli', kind: 'triplets' }, io()),
      ),
    ).toBe(
      'The Hugging Face data set "sentence-transformers/all-nli" has several configs ("pair-class", "triplet"); name one in the source, e.g. hf:sentence-transformers/all-nli:pair-class.',
    );
    expect(await refusal(loadDataset({ source: 'hf:local/cut', kind: 'sts' }, io()))).toMatch(
      /^local\/cut default\/train shard 1 of 1 is not a complete Parquet file: .+\.$/,
    );
    expect(await refusal(loadDataset({ source: 'catalogue:stsb', kind: 'pairs' }, io()))).toBe(
      'The catalogue set "stsb" is "sts" data, not "pairs".',
    );
    expect(
      await refusal(
        loadDataset({ source: 'hf:mteb/stsbenchmark-sts@test', kind: 'sts', split: 'train' }, io()),
      ),
    ).toBe(
      'The data source "hf:mteb/stsbenchmark-sts@test" names split "test" but the split field says "train".',
    );
  });
});
