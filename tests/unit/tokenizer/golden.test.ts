/**
 * Token ids against golden values from tests/fixtures/tokenizer/make_tokenizer.py, an independent
 * Python port of Hugging Face's BertTokenizer run on the real Google BERT vocabularies
 * (../shared/data/bert-vocab). Ids, token types and padded batches must match exactly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BertTokenizer, EncodedAhead } from '../../../src/engine/tokenizer/index.ts';
import { FIXTURES, sharedData } from '../../helpers/paths.ts';

interface GoldenCase {
  text: string;
  pair?: string;
  maxLength?: number;
  tokens: string[];
  ids: number[];
  typeIds: number[];
}
interface GoldenSuite {
  name: string;
  vocab: string;
  config: Record<string, unknown>;
  cases: GoldenCase[];
}
interface GoldenBatch {
  vocab: string;
  texts: string[];
  pairs: string[] | null;
  maxLength: number;
  padTo: number | null;
  seqLength: number;
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds: number[];
}
const golden = JSON.parse(readFileSync(join(FIXTURES, 'tokenizer', 'golden.json'), 'utf8')) as {
  suites: GoldenSuite[];
  batches: GoldenBatch[];
};

const vocabText = (name: string) => readFileSync(sharedData('bert-vocab', name), 'utf8');

/** The same tokenizer after a trip through the files an exported model folder holds. */
function viaTokenizerJson(tok: BertTokenizer): BertTokenizer {
  const json = JSON.parse(JSON.stringify(tok.toTokenizerJson())) as object;
  const config = JSON.parse(JSON.stringify(tok.toTokenizerConfig())) as object;
  return BertTokenizer.fromTokenizerJson(json, config);
}

/** The same tokenizer as a data-parallel replica gets it: its state, posted (structured clone). */
function viaState(tok: BertTokenizer): BertTokenizer {
  return BertTokenizer.fromState(structuredClone(tok.state()));
}

describe('BertTokenizer golden ids (Python port of HF BertTokenizer)', () => {
  it('covers every suite of the fixture', () => {
    expect(golden.suites.map((s) => s.name)).toEqual([
      'bert-base-uncased',
      'bert-base-cased',
      'bert-base-chinese',
      'bert-base-chinese (do_lower_case=true)',
      'bert-base-cased (do_lower_case=true, strip_accents=false)',
      'bert-base-cased (do_lower_case=false, strip_accents=true)',
      'bert-base-uncased (tokenize_chinese_chars=false)',
    ]);
  });

  for (const suite of golden.suites) {
    describe(suite.name, () => {
      const fromVocab = BertTokenizer.fromVocab(vocabText(suite.vocab), suite.config);
      const roundTripped = viaTokenizerJson(fromVocab);
      const replicaCopy = viaState(fromVocab);

      for (const c of suite.cases) {
        const label = `${JSON.stringify(c.text).slice(0, 50)}${c.pair !== undefined ? ' + pair' : ''}${c.maxLength ? ` max ${c.maxLength}` : ''}`;
        it(`encode ${label}`, () => {
          const got = fromVocab.encode(c.text, c.pair, c.maxLength);
          expect(got.ids.map((id) => fromVocab.idToToken(id))).toEqual(c.tokens);
          expect(got.ids).toEqual(c.ids);
          expect(got.typeIds).toEqual(c.typeIds);
          // tokenize() is encode() without [CLS]/[SEP] (and without truncation).
          if (c.pair === undefined && c.maxLength === undefined) {
            expect(fromVocab.tokenize(c.text)).toEqual(c.tokens.slice(1, -1));
          }
        });
        it(`tokenizer.json round trip ${label}`, () => {
          const got = roundTripped.encode(c.text, c.pair, c.maxLength);
          expect(got.ids).toEqual(c.ids);
          expect(got.typeIds).toEqual(c.typeIds);
        });
        it(`a replica's copy (state, posted) ${label}`, () => {
          const got = replicaCopy.encode(c.text, c.pair, c.maxLength);
          expect(got.ids).toEqual(c.ids);
          expect(got.typeIds).toEqual(c.typeIds);
        });
      }
    });
  }

  for (const [i, b] of golden.batches.entries()) {
    it(`encodeBatch ${i}: padded [B, L] arrays, masks and token types`, () => {
      const tok = BertTokenizer.fromVocab(vocabText(b.vocab));
      const got = tok.encodeBatch(b.texts, {
        maxLength: b.maxLength,
        ...(b.pairs ? { pairs: b.pairs } : {}),
        ...(b.padTo !== null ? { padTo: b.padTo } : {}),
      });
      expect(got.batchSize).toBe(b.texts.length);
      expect(got.seqLength).toBe(b.seqLength);
      expect(Array.from(got.inputIds)).toEqual(b.inputIds);
      expect(Array.from(got.attentionMask)).toEqual(b.attentionMask);
      expect(Array.from(got.tokenTypeIds)).toEqual(b.tokenTypeIds);
    });
  }
});

describe('encodeBatch with rows encoded ahead (a data-parallel replica, while it waits)', () => {
  for (const [i, b] of golden.batches.entries()) {
    it(`batch ${i}: half its rows encoded ahead by a replica's copy, the same golden arrays`, () => {
      const tok = BertTokenizer.fromVocab(vocabText(b.vocab));
      const replica = viaState(tok);
      const ahead = new EncodedAhead(b.maxLength);
      b.texts.forEach((t, j) => {
        if (j % 2 === 0) replica.encodeAhead(ahead, t, b.pairs?.[j]);
      });
      expect(ahead.rows.size).toBeGreaterThan(0);
      const got = replica.encodeBatch(b.texts, {
        maxLength: b.maxLength,
        ahead,
        ...(b.pairs ? { pairs: b.pairs } : {}),
        ...(b.padTo !== null ? { padTo: b.padTo } : {}),
      });
      expect(Array.from(got.inputIds)).toEqual(b.inputIds);
      expect(Array.from(got.attentionMask)).toEqual(b.attentionMask);
      expect(Array.from(got.tokenTypeIds)).toEqual(b.tokenTypeIds);
    });
  }

  const tok = BertTokenizer.fromVocab(vocabText('bert-base-uncased-vocab.txt'));

  it('takes a row from `ahead` instead of encoding it (keyed by text and pair)', () => {
    const ahead = new EncodedAhead(16);
    tok.encodeAhead(ahead, 'hello world');
    tok.encodeAhead(ahead, 'hello', 'world');
    expect(ahead.rows.size).toBe(2);
    // A planted row shows the lookup: encodeBatch returns it, not a fresh encoding.
    const [key] = ahead.rows.keys();
    ahead.rows.set(key!, { ids: [101, 7, 102], typeIds: [0, 0, 0] });
    const got = tok.encodeBatch(['hello world', 'hello world'], { maxLength: 16, ahead });
    expect(Array.from(got.inputIds)).toEqual([101, 7, 102, 101, 7, 102]);
    // The pair's row is another key: 'hello' + 'world' is not 'hello world'.
    const pair = tok.encodeBatch(['hello'], { maxLength: 16, pairs: ['world'], ahead });
    expect(Array.from(pair.inputIds)).toEqual(tok.encode('hello', 'world', 16).ids);
  });

  it('rows encoded at another maxLength are an error, not rows of the wrong length', () => {
    const ahead = new EncodedAhead(8);
    tok.encodeAhead(ahead, 'hello world');
    expect(() => tok.encodeBatch(['hello world'], { maxLength: 16, ahead })).toThrow(
      /rows encoded ahead at maxLength 8, asked for 16/,
    );
  });
});
