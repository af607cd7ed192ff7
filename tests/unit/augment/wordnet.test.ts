import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builder,
  buildSynonymTable,
  parseWordnetData,
  WORDNET_OUTPUT,
} from '../../../scripts/assets/wordnet.ts';
import { englishSynonyms, type WordnetSynonymFile } from '../../../src/engine/augment/synonyms.ts';
import { installNodeAssetLoader } from '../../../src/engine/node/assets.ts';

// Built into a temporary folder so the test does not depend on `npm run assets` having run.
let dir = '';
let file: WordnetSynonymFile;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cplay-wordnet-'));
  await builder.build(dir);
  file = JSON.parse(readFileSync(join(dir, WORDNET_OUTPUT), 'utf8')) as WordnetSynonymFile;
  installNodeAssetLoader(dir);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('scripts/assets/wordnet.ts', () => {
  it('parses WordNet data lines: hex w_cnt, underscores, adjective markers, header skipped', () => {
    const text = [
      '  1 This software and database is being provided to you, the LICENSEE, by  ',
      '00205087 00 s 03 guardant(ip) 0 gardant(ip) 0 full-face 0 002 & 00204829 a 0000 | looking forward  ',
      "00001740 00 a 01 able 0 005 = 05207437 n 0000 | (usually followed by `to') having the means  ",
      '01234567 05 n 0b a 0 b 0 c 0 d 0 e 0 f 0 g 0 h 0 i 0 j 0 Ice_Cream 1 000 | eleven lemmas',
    ].join('\n');
    const synsets = parseWordnetData(text, 'sample');
    expect(synsets).toEqual([
      ['guardant', 'gardant', 'full-face'],
      ['able'],
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'ice cream'],
    ]);
    const table = buildSynonymTable(synsets);
    expect(table.able).toBeUndefined(); // a lone lemma has no synonyms
    expect(table.guardant).toEqual(['gardant', 'full-face']);
    expect(table['ice cream']).toBeUndefined(); // keys are single tokens
    expect(table.a).toContain('ice cream'); // values keep multi-word synonyms
    expect(() => parseWordnetData('00001740 00 a zz able 0', 'bad')).toThrow(/bad line 1/);
  });

  it('writes a table under 5 MB with the synonyms EDA would get from NLTK WordNet', () => {
    const bytes = statSync(join(dir, WORDNET_OUTPUT)).size;
    expect(bytes).toBeLessThan(5_000_000);
    expect(bytes).toBeGreaterThan(2_000_000);
    const keys = Object.keys(file.synonyms);
    expect(keys.length).toBeGreaterThan(55_000);
    expect(keys.every((k) => !k.includes(' ') && k === k.toLowerCase())).toBe(true);
    // wordnet.synsets('happy') lemmas: happy, felicitous, glad, well-chosen
    expect(file.synonyms.happy?.sort()).toEqual(['felicitous', 'glad', 'well-chosen']);
    expect(file.synonyms.car).toEqual(
      expect.arrayContaining(['auto', 'automobile', 'machine', 'motorcar', 'railcar']),
    );
    for (const [k, v] of Object.entries(file.synonyms)) {
      if (v.includes(k)) throw new Error(`${k} lists itself`);
    }
  });

  it('englishSynonyms() loads it through loadAsset and reduces inflections', async () => {
    const wn = await englishSynonyms();
    expect(wn.synonyms('Happy')).toEqual(expect.arrayContaining(['glad', 'felicitous']));
    expect(wn.synonyms('dogs')).toEqual(expect.arrayContaining(['domestic dog', 'hound']));
    expect(wn.synonyms('dogs')).not.toContain('dogs');
    expect(wn.synonyms('walked')).toContain('walk'); // via "walk": the verb's lemma, not itself
    expect(wn.synonyms('qwzx')).toEqual([]);
    expect(await englishSynonyms()).toBe(wn); // cached
  });
});
