import { describe, expect, it } from 'vitest';
import { eda } from '../../../src/engine/augment/eda.ts';
import { preview } from '../../../src/engine/augment/preview.ts';
import { NO_SYNONYMS } from '../../../src/engine/augment/synonyms.ts';
import type { EdaOptions } from '../../../src/engine/augment/types.ts';
import { mixSeed, Rng } from '../../../src/engine/rng.ts';
import { cilinSynonyms, wordnetSynonyms } from './helpers.ts';

const DELETE_ONLY: EdaOptions = {
  synonymReplacement: 0,
  randomInsertion: 0,
  randomSwap: 0,
  randomDeletion: 0.2,
};

const marksOf = (tokens: { text: string; marks: { kind: string }[] }[]) =>
  tokens.map((t) => `${t.text}:${t.marks.map((m) => m.kind).join('+')}`);

describe('preview', () => {
  it('shows "我不会再爱你" → "我会再爱你": deletion removes the stop word 不 (seed 1, character words)', () => {
    // Seed 1 found by scanning seeds 0…; without a lexicon every character is a word.
    const [a, b] = preview('我不会再爱你', { eda: DELETE_ONLY, seed: 1 }, NO_SYNONYMS);
    expect(a.text).toBe('我会再爱你');
    expect(marksOf(a.tokens)).toEqual([
      '我:kept',
      '不:deleted',
      '会:kept',
      '再:kept',
      '爱:kept',
      '你:kept',
    ]);
    expect(a.edits).toEqual([{ kind: 'delete', from: 1, to: null, oldWord: '不' }]);
    expect(b.text).toBe('我不会再爱你');
    expect(a.identicalText).toBe(false);
  });

  it('with Cilin segmentation 不会 is one word, and deleting it gives "我再爱你" (seed 1)', () => {
    const [a] = preview('我不会再爱你', { eda: DELETE_ONLY, seed: 1 }, cilinSynonyms());
    expect(a.text).toBe('我再爱你');
    expect(marksOf(a.tokens)).toEqual(['我:kept', '不会:deleted', '再:kept', '爱:kept', '你:kept']);
  });

  it('uses the documented draws: view k is eda() with Rng(mixSeed(seed, k + 1)).fork()', () => {
    const options: EdaOptions = { ...DELETE_ONLY, synonymReplacement: 0.3, randomSwap: 0.2 };
    const text = 'A man is playing a large flute on the stage.';
    const views = preview(text, { eda: options, seed: 99 }, wordnetSynonyms());
    views.forEach((v, k) => {
      const r = eda(text, options, new Rng(mixSeed(99, k + 1)).fork(), wordnetSynonyms());
      expect(v.text).toBe(r.text);
      expect(v.edits).toEqual(r.edits);
    });
    // Same seed → same preview.
    expect(preview(text, { eda: options, seed: 99 }, wordnetSynonyms())).toEqual(views);
  });

  it('marks replaced, inserted and swapped words with what they were', () => {
    const syn = { synonyms: (w: string) => (w === 'happy' ? ['glad'] : []) };
    const [r] = preview(
      'happy people sing',
      {
        eda: { ...DELETE_ONLY, randomDeletion: 0, synonymReplacement: 0.1 },
        seed: 0,
      },
      syn,
    );
    expect(r.tokens[0]).toEqual({ text: 'glad', marks: [{ kind: 'replaced', original: 'happy' }] });
    const [i] = preview(
      'happy people sing',
      { eda: { ...DELETE_ONLY, randomDeletion: 0, randomInsertion: 0.1 }, seed: 0 },
      syn,
    );
    const inserted = i.tokens.filter((t) => t.marks[0]!.kind === 'inserted');
    expect(inserted).toEqual([{ text: 'glad', marks: [{ kind: 'inserted', synonymOf: 'happy' }] }]);
    const [s] = preview('one two three', {
      eda: { ...DELETE_ONLY, randomDeletion: 0, randomSwap: 0.1 },
      seed: 3,
    });
    const swapped = s.tokens.filter((t) => t.marks[0]!.kind === 'swapped');
    expect(swapped).toHaveLength(2);
    for (const t of swapped) {
      const m = t.marks[0] as { kind: 'swapped'; originalPosition: number };
      expect(['one', 'two', 'three'][m.originalPosition]).toBe(t.text);
    }
  });

  it('dropout only: both views are the same text and differ only by dropout masks', () => {
    for (const config of [
      { seed: 5 },
      { seed: 5, eda: null, embedding: null },
      { seed: 5, eda: { ...DELETE_ONLY, randomDeletion: 0 } },
    ]) {
      const [a, b] = preview('A man is playing a flute.', config);
      expect(a.text).toBe('A man is playing a flute.');
      expect(b.text).toBe(a.text);
      expect(a.identicalText).toBe(true);
      expect(a.note).toMatch(/same text.*differ only by the encoder’s dropout masks/);
      expect(a.tokens.every((t) => t.marks[0]!.kind === 'kept')).toBe(true);
      expect(a.embedding).toBeNull();
    }
  });

  it('embedding views mark model tokens: shuffle (position ids), token and span cutoff (cut)', () => {
    const tokenize = (t: string) => ['[CLS]', ...t.toLowerCase().split(' '), '[SEP]'];
    const text = 'the cat sat on the mat today';
    const [sh] = preview(text, { seed: 2, embedding: { kind: 'shuffle' }, tokenize });
    const ids = sh.embedding!.tokens.map((t, i) => {
      const m = t.marks[0]!;
      return m.kind === 'shuffled' ? m.positionId : i;
    });
    expect(sh.embedding!.tokens.map((t) => t.text)).toEqual(tokenize(text));
    expect([...ids].sort((x, y) => x - y)).toEqual(ids.map((_, i) => i));
    expect(ids).not.toEqual(ids.map((_, i) => i));
    expect(sh.identicalText).toBe(true);

    const [tc] = preview(text, {
      seed: 2,
      embedding: { kind: 'token-cutoff', rate: 0.3 },
      tokenize,
    });
    // 9 tokens → ⌊9·0.3⌋ = 2 cut
    expect(tc.embedding!.tokens.filter((t) => t.marks[0]!.kind === 'cut')).toHaveLength(2);
    const [sp] = preview(text, {
      seed: 2,
      embedding: { kind: 'span-cutoff', rate: 0.4 },
      tokenize,
    });
    const row = sp.embedding!.tokens.map((t) => (t.marks[0]!.kind === 'cut' ? 0 : 1)).join('');
    expect(row).toMatch(/^0*1{5}0*$/); // max(1, ⌊9·0.6⌋) = 5 contiguous tokens kept
    const [fc] = preview(text, { seed: 2, embedding: { kind: 'feature-cutoff', rate: 0.2 } });
    expect(fc.embedding!.note).toMatch(/153 of 768/); // ⌊768·0.2⌋, BERT-base by default
    const [fc32] = preview(text, {
      seed: 2,
      hidden: 32,
      embedding: { kind: 'feature-cutoff', rate: 0.2 },
    });
    expect(fc32.embedding!.note).toMatch(/6 of 32/);
    expect(fc.embedding!.tokens.map((t) => t.text)).toEqual(text.split(' '));
  });

  it('EDA then an embedding view: the embedding tokens are those of the edited text', () => {
    const [a] = preview('我不会再爱你', {
      eda: DELETE_ONLY,
      seed: 1,
      embedding: { kind: 'token-cutoff', rate: 0.5 },
    });
    expect(a.embedding!.tokens.map((t) => t.text)).toEqual(['我', '会', '再', '爱', '你']);
    expect(a.embedding!.tokens.filter((t) => t.marks[0]!.kind === 'cut')).toHaveLength(2);
    expect(a.note).toMatch(/EDA made 1 edit, then the token-cutoff view/);
  });
});
