/**
 * Source strings, the built-in default, files through the Node DataIO, URLs, the catalogue's
 * consistency, and the two caches.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAssetLoader } from '../../../src/engine/assets.ts';
import { type CacheStorageLike, cacheApiDataCache } from '../../../src/engine/data/cache.ts';
import { CATALOGUE, catalogueByHub, catalogueEntry } from '../../../src/engine/data/catalogue.ts';
import { KIND_ROLES } from '../../../src/engine/data/columns.ts';
import { loadDataset } from '../../../src/engine/data/loadDataset.ts';
import { parseSource } from '../../../src/engine/data/source.ts';
import { GENERATED_DIR, installNodeAssetLoader } from '../../../src/engine/node/assets.ts';
import { folderDataCache, nodeDataIO } from '../../../src/engine/node/fileIO.ts';
import { SHARED_DATA } from '../../helpers/paths.ts';
import { bytesOf, textOf } from './helpers.ts';
import { type HubMirror, startHubMirror } from './hubMirror.ts';
import { parquetFromTable, readTsvTable } from './parquetFixtures.ts';

describe('source grammar', () => {
  it.each([
    ['builtin:default', { type: 'builtin', name: 'default' }],
    ['catalogue:stsb', { type: 'catalogue', id: 'stsb' }],
    ['catalogue:lcqmc@validation', { type: 'catalogue', id: 'lcqmc', split: 'validation' }],
    ['hf:rotten_tomatoes', { type: 'hf', id: 'rotten_tomatoes' }],
    ['hf:mteb/stsbenchmark-sts@test', { type: 'hf', id: 'mteb/stsbenchmark-sts', split: 'test' }],
    [
      'hf:sentence-transformers/all-nli:pair-class@dev',
      { type: 'hf', id: 'sentence-transformers/all-nli', config: 'pair-class', split: 'dev' },
    ],
    ['hf:C-MTEB/LCQMC:default', { type: 'hf', id: 'C-MTEB/LCQMC', config: 'default' }],
    ['https://example.org/d/sts.tsv', { type: 'url', url: 'https://example.org/d/sts.tsv' }],
    ['uploads/my data.tsv', { type: 'file', path: 'uploads/my data.tsv', name: 'my data.tsv' }],
    ['file:/abs/x.csv', { type: 'file', path: '/abs/x.csv', name: 'x.csv' }],
    ['upload:pairs.jsonl', { type: 'file', path: 'upload:pairs.jsonl', name: 'pairs.jsonl' }],
  ])('%s', (source, parsed) => {
    expect(parseSource(source)).toEqual(parsed);
  });

  it.each([
    ['hf:', 'The data source "hf:" is not of the form hf:<owner/name>[:<config>][@<split>].'],
    [
      'hf:a/b/c',
      'The data source "hf:a/b/c" is not of the form hf:<owner/name>[:<config>][@<split>].',
    ],
    ['catalogue:', 'The data source "catalogue:" is not of the form catalogue:<id>[@<split>].'],
    ['builtin:', 'The data source "builtin:" names no built-in set.'],
    ['upload:', 'The data source "upload:" names no uploaded file.'],
    ['  ', 'The data source is empty.'],
  ])('refuses %j', (source, message) => {
    expect(() => parseSource(source)).toThrow(message);
  });
});

describe('built-in, files and URLs', () => {
  let mirror: HubMirror;
  beforeAll(async () => {
    mirror = await startHubMirror({
      'mteb/sts12-sts': {
        default: {
          test: [
            parquetFromTable(readTsvTable('sts12', 'all.tsv'), { types: { score: 'DOUBLE' } }),
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await mirror?.close();
  });

  it('builtin:default reads the generated corpus asset one sentence a line', async () => {
    const asked: string[] = [];
    setAssetLoader(async (name) => {
      asked.push(name);
      return textOf('wiki1m-subset', 'wiki1m_head.txt'); // stands in for the Brown corpus text
    });
    const ds = await loadDataset({ source: 'builtin:default', kind: 'sentences', limit: 500 });
    expect(asked).toEqual(['default-corpus.txt']);
    expect(ds.name).toBe('builtin:default');
    expect(ds.report).toMatchObject({ kept: 500, truncatedAtLimit: true });
    await expect(loadDataset({ source: 'builtin:default', kind: 'pairs' })).rejects.toThrow(
      'default-corpus.txt is plain text with one sentence a line, which gives "sentences" data, not "pairs"',
    );
    await expect(loadDataset({ source: 'builtin:nope', kind: 'sentences' })).rejects.toThrow(
      'There is no built-in data set "nope"; the built-in sets are builtin:default, builtin:brown-genres, builtin:brown-genres-test, ',
    );
  });

  it('builtin:default with the generated Brown corpus (npm run assets) works offline', async () => {
    installNodeAssetLoader();
    const lines = readFileSync(join(GENERATED_DIR, 'default-corpus.txt'), 'utf8')
      .trimEnd()
      .split('\n');
    const ds = await loadDataset(
      { source: 'builtin:default', kind: 'sentences' },
      { fetch: undefined },
    );
    expect(ds.report.rowsRead).toBe(lines.length);
    expect(ds.report.kept + ds.report.duplicatesRemoved + ds.report.emptyRemoved).toBe(
      lines.length,
    );
    expect(new Set(ds.examples.map((e) => e.text)).size).toBe(ds.report.kept);
    expect(ds.report.kept).toBeGreaterThan(10000);
  });

  it('a file path goes through DataIO.openFile (Node: relative to a base folder, as a Blob)', async () => {
    const io = nodeDataIO(SHARED_DATA);
    const ds = await loadDataset({ source: 'stsb/dev.tsv', kind: 'sts', scoreRange: [0, 5] }, io);
    expect(ds.name).toBe('dev.tsv');
    expect(ds.report.kept).toBe(1500);
    await expect(loadDataset({ source: 'stsb/none.tsv', kind: 'sts' }, io)).rejects.toThrow(
      `The data file stsb/none.tsv was not found (looked for ${join(SHARED_DATA, 'stsb', 'none.tsv')}).`,
    );
    await expect(loadDataset({ source: 'stsb', kind: 'sts' }, io)).rejects.toThrow(
      'The data source stsb is a folder, not a file.',
    );
    const uploads = new Map([['dev.tsv', bytesOf('stsb', 'dev.tsv')]]);
    const upload = await loadDataset(
      { source: 'upload:dev.tsv', kind: 'sts' },
      { openFile: async (s) => uploads.get(s.replace(/^upload:/, '')) as Uint8Array },
    );
    expect(upload.name).toBe('dev.tsv');
    expect(upload.examples).toEqual(
      (await loadDataset({ source: 'stsb/dev.tsv', kind: 'sts' }, io)).examples,
    );
    await expect(loadDataset({ source: 'stsb/dev.tsv', kind: 'sts' }, {})).rejects.toThrow(
      'This host cannot open files, so the data source "stsb/dev.tsv" cannot be read.',
    );
  });

  it('a URL is fetched whole and parsed by the name in its path', async () => {
    const url = `${mirror.base}/datasets/mteb/sts12-sts/resolve/refs%2Fconvert%2Fparquet/default/test/0000.parquet`;
    const ds = await loadDataset({ source: url, kind: 'sts' });
    expect(ds.report.kept).toBe(3108);
    await expect(
      loadDataset({ source: `${mirror.base}/missing.tsv`, kind: 'sts' }),
    ).rejects.toThrow(
      `Downloading missing.tsv from ${mirror.base}/missing.tsv failed with HTTP 404: not found.`,
    );
  });

  it('an hf: source matching a catalogue entry takes its score range', async () => {
    const ds = await loadDataset(
      { source: 'hf:mteb/sts12-sts@test', kind: 'sts' },
      { hubBase: mirror.base },
    );
    expect(ds.scoreRange).toEqual([0, 5]);
    expect(Math.max(...ds.examples.map((e) => e.score as number))).toBe(1);
    const own = await loadDataset(
      { source: 'hf:mteb/sts12-sts@test', kind: 'sts', scoreRange: [0, 10] },
      { hubBase: mirror.base },
    );
    expect(own.scoreRange).toEqual([0, 10]);
  });
});

describe('catalogue', () => {
  it('every entry maps the columns its kind needs, with its default split among its splits', () => {
    const ids = CATALOGUE.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of CATALOGUE) {
      for (const role of KIND_ROLES[e.kind])
        expect(e.columns[role], `${e.id}.${role}`).toBeTruthy();
      expect(e.hub.splits).toContain(e.hub.split);
      if (e.kind === 'sts') expect(e.scoreRange, e.id).toBeDefined();
      expect(e.licence.length).toBeGreaterThan(0);
    }
  });

  it('names the papers’ sets', () => {
    for (const id of [
      'stsb',
      'sickr',
      'sts12',
      'sts13',
      'sts14',
      'sts15',
      'sts16',
      'wiki1m',
      'nli-simcse',
      'sst2',
      'trec',
      'mr',
      'zh-stsb',
      'lcqmc',
      'atec',
      'bq',
      'pawsx',
    ]) {
      expect(catalogueEntry(id), id).toBeDefined();
    }
    expect(catalogueByHub('mteb/STSBenchmark-sts')?.id).toBe('stsb');
    expect(catalogueByHub('sentence-transformers/all-nli', 'pair-class')?.id).toBe('allnli');
    expect(catalogueByHub('sentence-transformers/all-nli', 'triplet')).toBeUndefined();
  });
});

describe('caches', () => {
  it('the Cache API cache stores bytes under URL keys', async () => {
    const stored = new Map<string, Response>();
    const storage: CacheStorageLike = {
      async open() {
        return {
          async match(req: string) {
            return stored.get(req)?.clone();
          },
          async put(req: string, res: Response) {
            stored.set(req, res);
          },
        };
      },
    };
    const cache = cacheApiDataCache('test', storage);
    const bytes = bytesOf('stsb', 'dev.tsv');
    const key = 'https://huggingface.co/api/datasets/x/parquet/default/train/0.parquet';
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, bytes);
    expect([...stored.keys()][0]).toMatch(/^https:\/\/contrastive-playground\.cache\//);
    expect(await cache.get(key)).toEqual(bytes);
  });

  it('the folder cache keeps bytes between instances', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cplay-cache-'));
    try {
      const bytes = bytesOf('trec', 'test.tsv');
      await folderDataCache(dir).put('k', bytes);
      expect(await folderDataCache(dir).get('k')).toEqual(bytes);
      expect(await folderDataCache(dir).get('other')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
