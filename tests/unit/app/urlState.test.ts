import { describe, expect, it } from 'vitest';
import { setIn } from '../../../src/app/state/draft.ts';
import {
  configToHash,
  DEFAULT_CONFIG,
  hashToConfig,
  hashToDraft,
} from '../../../src/app/state/urlState.ts';
import { PLAYGROUND_DEFAULT } from '../../../src/engine/config/presets.ts';
import { parseExperiment } from '../../../src/engine/config/validate.ts';

describe('URL hash state', () => {
  it('an empty hash is the playground default, and its hash is just the seed', () => {
    expect(hashToConfig('')).toEqual(parseExperiment(PLAYGROUND_DEFAULT));
    expect(configToHash(DEFAULT_CONFIG)).toBe('seed=0');
  });

  it('round-trips changed values with readable dotted keys', () => {
    let c = DEFAULT_CONFIG;
    c = setIn(c, 'objective.kind', 'simcse-sup');
    c = setIn(c, 'data.train.kind', 'triplets');
    c = setIn(c, 'optimizer.lr', 0.001);
    c = setIn(c, 'encoder.builtin.hidden', 64);
    c = setIn(c, 'seed', 42);
    const hash = configToHash(c);
    expect(hash).toContain('seed=42');
    expect(hash).toContain('objective.kind=simcse-sup');
    expect(hash).toContain('optimizer.lr=0.001');
    expect(hash).toContain('encoder.builtin.hidden=64');
    expect(hash).not.toContain('batchSize');
    expect(hashToConfig(`#${hash}`)).toEqual(parseExperiment(c));
  });

  it('round-trips nested objects that default to null (eval set, EDA, embedding views)', () => {
    let c = DEFAULT_CONFIG;
    c = setIn(c, 'data.eval', { source: 'catalogue:stsb@validation', kind: 'sts', limit: 500 });
    c = setIn(c, 'augment.eda', {
      synonymReplacement: 0.2,
      randomInsertion: 0,
      randomSwap: 0.1,
      randomDeletion: 0.1,
      combine: 'one',
      synonyms: null,
    });
    c = setIn(c, 'augment.embedding', {
      view1: { kind: 'shuffle' },
      view2: { kind: 'feature-cutoff', rate: 0.2 },
    });
    const back = hashToConfig(configToHash(parseExperiment(c)));
    expect(back.data.eval).toEqual({
      source: 'catalogue:stsb@validation',
      kind: 'sts',
      limit: 500,
    });
    expect(back.augment.eda?.synonymReplacement).toBe(0.2);
    expect(back.augment.embedding).toEqual({
      view1: { kind: 'shuffle' },
      view2: { kind: 'feature-cutoff', rate: 0.2 },
    });
  });

  it('keeps strings that look like numbers or keywords as strings', () => {
    const c = setIn(DEFAULT_CONFIG, 'data.train.columns', { text: '1', label: 'true' });
    const back = hashToConfig(configToHash(c));
    expect(back.data.train.columns).toEqual({ text: '1', label: 'true' });
  });

  it('encodes text with & = # and non-ASCII safely', () => {
    const c = setIn(DEFAULT_CONFIG, 'data.train.source', 'upload:我的 a&b=c#d.tsv');
    expect(hashToConfig(configToHash(c)).data.train.source).toBe('upload:我的 a&b=c#d.tsv');
  });

  it('keeps an out-of-range value in the draft so the control can show the problem', () => {
    const { draft, problems } = hashToDraft(
      '#seed=0&encoder.builtin.hidden=30&encoder.builtin.heads=4',
    );
    expect(problems).toEqual([]);
    expect(draft.encoder.builtin.hidden).toBe(30);
  });

  it('repairs a broken shape with the default and says so', () => {
    const { draft, problems } = hashToDraft('#seed=0&encoder=5&objective.kind=nope');
    expect(draft.encoder).toEqual(DEFAULT_CONFIG.encoder);
    expect(draft.objective.kind).toBe(DEFAULT_CONFIG.objective.kind);
    expect(problems.join(' ')).toMatch(/encoder/);
    expect(problems.join(' ')).toMatch(/objective\.kind/);
  });

  it("an eval object missing its source gets the default set's, and says so", () => {
    // The default evaluates on builtin:stsb-dev; a link that empties data.eval then names only
    // its kind is repaired with the default source.
    const { draft, problems } = hashToDraft('#seed=0&data.eval=null&data.eval.kind=sts');
    expect(draft.data.eval?.source).toBe(DEFAULT_CONFIG.data.eval?.source);
    expect(problems.join(' ')).toMatch(/data\.eval\.source/);
  });

  it('no evaluation set (data.eval=null) round-trips', () => {
    const c = setIn(DEFAULT_CONFIG, 'data.eval', null);
    expect(configToHash(c)).toBe('seed=0&data.eval=null');
    expect(hashToConfig(configToHash(c)).data.eval).toBeNull();
  });

  it('ignores undecodable parts and bad keys', () => {
    const { draft, problems } = hashToDraft('#seed=0&batchSize=%E0%A4%A&__proto__.x=1&maxSteps=9');
    expect(draft.maxSteps).toBe(9);
    expect(problems).toHaveLength(2);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
