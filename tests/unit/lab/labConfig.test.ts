import { describe, expect, it } from 'vitest';
import { journeyEncoder, labOverrides, pageChapterConfig } from '../../../src/app/lab/labConfig.ts';
import { CHAPTERS, chapterById, PRETRAINED_ENCODER } from '../../../src/engine/lab/chapters.ts';

describe("the journey panel's encoder field", () => {
  it('reads empty or the built-in as the chapters’ own start, and Hub ids with or without hf:', () => {
    expect(journeyEncoder('')).toBeNull();
    expect(journeyEncoder('   ')).toBeNull();
    expect(journeyEncoder(PRETRAINED_ENCODER)).toBeNull();
    expect(journeyEncoder('prajjwal1/bert-tiny')).toBe('hf:prajjwal1/bert-tiny');
    expect(journeyEncoder(' sentence-transformers/all-MiniLM-L6-v2 ')).toBe(
      'hf:sentence-transformers/all-MiniLM-L6-v2',
    );
    expect(journeyEncoder('hf:prajjwal1/bert-tiny@main')).toBe('hf:prajjwal1/bert-tiny@main');
  });

  it.each([
    [
      'builtin:wiki',
      /"builtin:wiki" is not a pre-trained built-in encoder; the one that ships is builtin:bert-tiny-en/,
    ],
    ['https://example.com/model', /is not a Hub model id; give owner\/name/],
    ['a/b/c', /"a\/b\/c" is not a Hub model id/],
    ['hf:', /"hf:" is not a Hub model id/],
    ['bert tiny', /"bert tiny" is not a Hub model id/],
  ])('refuses %s with what the field takes', (text, message) => {
    expect(() => journeyEncoder(text)).toThrow(message);
  });

  it('replaces the pre-trained start of every chapter that has one; wordnet keeps random init', () => {
    const hub = 'hf:prajjwal1/bert-tiny';
    for (const c of CHAPTERS) {
      const own = pageChapterConfig(c, 'quick', []);
      const swapped = pageChapterConfig(c, 'quick', [], hub);
      if (own.encoder.source === PRETRAINED_ENCODER) {
        expect(swapped.encoder.source, c.id).toBe(hub);
        // Only the source changes: the recipe (pooling, dropout, objective, steps) stays.
        expect({ ...swapped, encoder: { ...swapped.encoder, source: own.encoder.source } }).toEqual(
          own,
        );
      } else {
        expect(swapped, c.id).toEqual(own);
      }
    }
    expect(pageChapterConfig(chapterById('wordnet'), 'quick', [], hub).encoder.source).toBe(
      'builtin',
    );
  });

  it("applies the link's overrides after the field, and names the chapter when one is bad", () => {
    const c = chapterById('simcse-unsup');
    const cfg = pageChapterConfig(c, 'full', ['encoder.source=builtin'], 'hf:prajjwal1/bert-tiny');
    expect(cfg.encoder.source).toBe('builtin');
    expect(labOverrides('?labSet=a=1&labSet=b=2&x=3')).toEqual(['a=1', 'b=2']);
    expect(() => pageChapterConfig(c, 'quick', ['objective.temperature=-1'])).toThrow(
      /^Chapter simcse-unsup: .*objective\.temperature/,
    );
  });
});
