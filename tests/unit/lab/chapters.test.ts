import { describe, expect, it } from 'vitest';
import { mergeConfig } from '../../../src/engine/config/presets.ts';
import { parseExperiment } from '../../../src/engine/config/validate.ts';
import {
  CHAPTER_IDS,
  CHAPTERS,
  chapterById,
  chapterConfig,
  PRETRAINED_ENCODER,
  parseChapterList,
} from '../../../src/engine/lab/chapters.ts';
import { PAPER_ORDERINGS } from '../../../src/engine/lab/orderings.ts';

/** The chapter ids are a public contract (issue 14): `cplay lab --chapters`, results.json. */
const PUBLIC_IDS = [
  'eda',
  'consert',
  'wordnet',
  'simcse-unsup',
  'dropout-0',
  'dropout-0.5',
  'tau-0.01',
  'tau-1',
  'simcse-sup',
  'rdrop',
  'logit-contrast',
  'ce',
  'supcon',
  'gradcache',
  // Added later (issue 14's fixed-mask control and the Adafactor memory chapter).
  'fixed-mask',
  'adafactor',
];

const resolved = (id: string, length: 'quick' | 'full' = 'quick') =>
  parseExperiment(chapterConfig(chapterById(id), length));

describe('the journey chapters', () => {
  it('has exactly the public ids, each once, in CHAPTERS order', () => {
    expect([...CHAPTER_IDS].sort()).toEqual([...PUBLIC_IDS].sort());
    expect(CHAPTERS.map((c) => c.id)).toEqual([...CHAPTER_IDS]);
  });

  it('every chapter resolves to a valid config in both settings, read by its own metric', () => {
    for (const c of CHAPTERS) {
      for (const length of ['quick', 'full'] as const) {
        const cfg = parseExperiment(chapterConfig(c, length));
        expect(cfg.maxSteps, `${c.id} ${length}`).toBe(c[length].maxSteps);
        expect(cfg.epochs).toBeNull();
        expect(cfg.evalEvery).toBe(c[length].evalEvery);
        expect(cfg.data.eval, c.id).not.toBeNull();
        if (c.metric === 'spearman')
          expect(cfg.data.eval).toMatchObject({ source: 'builtin:stsb-dev', kind: 'sts' });
        else
          expect(cfg.data.eval).toMatchObject({
            source: 'builtin:brown-genres-test',
            kind: 'labeled',
          });
      }
      expect(c.quick.maxSteps).toBe(150);
      expect(c.claim.length).toBeGreaterThan(40);
    }
  });

  it('starts every chapter but the from-scratch default from the pre-trained built-in encoder', () => {
    for (const c of CHAPTERS) {
      const cfg = resolved(c.id);
      expect(cfg.encoder.source, c.id).toBe(c.id === 'wordnet' ? 'builtin' : PRETRAINED_ENCODER);
    }
    expect(resolved('wordnet').data.train).toMatchObject({
      source: 'builtin:wordnet-pairs',
      kind: 'pairs',
    });
  });

  it('changes exactly what each ablation names', () => {
    const base = resolved('simcse-unsup');
    expect(base.data.train).toMatchObject({ source: 'builtin:wiki', kind: 'sentences' });
    expect(base.objective).toMatchObject({ kind: 'simcse-unsup', temperature: 0.05 });
    expect([
      base.encoder.hiddenDropout,
      base.encoder.attentionDropout,
      base.augment.dropout,
    ]).toEqual([0.1, 0.1, true]);
    for (const [id, p] of [
      ['dropout-0', 0],
      ['dropout-0.5', 0.5],
    ] as const) {
      const c = resolved(id);
      expect([c.encoder.hiddenDropout, c.encoder.attentionDropout]).toEqual([p, p]);
      // Nothing else moves: the ablation is the dropout rate only.
      expect({ ...c, encoder: base.encoder }).toEqual(base);
    }
    const sup = resolved('simcse-sup');
    expect(sup.data.train).toMatchObject({ source: 'builtin:wordnet-triplets', kind: 'triplets' });
    expect(sup.objective).toMatchObject({
      kind: 'simcse-sup',
      temperature: 0.05,
      hardNegativeWeight: 0,
    });
    for (const [id, t] of [
      ['tau-0.01', 0.01],
      ['tau-1', 1],
    ] as const) {
      const c = resolved(id);
      expect(c.objective.temperature).toBe(t);
      expect({ ...c, objective: sup.objective }).toEqual(sup);
    }
    const gc = resolved('gradcache');
    expect(gc.batchSize).toBe(4 * base.batchSize);
    expect(gc.gradCache).toEqual({ chunkSize: base.batchSize });
    // Adafactor: the gradcache recipe with only the optimiser changed (its own relative step).
    const ada = resolved('adafactor');
    expect(ada.optimizer).toMatchObject({ kind: 'adafactor', lr: null });
    expect(gc.optimizer.kind).toBe('adamw');
    expect({ ...ada, optimizer: gc.optimizer }).toEqual(gc);
    // The fixed-mask control: dropout p = 0.1 still on, one mask for both views, nothing else.
    const fixed = resolved('fixed-mask');
    expect(fixed.objective.fixedDropoutMask).toBe(true);
    expect(base.objective.fixedDropoutMask).toBe(false);
    expect([fixed.encoder.hiddenDropout, fixed.augment.dropout]).toEqual([0.1, true]);
    expect({ ...fixed, objective: base.objective }).toEqual(base);
    for (const c of CHAPTERS)
      if (c.id !== 'fixed-mask')
        expect(resolved(c.id).objective.fixedDropoutMask, c.id).toBe(false);
    const eda = resolved('eda');
    expect(eda.augment.dropout).toBe(false);
    expect(eda.augment.eda).not.toBeNull();
    const consert = resolved('consert');
    expect(consert.augment).toMatchObject({
      dropout: false,
      embedding: { view1: { kind: 'shuffle' }, view2: { kind: 'feature-cutoff', rate: 0.2 } },
    });
    expect(consert.objective.temperature).toBe(0.1);
    const kinds = Object.fromEntries(
      ['rdrop', 'logit-contrast', 'ce', 'supcon'].map((id) => [id, resolved(id).objective.kind]),
    );
    expect(kinds).toEqual({
      rdrop: 'rdrop',
      'logit-contrast': 'logit-contrast',
      ce: 'ce',
      supcon: 'supcon',
    });
  });

  it("states each ordering the way the paper's own numbers go where both chapters carry one", () => {
    for (const o of PAPER_ORDERINGS) {
      const a = chapterById(o.better).paper;
      const b = chapterById(o.worse).paper;
      if (!a || !b || a.measure !== b.measure) continue;
      expect(
        o.relation === '>' ? a.value > b.value : a.value >= b.value,
        `${o.better} ${o.relation} ${o.worse}`,
      ).toBe(true);
    }
    // The SimCSE table values themselves (Table 3, Table D.1), as read in the paper.
    expect(chapterById('simcse-unsup').paper?.value).toBe(82.5);
    expect(chapterById('dropout-0').paper?.value).toBe(71.1);
    expect(chapterById('dropout-0.5').paper?.value).toBe(71.0);
    expect(chapterById('tau-1').paper?.value).toBe(64.0);
    expect(chapterById('fixed-mask').paper).toMatchObject({
      value: 43.6,
      citation: expect.stringMatching(/Table 3, "Fixed 0\.1"/),
      measure: chapterById('simcse-unsup').paper!.measure,
    });
    // Both Table 3 orderings against the fixed mask are checked by the loop above.
    const pairs = PAPER_ORDERINGS.map((o) => `${o.better} ${o.relation} ${o.worse}`);
    expect(pairs).toContain('simcse-unsup > fixed-mask');
    expect(pairs).toContain('dropout-0 > fixed-mask');
    // Adafactor: no STS number in the paper; the claim gives the memory it expects instead.
    expect(chapterById('adafactor').paper).toBeNull();
    expect(chapterById('adafactor').claim).toMatch(/Shazeer & Stern, 2018/);
    for (const c of CHAPTERS) if (c.paper) expect(c.paper.citation, c.id).toMatch(/Table|table/);
  });

  it('parses --chapters into the journey order and names unknown ids', () => {
    expect(parseChapterList('ce, eda,ce').map((c) => c.id)).toEqual(['eda', 'ce']);
    expect(parseChapterList(undefined)).toHaveLength(CHAPTERS.length);
    expect(parseChapterList(' ')).toHaveLength(CHAPTERS.length);
    expect(() => parseChapterList('eda,simcse')).toThrow(
      /^--chapters: there is no chapter "simcse"; the chapters are eda, consert, /,
    );
  });

  it('puts overrides over the chapter (a Hub encoder swapped in, tiny test settings)', () => {
    const c = parseExperiment(
      chapterConfig(
        chapterById('tau-1'),
        'full',
        { encoder: { source: 'hf:prajjwal1/bert-tiny' } },
        { maxSteps: 3 },
      ),
    );
    expect(c.encoder.source).toBe('hf:prajjwal1/bert-tiny');
    expect(c.maxSteps).toBe(3);
    expect(c.objective.temperature).toBe(1);
    // mergeConfig is the presets' own: the override replaces leaves, keeps siblings.
    expect(mergeConfig({ a: 1, b: { c: 2, d: 3 } } as never, { b: { c: 4 } } as never)).toEqual({
      a: 1,
      b: { c: 4, d: 3 },
    });
  });
});
