import { describe, expect, it } from 'vitest';
import { eda, edaCount } from '../../../src/engine/augment/eda.ts';
import { isStopWord } from '../../../src/engine/augment/stopwords.ts';
import { NO_SYNONYMS } from '../../../src/engine/augment/synonyms.ts';
import { tokeniseWords } from '../../../src/engine/augment/tokenise.ts';
import type { EdaOptions, EdaResult, SynonymSource } from '../../../src/engine/augment/types.ts';
import { isUserError } from '../../../src/engine/errors.ts';
import { Rng } from '../../../src/engine/rng.ts';
import { cilinSynonyms, sentences, wordnetSynonyms } from './helpers.ts';

const OFF: EdaOptions = {
  synonymReplacement: 0,
  randomInsertion: 0,
  randomSwap: 0,
  randomDeletion: 0,
};

/** Every word has exactly one synonym: "<word>x". */
const EVERY_WORD: SynonymSource = { synonyms: (w) => [`${w}x`] };

const EN = sentences('stsb/dev.tsv', 300);
const ZH = [...sentences('zh-stsb/train.tsv', 150), ...sentences('lcqmc/dev.tsv', 150)];

/** A 20-word sentence of distinct, non-stop words. */
const TWENTY =
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango';

function wordCount(r: EdaResult): number {
  return r.originalTokens.filter((t) => /[\p{L}\p{N}]/u.test(t)).length;
}

/**
 * The result must be the original with the edits applied: every result token is either an
 * inserted word, a replacement, or the untouched original token it came from, and every
 * original token is either in the result once or deleted.
 */
function expectConsistent(r: EdaResult): void {
  const seen = new Array<number>(r.originalTokens.length).fill(0);
  r.tokens.forEach((tok, j) => {
    const o = r.origins[j];
    const edits = r.edits.filter((e) => e.to === j);
    if (o === null || o === undefined) {
      expect(edits.map((e) => e.kind)).toEqual(['insert']);
      expect(edits[0]!.newWord).toBe(tok);
      return;
    }
    seen[o]!++;
    const replace = edits.find((e) => e.kind === 'replace');
    if (replace) {
      expect(replace.from).toBe(o);
      expect(replace.oldWord).toBe(r.originalTokens[o]);
      expect(replace.newWord).toBe(tok);
    } else {
      expect(tok).toBe(r.originalTokens[o]);
    }
  });
  const deleted = new Set(r.edits.filter((e) => e.kind === 'delete').map((e) => e.from));
  seen.forEach((count, i) => {
    expect(count + (deleted.has(i) ? 1 : 0)).toBe(1);
  });
}

describe('eda: counts follow the reference rules', () => {
  it('n = max(1, ⌊α·len⌋) per operation, len counting words only', () => {
    expect(edaCount(0.1, 5)).toBe(1);
    expect(edaCount(0.1, 25)).toBe(2);
    expect(edaCount(0.3, 10)).toBe(3);
    for (const s of EN.slice(0, 50)) {
      const r = eda(s, { ...OFF, randomSwap: 0.3 }, new Rng(1), NO_SYNONYMS);
      expect(r.operations).toEqual([
        { op: 'randomSwap', rate: 0.3, n: Math.max(1, Math.floor(0.3 * wordCount(r))) },
      ]);
    }
  });

  it('synonym replacement replaces exactly min(n, #candidates) distinct non-stop words (WordNet, STS-B)', () => {
    const wn = wordnetSynonyms();
    let total = 0;
    for (const [k, s] of EN.entries()) {
      const rate = k % 2 === 0 ? 0.1 : 0.3;
      const r = eda(s, { ...OFF, synonymReplacement: rate }, new Rng(k), wn);
      const n = r.operations[0]!.n!;
      const words = tokeniseWords(s, 'en').filter((t) => t.isWord);
      const candidates = new Set(
        words
          .map((t) => t.text.toLowerCase())
          .filter((w) => !isStopWord(w) && wn.synonyms(w).length > 0),
      );
      const replaced = new Set(r.edits.map((e) => e.oldWord!.toLowerCase()));
      expect(r.edits.every((e) => e.kind === 'replace')).toBe(true);
      expect(replaced.size).toBe(Math.min(n, candidates.size));
      total += replaced.size;
      expectConsistent(r);
    }
    expect(total).toBeGreaterThan(EN.length); // the sentences do get edited
  });

  it('synonym replacement replaces every occurrence of the chosen word', () => {
    const r = eda('dog bites dog', { ...OFF, synonymReplacement: 0.1 }, new Rng(0), {
      synonyms: (w) => (w === 'dog' ? ['hound'] : []),
    });
    expect(r.text).toBe('hound bites hound');
    expect(r.edits.map((e) => [e.kind, e.from, e.to])).toEqual([
      ['replace', 0, 0],
      ['replace', 2, 2],
    ]);
  });

  it('random insertion inserts exactly n synonyms of non-stop words, never after the last word', () => {
    for (const [k, s] of EN.slice(0, 150).entries()) {
      const r = eda(s, { ...OFF, randomInsertion: 0.2 }, new Rng(k), EVERY_WORD);
      const n = r.operations[0]!.n!;
      const inserts = r.edits.filter((e) => e.kind === 'insert');
      expect(inserts).toHaveLength(n);
      expect(r.edits).toHaveLength(n);
      for (const e of inserts) {
        expect(e.newWord).toBe(`${e.synonymOf!.toLowerCase()}x`);
        expect(isStopWord(e.synonymOf!)).toBe(false);
        // Inserted before some original word: a later result token is an original word.
        const after = r.origins.slice(e.to! + 1).some((o) => o !== null);
        expect(after).toBe(true);
      }
      expectConsistent(r);
    }
  });

  it('random insertion with WordNet inserts n words on average (10 tries per word)', () => {
    const wn = wordnetSynonyms();
    let inserted = 0;
    let planned = 0;
    for (const [k, s] of EN.entries()) {
      const r = eda(s, { ...OFF, randomInsertion: 0.1 }, new Rng(100 + k), wn);
      inserted += r.edits.filter((e) => e.kind === 'insert').length;
      planned += r.operations[0]!.n!;
      for (const e of r.edits) expect(wn.synonyms(e.synonymOf!)).toContain(e.newWord);
    }
    expect(inserted / planned).toBeGreaterThan(0.95);
    expect(inserted).toBeLessThanOrEqual(planned);
  });

  it('random swap: one swap moves exactly two words; n swaps move at most 2n', () => {
    for (const [k, s] of EN.slice(0, 100).entries()) {
      const r = eda(s, { ...OFF, randomSwap: 0.01 }, new Rng(k), NO_SYNONYMS);
      if (wordCount(r) < 2) continue;
      const swaps = r.edits.filter((e) => e.kind === 'swap');
      expect(swaps).toHaveLength(2);
      const [a, b] = swaps as [(typeof swaps)[0], (typeof swaps)[0]];
      // The two words traded places among the word positions.
      expect(r.tokens[a.to!]).toBe(r.originalTokens[a.from!]);
      expect(r.tokens[b.to!]).toBe(r.originalTokens[b.from!]);
      expect([...r.tokens].sort()).toEqual([...r.originalTokens].sort());
      expectConsistent(r);
    }
    let moved = 0;
    const samples = 500;
    for (let k = 0; k < samples; k++) {
      const r = eda(TWENTY, { ...OFF, randomSwap: 0.25 }, new Rng(k), NO_SYNONYMS);
      expect(r.operations[0]!.n).toBe(5);
      const m = r.edits.filter((e) => e.kind === 'swap').length;
      expect(m).toBeLessThanOrEqual(10);
      moved += m;
    }
    // 5 random transpositions of 20 words touch 20·(1-(1-2/20)^5) ≈ 8.2 distinct words.
    expect(moved / samples).toBeGreaterThan(7.2);
    expect(moved / samples).toBeLessThan(9.2);
  });

  it('random deletion deletes each word with probability α (2,000 samples, ±0.01 ≈ 4.4σ)', () => {
    for (const alpha of [0.1, 0.3]) {
      let deleted = 0;
      const samples = 2000;
      for (let k = 0; k < samples; k++) {
        const r = eda(TWENTY, { ...OFF, randomDeletion: alpha }, new Rng(k * 7 + 1), NO_SYNONYMS);
        deleted += r.edits.filter((e) => e.kind === 'delete').length;
        expectConsistent(r);
      }
      expect(Math.abs(deleted / (samples * 20) - alpha)).toBeLessThan(0.01);
    }
  });

  it('deletion keeps at least one word, and never deletes a one-word text or punctuation', () => {
    for (let k = 0; k < 200; k++) {
      const r = eda(
        'Hello, brave new world!',
        { ...OFF, randomDeletion: 1 },
        new Rng(k),
        NO_SYNONYMS,
      );
      const words = r.tokens.filter((t) => /\p{L}/u.test(t));
      expect(words).toHaveLength(1);
      expect(r.tokens.filter((t) => !/\p{L}/u.test(t))).toEqual([',', '!']);
    }
    const one = eda('Hello!', { ...OFF, randomDeletion: 1 }, new Rng(3), NO_SYNONYMS);
    expect(one.text).toBe('Hello!');
    expect(one.edits).toEqual([]);
  });

  it("'one' picks one enabled operation uniformly; 'all' runs them in EDA's order", () => {
    const counts = new Map<string, number>();
    const all: EdaOptions = {
      synonymReplacement: 0.1,
      randomInsertion: 0.1,
      randomSwap: 0.1,
      randomDeletion: 0.1,
    };
    for (let k = 0; k < 2000; k++) {
      const r = eda(TWENTY, all, new Rng(k), EVERY_WORD);
      expect(r.operations).toHaveLength(1);
      const op = r.operations[0]!.op;
      counts.set(op, (counts.get(op) ?? 0) + 1);
    }
    for (const c of counts.values()) expect(Math.abs(c / 2000 - 0.25)).toBeLessThan(0.035);
    const r = eda(TWENTY, { ...all, combine: 'all' }, new Rng(5), EVERY_WORD);
    expect(r.operations.map((o) => o.op)).toEqual([
      'synonymReplacement',
      'randomInsertion',
      'randomSwap',
      'randomDeletion',
    ]);
    expectConsistent(r);
  });

  it('rejects rates outside [0, 1] with a UserError naming the option', () => {
    expect(() => eda('a b', { ...OFF, randomSwap: 1.5 }, new Rng(0), NO_SYNONYMS)).toThrow(
      /^EDA randomSwap rate must be in \[0, 1\], got 1\.5\.$/,
    );
    try {
      eda('a b', { ...OFF, randomDeletion: Number.NaN }, new Rng(0), NO_SYNONYMS);
      throw new Error('no error');
    } catch (e) {
      expect(isUserError(e)).toBe(true);
    }
  });

  it('a swap undone by a second swap is no edit', () => {
    // A 2-word text with α = 1 gets n = 2 swaps of its only pair, which always cancel.
    for (let k = 0; k < 50; k++) {
      const r = eda('alpha bravo', { ...OFF, randomSwap: 1 }, new Rng(k), NO_SYNONYMS);
      expect(r.operations[0]!.n).toBe(2);
      expect(r.text).toBe('alpha bravo');
      expect(r.edits).toEqual([]);
    }
  });
});

describe('eda: seeds, stop words, case and CJK', () => {
  const all: EdaOptions = {
    synonymReplacement: 0.2,
    randomInsertion: 0.2,
    randomSwap: 0.2,
    randomDeletion: 0.2,
    combine: 'all',
  };

  it('same seed → same view; different seeds → different views', () => {
    const wn = wordnetSynonyms();
    const texts = new Set<string>();
    for (const s of EN.slice(0, 60)) {
      const a = eda(s, all, new Rng(42), wn);
      const b = eda(s, all, new Rng(42), wn);
      expect(b).toEqual(a);
    }
    for (let seed = 0; seed < 20; seed++) texts.add(eda(EN[3]!, all, new Rng(seed), wn).text);
    expect(texts.size).toBeGreaterThan(10);
    const zh = cilinSynonyms();
    for (const s of ZH.slice(0, 60)) {
      expect(eda(s, all, new Rng(7), zh)).toEqual(eda(s, all, new Rng(7), zh));
    }
  });

  it('stop words are never replaced (English, WordNet gives many of them synonyms)', () => {
    const wn = wordnetSynonyms();
    expect(wn.synonyms('can').length).toBeGreaterThan(0);
    expect(wn.synonyms('will').length).toBeGreaterThan(0);
    let replacements = 0;
    for (const [k, s] of EN.entries()) {
      const r = eda(s, { ...OFF, synonymReplacement: 0.5 }, new Rng(k), wn);
      for (const e of r.edits) {
        expect(isStopWord(e.oldWord!)).toBe(false);
        replacements++;
      }
    }
    expect(replacements).toBeGreaterThan(500);
  });

  it('stop words are never replaced in Chinese: 不 keeps its place though Cilin lists 非 无 未 for it', () => {
    const zh = cilinSynonyms();
    expect(zh.synonyms('不')).toContain('非');
    for (let k = 0; k < 300; k++) {
      const r = eda('我不想去', { ...OFF, synonymReplacement: 1 }, new Rng(k), zh);
      expect(r.edits.every((e) => e.oldWord !== '不' && e.oldWord !== '我')).toBe(true);
      expect(r.text).toContain('不');
    }
  });

  it('keeps case: untouched words unchanged, a capitalised word gets a capitalised synonym', () => {
    const r = eda('Happy days', { ...OFF, synonymReplacement: 0.1 }, new Rng(0), {
      synonyms: (w) => (w === 'happy' ? ['glad'] : []),
    });
    expect(r.text).toBe('Glad days');
    const upper = eda('HAPPY days', { ...OFF, synonymReplacement: 0.1 }, new Rng(0), {
      synonyms: (w) => (w === 'happy' ? ['glad'] : []),
    });
    expect(upper.text).toBe('GLAD days');
    const wn = wordnetSynonyms();
    for (const [k, s] of EN.entries()) {
      const r2 = eda(s, all, new Rng(k), wn);
      expectConsistent(r2); // untouched tokens are byte-identical, case included
    }
  });

  it('English mode keeps CJK words and whitespace-separated tokens intact', () => {
    const r = eda(
      'I visited 北京 and 東京 last Summer.',
      { ...OFF, randomSwap: 0.5 },
      new Rng(2),
      NO_SYNONYMS,
      {
        language: 'en',
      },
    );
    expect(r.language).toBe('en');
    expect([...r.tokens].sort()).toEqual(
      ['I', 'visited', '北京', 'and', '東京', 'last', 'Summer', '.'].sort(),
    );
    expect(r.tokens.at(-1)).toBe('.');
  });

  it('Chinese (zh-STS-B, LCQMC): nothing dropped or case-folded, words from Cilin segmentation', () => {
    const zh = cilinSynonyms();
    let edited = 0;
    for (const [k, s] of ZH.entries()) {
      const r = eda(s, { ...all, randomDeletion: 0.1 }, new Rng(k), zh);
      expect(r.language).toBe('zh');
      // Segmentation loses nothing: the original tokens are the text minus whitespace.
      expect(r.originalTokens.join('')).toBe(s.replace(/\s/gu, ''));
      // The result is its tokens joined without spaces (whitespace of the source aside).
      expect(r.text.replace(/\s/gu, '')).toBe(r.tokens.join(''));
      expectConsistent(r);
      for (const e of r.edits) {
        if (e.kind === 'replace') expect(zh.synonyms(e.oldWord!)).toContain(e.newWord);
        if (e.kind === 'insert') expect(zh.synonyms(e.synonymOf!)).toContain(e.newWord);
      }
      edited += r.edits.length > 0 ? 1 : 0;
    }
    expect(edited).toBeGreaterThan(ZH.length * 0.9);
    // Latin letters inside Chinese text keep their case ("QQ", "PS", "FPS").
    const latin = sentences('lcqmc/dev.tsv', 3000)
      .filter((s) => /[A-Z]{2,}/u.test(s))
      .slice(0, 20);
    expect(latin.length).toBe(20);
    for (const s of latin) {
      const r = eda(s, { ...OFF, randomSwap: 0.3 }, new Rng(1), zh);
      for (const m of s.match(/[A-Za-z0-9]+/gu) ?? []) expect(r.text).toContain(m);
    }
  });

  it('rates all 0 give the text back byte for byte', () => {
    for (const s of [...EN.slice(0, 20), ...ZH.slice(0, 20), '  spaced   out  ']) {
      const r = eda(s, OFF, new Rng(0), NO_SYNONYMS);
      expect(r.text).toBe(s);
      expect(r.edits).toEqual([]);
    }
  });
});
