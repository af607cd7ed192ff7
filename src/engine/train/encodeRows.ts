/**
 * Tokenise rows of text, pad them to a length bucket, build the embedding-level views' hook, and
 * run the encoder + pooler (+ SimCSE's MLP) → one representation per row.
 */

import { type EmbeddingViewPass, makeEmbeddingHook } from '../augment/consert.ts';
import type { EmbeddingView } from '../augment/types.ts';
import type { ExperimentConfig } from '../config/schema.ts';
import { bucketLength } from '../data/index.ts';
import type { EncoderInputs, Probe } from '../model/index.ts';
import { type Pooling, pool } from '../model/pooling.ts';
import { mixSeed, Rng } from '../rng.ts';
import * as tf from '../tf.ts';
import type { EncodedAhead } from '../tokenizer/index.ts';
import type { EncoderBundle } from './encoderSetup.ts';

/** A run of rows that share one view (e.g. all first views of a batch). */
export interface Segment {
  texts: string[];
  /** Second sentence of each row (sentence-pair inputs, token type 1). */
  pairs?: string[];
  /** Which embedding-level view applies: 1, 2, or 0 for none. */
  view: 0 | 1 | 2;
}

export interface TokenisedRows {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
  rows: number;
  length: number;
  /** Row ranges of each segment, in order. */
  segments: { start: number; count: number; view: 0 | 1 | 2 }[];
}

/**
 * The rows' texts as the tokenizer takes them: every segment's in order, with pairs ('' for a
 * segment without) when any segment has them.
 */
export function segmentTexts(segments: Segment[]): { texts: string[]; pairs?: string[] } {
  const texts = segments.flatMap((s) => s.texts);
  const hasPairs = segments.some((s) => s.pairs);
  if (!hasPairs) return { texts };
  return { texts, pairs: segments.flatMap((s) => s.pairs ?? s.texts.map(() => '')) };
}

/**
 * Tokenises all segments together and pads to one bucketed length (few distinct shapes). Rows
 * in `ahead` (encoded earlier by the same tokenizer) are taken, not encoded again.
 */
export function tokeniseSegments(
  bundle: EncoderBundle,
  segments: Segment[],
  maxLength: number,
  ahead?: EncodedAhead,
): TokenisedRows {
  const { texts, pairs } = segmentTexts(segments);
  const first = bundle.tokenizer.encodeBatch(texts, {
    maxLength,
    ...(pairs ? { pairs } : {}),
    ...(ahead ? { ahead } : {}),
  });
  const length = bucketLength(first.seqLength, maxLength);
  // Widen to the bucket here rather than tokenising the batch a second time with padTo.
  const enc = widen(first, length, bundle.tokenizer.padId);
  const out: TokenisedRows['segments'] = [];
  let start = 0;
  for (const s of segments) {
    out.push({ start, count: s.texts.length, view: s.view });
    start += s.texts.length;
  }
  return {
    inputIds: enc.inputIds,
    attentionMask: enc.attentionMask,
    tokenTypeIds: enc.tokenTypeIds,
    rows: enc.batchSize,
    length: enc.seqLength,
    segments: out,
  };
}

type Encoded = ReturnType<EncoderBundle['tokenizer']['encodeBatch']>;

/** Pads every row of an encoded batch [B, L] to `length` ≥ L (pad id, mask 0, type 0). */
function widen(enc: Encoded, length: number, padId: number): Encoded {
  const L = enc.seqLength;
  if (length === L) return enc;
  const B = enc.batchSize;
  const inputIds = new Int32Array(B * length).fill(padId);
  const attentionMask = new Int32Array(B * length);
  const tokenTypeIds = new Int32Array(B * length);
  for (let r = 0; r < B; r++) {
    inputIds.set(enc.inputIds.subarray(r * L, (r + 1) * L), r * length);
    attentionMask.set(enc.attentionMask.subarray(r * L, (r + 1) * L), r * length);
    tokenTypeIds.set(enc.tokenTypeIds.subarray(r * L, (r + 1) * L), r * length);
  }
  return { ...enc, inputIds, attentionMask, tokenTypeIds, seqLength: length };
}

export interface EncodeOptions {
  training: boolean;
  dropoutSeed: number;
  /** How rows are pooled and whether SimCSE's MLP follows (see `representation`). */
  pooling: Pooling;
  /** Apply SimCSE's MLP over the pooled output. */
  useMlp: boolean;
  /** Embedding-level view of view-1 rows and of view-2 rows (null: none). */
  views: [EmbeddingView | null, EmbeddingView | null];
  /**
   * Receives the view passes built for this forward; the caller disposes them after the
   * gradients are computed (their masks are needed by the backward pass).
   */
  passes?: EmbeddingViewPass[];
  /** adversarial view: d(supervised loss)/d(embedding output) for all rows, [rows, L, H]. */
  gradient?: tf.Tensor3D;
  /** Added to the embedding output of all rows (used to take that gradient), [rows, L, H]. */
  perturbation?: tf.Tensor3D;
  /** Observes the encoder's inputs, embedding output and dropout masks (tests; model/probe.ts). */
  probe?: Probe;
}

interface SegmentPass {
  seg: TokenisedRows['segments'][number];
  pass: EmbeddingViewPass;
}

/**
 * Builds each segment's view pass. Draws come from an Rng seeded by (dropoutSeed, segment), so a
 * replay with the same seed (GradCache) makes the same masks and permutations.
 */
function buildPasses(tok: TokenisedRows, hidden: number, opts: EncodeOptions): SegmentPass[] {
  const out: SegmentPass[] = [];
  tok.segments.forEach((seg, i) => {
    const view = seg.view ? opts.views[seg.view - 1] : null;
    if (!view || seg.count === 0) return;
    const a = seg.start * tok.length;
    const mask = tok.attentionMask.subarray(a, a + seg.count * tok.length);
    const gradient =
      view.kind === 'adversarial' && opts.gradient
        ? (tf.slice(opts.gradient, [seg.start, 0, 0], [seg.count, -1, -1]) as tf.Tensor3D)
        : undefined;
    const pass = makeEmbeddingHook(view, {
      attentionMask: mask,
      batch: seg.count,
      seqLength: tok.length,
      hidden,
      rng: new Rng(mixSeed(opts.dropoutSeed, 0x5eed, i)),
      ...(gradient ? { gradient } : {}),
    });
    gradient?.dispose();
    opts.passes?.push(pass);
    out.push({ seg, pass });
  });
  return out;
}

/** Encoder forward over tokenised rows → [rows, D]. Call inside a tidy or a gradient tape. */
export function encodeTokenised(
  bundle: EncoderBundle,
  config: ExperimentConfig,
  tok: TokenisedRows,
  opts: EncodeOptions,
): tf.Tensor2D {
  const shape: [number, number] = [tok.rows, tok.length];
  const passes = buildPasses(tok, bundle.model.config.hidden_size, opts);
  if (passes.length && !opts.passes) {
    for (const p of passes) p.pass.dispose();
    throw new Error('embedding views need a `passes` list to hand their masks to the caller');
  }
  // Inputs the views change: position ids (shuffle) and the attention mask (span cutoff).
  let positions: Int32Array | null = null;
  let mask = tok.attentionMask;
  for (const { seg, pass } of passes) {
    const a = seg.start * tok.length;
    if (pass.draws.positionIds) {
      if (!positions) {
        positions = new Int32Array(tok.rows * tok.length);
        for (let i = 0; i < positions.length; i++) positions[i] = i % tok.length;
      }
      positions.set(pass.draws.positionIds, a);
    }
    if (pass.draws.spanMask) {
      if (mask === tok.attentionMask) mask = tok.attentionMask.slice();
      mask.set(pass.draws.spanMask, a);
    }
  }
  const inputs: EncoderInputs = {
    inputIds: tf.tensor2d(tok.inputIds, shape, 'int32'),
    attentionMask: tf.tensor2d(mask, shape, 'int32'),
    tokenTypeIds: tf.tensor2d(tok.tokenTypeIds, shape, 'int32'),
    ...(positions ? { positionIds: tf.tensor2d(positions, shape, 'int32') } : {}),
  };
  const probe = opts.probe;
  if (probe) for (const [k, t] of Object.entries(inputs)) probe(`encoder.${k}`, t);
  const viewsHook = makeHook(passes, opts.perturbation);
  const hook = probe
    ? (e: tf.Tensor3D) => {
        const x = viewsHook ? viewsHook(e) : e;
        probe('encoder.embeddings', x); // what layer 0 receives
        return x;
      }
    : viewsHook;
  const dropoutOn = config.augment.dropout;
  const out = bundle.model.forward(inputs, {
    training: opts.training,
    hiddenDropout: dropoutOn ? config.encoder.hiddenDropout : 0,
    attentionDropout: dropoutOn ? config.encoder.attentionDropout : 0,
    dropoutSeed: opts.dropoutSeed,
    ...(hook ? { embeddingHook: hook } : {}),
    ...(probe ? { probe } : {}),
  });
  let h = pool(out, inputs.attentionMask, opts.pooling); // [rows, H]
  if (opts.useMlp && bundle.mlp) h = bundle.mlp.forward(h);
  return h;
}

function makeHook(
  passes: SegmentPass[],
  perturbation: tf.Tensor3D | undefined,
): ((e: tf.Tensor3D) => tf.Tensor3D) | null {
  if (passes.length === 0 && !perturbation) return null;
  return (embeddings: tf.Tensor3D) => {
    let x = embeddings; // [rows, L, H]
    if (perturbation) x = tf.add(x, perturbation) as tf.Tensor3D;
    if (passes.length === 0) return x;
    const rows = x.shape[0];
    const parts: tf.Tensor3D[] = [];
    let at = 0;
    for (const { seg, pass } of passes) {
      if (seg.start > at)
        parts.push(tf.slice(x, [at, 0, 0], [seg.start - at, -1, -1]) as tf.Tensor3D);
      parts.push(
        pass.embeddingHook(tf.slice(x, [seg.start, 0, 0], [seg.count, -1, -1]) as tf.Tensor3D),
      );
      at = seg.start + seg.count;
    }
    if (at < rows) parts.push(tf.slice(x, [at, 0, 0], [rows - at, -1, -1]) as tf.Tensor3D);
    return parts.length === 1 ? parts[0]! : (tf.concat(parts, 0) as tf.Tensor3D);
  };
}

/** config.augment.embedding → the view of view-1 rows and of view-2 rows. */
export function embeddingViewsOf(
  config: ExperimentConfig,
): [EmbeddingView | null, EmbeddingView | null] {
  const e = config.augment.embedding;
  if (!e) return [null, null];
  if ('kind' in e) return [e as EmbeddingView, e as EmbeddingView];
  return [(e.view1 as EmbeddingView | null) ?? null, (e.view2 as EmbeddingView | null) ?? null];
}

/**
 * The sentence representation SimCSE trains and evaluates (princeton-nlp/SimCSE models.py):
 * with `cls` pooling its MLP takes the [CLS] hidden state (it replaces BERT's pooler), in training,
 * and at test time too when mlpHead is 'always'; with 'train-only' (mlp_only_train) the test-time
 * representation is the raw [CLS] state (`cls_before_pooler`). Other poolings put the MLP on top.
 * Non-contrastive objectives (classifiers) use the configured pooling and no MLP.
 */
export function representation(
  config: ExperimentConfig,
  phase: 'train' | 'eval',
  contrastive: boolean,
): { pooling: Pooling; useMlp: boolean } {
  const mlp = config.encoder.mlpHead;
  if (!contrastive || mlp === 'none') return { pooling: config.encoder.pooling, useMlp: false };
  const useMlp = mlp === 'always' || phase === 'train';
  const pooling = config.encoder.pooling === 'cls' ? 'cls_before_pooler' : config.encoder.pooling;
  return { pooling, useMlp };
}
