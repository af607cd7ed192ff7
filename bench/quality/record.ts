/**
 * What the PyTorch reference reads, as token ids from the engine's own tokenizer:
 *  - the training batches the Trainer draws (its Batcher, its seed, after EDA edits), caught by
 *    `TrainerHost.onBatch`: per step, the rows of each view (segment);
 *  - the STS pairs it evaluates on, with the raw gold scores and the texts (lexical baselines).
 * Each row is `tokenizer.encode(text, undefined, maxLength).ids`, the ids `tokeniseSegments`
 * puts in front of the encoder before padding.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Dataset } from '../../src/engine/data/index.ts';
import type { BertTokenizer } from '../../src/engine/tokenizer/index.ts';

/** The texts of one drawn batch, view by view (what `onBatch` receives). */
export type DrawnSegments = { texts: string[]; pairs?: string[] }[];

export interface RecordedStep {
  /** [segment][row] → token ids, [CLS] … [SEP], unpadded. */
  segments: number[][][];
}

export interface BatchesFile {
  maxLength: number;
  padId: number;
  steps: RecordedStep[];
}

export interface EvalSetFile {
  ids1: number[][];
  ids2: number[][];
  /** Raw gold scores (0–5 for STS-B). */
  scores: number[];
  s1: string[];
  s2: string[];
}

export interface EvalFile {
  padId: number;
  maxLength: number;
  sets: Record<string, EvalSetFile>;
}

type Tokenizer = Pick<BertTokenizer, 'encode' | 'padId'>;

export function tokenRows(tokenizer: Tokenizer, texts: string[], maxLength: number): number[][] {
  return texts.map((t) => tokenizer.encode(t, undefined, maxLength).ids);
}

/** One drawn batch as token ids. Sentence-pair rows (cross-encoding) are not part of these recipes. */
export function recordStep(
  tokenizer: Tokenizer,
  segments: DrawnSegments,
  maxLength: number,
): RecordedStep {
  if (segments.some((s) => s.pairs))
    throw new Error('the quality bench records single-sentence rows only (no `pairs`)');
  return { segments: segments.map((s) => tokenRows(tokenizer, s.texts, maxLength)) };
}

export function evalSetOf(tokenizer: Tokenizer, ds: Dataset, maxLength: number): EvalSetFile {
  const s1 = ds.examples.map((e) => e.text);
  const s2 = ds.examples.map((e) => e.text2 ?? '');
  return {
    ids1: tokenRows(tokenizer, s1, maxLength),
    ids2: tokenRows(tokenizer, s2, maxLength),
    scores: ds.examples.map((e) => e.rawScore ?? e.score ?? 0),
    s1,
    s2,
  };
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value));
}

export function readBatchesFile(path: string): BatchesFile {
  return JSON.parse(readFileSync(path, 'utf8')) as BatchesFile;
}

/** A drawn batch's texts as one comparable string (the run checks it trains on what it recorded). */
export function batchKey(segments: DrawnSegments): string {
  return JSON.stringify(segments.map((s) => s.texts));
}
