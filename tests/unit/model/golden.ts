/**
 * Shared by the model / weights tests: the golden numbers written by
 * tests/fixtures/model/make_model.py (a plain-torch HF BertModel, float32, eval mode).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EncoderInputs } from '../../../src/engine/model/index.ts';
import * as tf from '../../../src/engine/tf.ts';
import { FIXTURES } from '../../helpers/paths.ts';

export const MODEL_FIXTURES = join(FIXTURES, 'model');
export const TINY_BERT = join(MODEL_FIXTURES, 'tiny-bert');

type Nested = number | Nested[];

export interface GoldenBatch {
  inputs: {
    input_ids: number[][];
    attention_mask: number[][];
    token_type_ids: number[][];
    position_ids?: number[][];
  };
  outputs: {
    last_hidden_state: Nested;
    hidden_states?: Nested[];
    pooled: Record<string, Nested>;
  };
}

export interface Golden {
  config: Record<string, unknown>;
  batches: Record<string, GoldenBatch>;
  activations: Record<string, { last_hidden_state: Nested; pooler_output: Nested }> & {
    inputs: GoldenBatch['inputs'];
  };
  text: {
    sentences: string[];
    ids: number[][];
    embeddings: Record<string, number[][]>;
    sts_pairs: [string, string, number][];
  };
}

let cached: Golden | null = null;
export function golden(): Golden {
  cached ??= JSON.parse(readFileSync(join(MODEL_FIXTURES, 'golden.json'), 'utf8')) as Golden;
  return cached;
}

export function inputsOf(b: GoldenBatch['inputs']): EncoderInputs {
  return {
    inputIds: tf.tensor2d(b.input_ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(b.attention_mask, undefined, 'int32'),
    tokenTypeIds: tf.tensor2d(b.token_type_ids, undefined, 'int32'),
    ...(b.position_ids ? { positionIds: tf.tensor2d(b.position_ids, undefined, 'int32') } : {}),
  };
}

function flat(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}

/** max |a - b| over all elements; throws if the element counts differ. */
export function maxAbsDiff(t: tf.Tensor | Float32Array | number[], expected: Nested): number {
  const a = t instanceof tf.Tensor ? t.dataSync() : t;
  const b = flat(expected);
  if (a.length !== b.length) throw new Error(`size mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function shapeOf(x: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0]!;
  }
  return shape;
}
