import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../../../src/engine/lab/results.ts';
import {
  type LabResultsFile,
  mergeLabResults,
  parseLabResults,
} from '../../../src/engine/lab/resultsFile.ts';

/** A row as cplay lab writes it (the values are made up; only their types matter here). */
const row = (chapter: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  chapter,
  title: `title of ${chapter}`,
  recipe: 'bert-tiny-en · wiki · simcse-unsup · dropout 0.1 · τ 0.05 · batch 64',
  metric: 'spearman',
  paper: { value: 82.5, citation: 'SimCSE Table 3', measure: 'STS-B dev' },
  start: 69.4,
  end: 66.0,
  delta: -3.4,
  alignment: 0.46,
  uniformity: -3.4,
  loss: 0.0001,
  steps: 1000,
  seconds: 487,
  optimizerBytes: 11_800_000,
  peakBytes: 860_000_000,
  status: 'finished',
  ...over,
});

const file = (rows: unknown[], over: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: 1,
    length: 'full',
    createdAt: '2026-12-02T18:00:00Z',
    overrides: [],
    rows,
    ...over,
  });

const parsed = (rows: unknown[], over: Record<string, unknown> = {}): LabResultsFile =>
  parseLabResults(file(rows, over), 'x/results.json');

describe('parseLabResults', () => {
  it('reads back what cplay lab writes; rows from before the memory columns read as unmeasured', () => {
    const old = row('eda');
    delete old.optimizerBytes;
    delete old.peakBytes;
    const f = parsed([
      row('simcse-unsup'),
      old,
      row('ce', {
        metric: 'accuracy',
        paper: null,
        end: null,
        delta: null,
        status: 'failed',
        error: 'boom',
      }),
    ]);
    expect(f.length).toBe('full');
    expect(f.rows.map((r) => r.chapter)).toEqual(['simcse-unsup', 'eda', 'ce']);
    expect(f.rows[1]).toMatchObject({ optimizerBytes: null, peakBytes: null });
    expect(f.rows[2]!.error).toBe('boom');
  });

  it.each([
    [
      '{"version":1,',
      /^x\/results\.json is not valid JSON \(.*\); is it a cplay lab results\.json\?/,
    ],
    ['[1,2]', /x\/results\.json: expected a JSON object with "rows"/],
    [file([], { version: 2 }), /results version 2 is not one this cplay reads \(1\)/],
    [file([], { length: 'medium' }), /"length" should be "quick" or "full"/],
    [file([], { rows: {} }), /"rows" should be a list/],
    [file([], { overrides: ['a=1', 3] }), /"overrides" should be a list of key=value texts/],
    [file([7]), /x\/results\.json, row 1 is not an object/],
    [
      file([row('simcse-unsup'), row('dropout-9')]),
      /row 2: "chapter" should be one of the chapter ids \(eda, consert, .*\), got "dropout-9"/,
    ],
    [file([row('eda', { title: 4 })]), /row 1: "title" should be text, got 4/],
    [file([row('eda', { metric: 'f1' })]), /"metric" should be "spearman" or "accuracy", got "f1"/],
    [
      file([row('eda', { paper: { value: '82.5' } })]),
      /"paper" should be null or \{ value, citation, measure \}/,
    ],
    [
      file([row('eda', { start: '69.4' })]),
      /row 1: "start" should be a number or null, got "69.4"/,
    ],
    [file([row('eda', { end: undefined })]), /"end" should be a number or null/],
    [file([row('eda', { steps: -1 })]), /"steps" should be a whole number of at least 0, got -1/],
    [file([row('eda', { steps: 2.5 })]), /"steps" should be a whole number/],
    [
      file([row('eda', { status: 'done' })]),
      /"status" should be finished \| stopped \| failed \| running \| waiting/,
    ],
    [file([row('eda', { error: 5 })]), /"error" should be text/],
  ])('refuses %s with a message naming the file and the field', (text, message) => {
    expect(() => parseLabResults(text, 'x/results.json')).toThrow(message);
  });
});

describe('mergeLabResults', () => {
  it('joins tables in the journey order and says where each part came from', () => {
    const a = parsed([row('gradcache'), row('wordnet')], { overrides: ['workers=1'] });
    const b = parsed([row('rdrop'), row('eda')]);
    const m = mergeLabResults([
      { path: 'a/results.json', file: a },
      { path: 'b/results.json', file: b },
    ]);
    expect(m.length).toBe('full');
    expect(m.rows.map((r: ResultRow) => r.chapter)).toEqual([
      'eda',
      'wordnet',
      'rdrop',
      'gradcache',
    ]);
    expect(m.sources).toEqual([
      'a/results.json (gradcache, wordnet; --set workers=1; 2026-12-02T18:00:00Z)',
      'b/results.json (rdrop, eda; 2026-12-02T18:00:00Z)',
    ]);
  });

  it('refuses a chapter twice, a quick table with a full one, and nothing at all', () => {
    const a = parsed([row('eda')]);
    expect(() =>
      mergeLabResults([
        { path: 'a', file: a },
        { path: 'b', file: parsed([row('ce'), row('eda')]) },
      ]),
    ).toThrow(/^chapter eda is in both a and b: keep one of them/);
    expect(() =>
      mergeLabResults([
        { path: 'a', file: a },
        { path: 'q', file: parsed([row('ce')], { length: 'quick' }) },
      ]),
    ).toThrow(/^q is a quick table and a a full one: their steps differ/);
    expect(() => mergeLabResults([])).toThrow(/nothing to merge/);
  });
});
