/**
 * ConSERT embedding-level views (Yan et al. 2021, §3.2), applied by the encoder's
 * `embeddingHook` to the embedding output [B, L, H] (word + position + type embeddings after
 * LayerNorm and dropout) before layer 0, or through the inputs (shuffle: position ids; span:
 * the attention mask).
 *
 * Every definition follows ConSERT's code (yym6472/ConSERT@8fe79b6,
 * transformers/modeling_bert.py `_replace_position_ids`, `_cutoff_embeddings`, `_sample_span`,
 * and sentence_transformers/losses/AdvCLSoftmaxLoss.py for the adversarial noise):
 * - shuffle permutes the position ids of ALL real tokens of a row, [CLS] and [SEP] included
 *   (`indexes = list(range(num_tokens)); random.shuffle(indexes)`); pad positions keep theirs.
 * - token cutoff zeroes ⌊len·rate⌋ (`int(num_tokens * rate)`) whole token rows, chosen among
 *   the real tokens (specials included); short rows may lose none.
 * - feature cutoff zeroes ⌊H·rate⌋ whole embedding columns, drawn per example, at every
 *   position of that example.
 * - span cutoff keeps ONE contiguous span of max(1, ⌊len·(1-rate)⌋) real tokens starting at a
 *   uniform position and masks out the rest in the attention mask (ConSERT sets those ids to
 *   [PAD] and their attention to 0). Here the rows outside the span are also zeroed by the hook.
 * - dropout ("random" cutoff) zeroes embedding values without rescaling. ConSERT zeroes exactly
 *   ⌊len·H·rate⌋ values of the real tokens; here each value is zeroed with probability `rate`
 *   by a seeded `tf.randomUniform`, so the mask can be replayed from its seed without a
 *   B·L·H-sized upload.
 * - adversarial (FGV): ε·g/(‖g‖+1e-10) with g the gradient of the supervised loss w.r.t. the
 *   embedding output; ConSERT takes ‖g‖ per token (`norm(p=2, dim=-1)`), which is the default
 *   here; 'example' takes it over each example's whole L×H gradient (Miyato et al.'s form).
 *
 * Masks are drawn on the JS side from an `Rng` in the order documented on each function, so
 * they are exact, testable and replayable (GradCache re-runs a chunk with the same pass).
 */
import { UserError } from '../errors.ts';
import type { Rng } from '../rng.ts';
import * as tf from '../tf.ts';
import type { EmbeddingView } from './types.ts';

function checkMask(attentionMask: Int32Array, batch: number, seqLength: number): void {
  if (attentionMask.length !== batch * seqLength) {
    throw new Error(
      `attention mask has ${attentionMask.length} entries, expected batch ${batch} × seqLength ${seqLength}`,
    );
  }
}

function checkRate(name: string, rate: number): void {
  if (!(rate >= 0 && rate < 1)) {
    throw new UserError(`${name} rate must be in [0, 1), got ${rate}.`);
  }
}

/** Positions b·L + l of the real (mask = 1) tokens of row b, ascending. */
function realPositions(attentionMask: Int32Array, b: number, seqLength: number): number[] {
  const out: number[] = [];
  for (let l = 0; l < seqLength; l++) if (attentionMask[b * seqLength + l] === 1) out.push(l);
  return out;
}

/**
 * Shuffled position ids, int32 [B·L] row-major: for each row b in order, the real positions
 * p_0 < p_1 < … get the ids `rng.shuffle([p_0, p_1, …])` (one Fisher–Yates per row); pad
 * positions keep id = position.
 */
export function tokenShufflePositions(
  attentionMask: Int32Array,
  batch: number,
  seqLength: number,
  rng: Rng,
): Int32Array {
  checkMask(attentionMask, batch, seqLength);
  const out = new Int32Array(batch * seqLength);
  for (let b = 0; b < batch; b++) {
    for (let l = 0; l < seqLength; l++) out[b * seqLength + l] = l;
    const real = realPositions(attentionMask, b, seqLength);
    const ids = rng.shuffle(real.slice());
    real.forEach((p, k) => {
      out[b * seqLength + p] = ids[k]!;
    });
  }
  return out;
}

/**
 * Token cutoff mask, float32 [B·L] (1 keep, 0 cut): for each row b in order, shuffle the real
 * positions (`rng.shuffle`) and cut the first ⌊len·rate⌋. Pad positions stay 1.
 */
export function tokenCutoffMask(
  attentionMask: Int32Array,
  batch: number,
  seqLength: number,
  rate: number,
  rng: Rng,
): Float32Array {
  checkMask(attentionMask, batch, seqLength);
  checkRate('token cutoff', rate);
  const out = new Float32Array(batch * seqLength).fill(1);
  for (let b = 0; b < batch; b++) {
    const real = realPositions(attentionMask, b, seqLength);
    const cut = Math.floor(real.length * rate);
    const order = rng.shuffle(real.slice());
    for (let k = 0; k < cut; k++) out[b * seqLength + order[k]!] = 0;
  }
  return out;
}

/**
 * Feature cutoff mask, float32 [B·H] (1 keep, 0 cut): for each row b in order, shuffle
 * 0..H-1 (`rng.shuffle`) and cut the first ⌊H·rate⌋ columns.
 */
export function featureCutoffMask(
  batch: number,
  hidden: number,
  rate: number,
  rng: Rng,
): Float32Array {
  checkRate('feature cutoff', rate);
  const out = new Float32Array(batch * hidden).fill(1);
  const cut = Math.floor(hidden * rate);
  for (let b = 0; b < batch; b++) {
    const order = rng.shuffle(Array.from({ length: hidden }, (_, h) => h));
    for (let k = 0; k < cut; k++) out[b * hidden + order[k]!] = 0;
  }
  return out;
}

/**
 * Span cutoff: the new attention mask, int32 [B·L]. For each row b in order, with len real
 * tokens, keep = max(1, ⌊len·(1-rate)⌋) and start = `rng.int(len - keep + 1)`; the real tokens
 * number start … start+keep-1 (counting real tokens only) stay 1, everything else is 0.
 * A row with no real tokens stays all 0 and draws nothing.
 */
export function spanCutoffMask(
  attentionMask: Int32Array,
  batch: number,
  seqLength: number,
  rate: number,
  rng: Rng,
): Int32Array {
  checkMask(attentionMask, batch, seqLength);
  checkRate('span cutoff', rate);
  const out = new Int32Array(batch * seqLength);
  for (let b = 0; b < batch; b++) {
    const real = realPositions(attentionMask, b, seqLength);
    if (real.length === 0) continue;
    const keep = Math.max(1, Math.floor(real.length * (1 - rate)));
    const start = rng.int(real.length - keep + 1);
    for (let k = start; k < start + keep; k++) out[b * seqLength + real[k]!] = 1;
  }
  return out;
}

/** x · mask over whole tokens: x [B, L, H], mask [B, L] (1 keep, 0 zero the row). */
export function applyTokenCutoff(x: tf.Tensor3D, mask: Float32Array | tf.Tensor2D): tf.Tensor3D {
  const [b, l] = x.shape;
  return tf.tidy(() => {
    const m = mask instanceof Float32Array ? tf.tensor2d(mask, [b, l]) : mask; // [B, L]
    return tf.mul(x, m.reshape([b, l, 1])) as tf.Tensor3D; // [B, L, H]
  });
}

/** x · mask over whole columns: x [B, L, H], mask [B, H] (1 keep, 0 zero the column). */
export function applyFeatureCutoff(x: tf.Tensor3D, mask: Float32Array | tf.Tensor2D): tf.Tensor3D {
  const [b, , h] = x.shape;
  return tf.tidy(() => {
    const m = mask instanceof Float32Array ? tf.tensor2d(mask, [b, h]) : mask; // [B, H]
    return tf.mul(x, m.reshape([b, 1, h])) as tf.Tensor3D; // [B, L, H]
  });
}

/**
 * Zero each value of x with probability `rate`, no rescaling (ConSERT's "dropout" view).
 * The keep mask is `tf.randomUniform(x.shape, 0, 1, 'float32', seed) >= rate`: the same seed
 * gives the same mask on every backend.
 */
export function embeddingDropout(x: tf.Tensor3D, rate: number, seed: number): tf.Tensor3D {
  checkRate('dropout', rate);
  return tf.tidy(() => {
    const keep = tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate); // [B, L, H]
    return tf.mul(x, tf.cast(keep, 'float32')) as tf.Tensor3D;
  });
}

/** x + N(0, sigma²) noise from `tf.randomNormal(x.shape, 0, sigma, 'float32', seed)`. */
export function gaussianNoise(x: tf.Tensor3D, sigma: number, seed: number): tf.Tensor3D {
  if (!(sigma >= 0)) throw new UserError(`noise sigma must be ≥ 0, got ${sigma}.`);
  return tf.tidy(
    () => tf.add(x, tf.randomNormal(x.shape, 0, sigma, 'float32', seed)) as tf.Tensor3D,
  );
}

/**
 * FGV perturbation ε·g/(‖g‖ + 1e-10) of a gradient g [B, L, H] w.r.t. the embeddings.
 * norm 'token' (default, ConSERT's code): ‖g‖ over H for each token, so every token with a
 * non-zero gradient moves by exactly ε and pad tokens (zero gradient) not at all.
 * norm 'example': ‖g‖ over each example's L×H values, so each example moves by ε in total.
 */
export function fgvPerturbation(
  grad: tf.Tensor3D,
  epsilon: number,
  norm: 'token' | 'example' = 'token',
): tf.Tensor3D {
  return tf.tidy(() => {
    const axes = norm === 'token' ? [2] : [1, 2];
    const n = tf.sqrt(tf.sum(tf.square(grad), axes, true)); // [B, L, 1] or [B, 1, 1]
    return tf.mul(tf.div(grad, tf.add(n, 1e-10)), epsilon) as tf.Tensor3D; // [B, L, H]
  });
}

/** What the trainer knows about one encoder pass. */
export interface EmbeddingHookContext {
  /** int32 [B·L] row-major, 1 for real tokens, 0 for padding. */
  attentionMask: Int32Array;
  batch: number;
  seqLength: number;
  hidden: number;
  /** All of this pass's random draws (masks, permutations, tensor seeds). */
  rng: Rng;
  /** adversarial only: d(supervised loss)/d(embedding output) [B, L, H]; not disposed here. */
  gradient?: tf.Tensor3D;
}

/** The exact random draws of a pass, for tests, previews and logs. */
export interface EmbeddingViewDraws {
  positionIds?: Int32Array;
  tokenMask?: Float32Array;
  featureMask?: Float32Array;
  spanMask?: Int32Array;
  seed?: number;
}

/**
 * One pass's view. Pass `embeddingHook` as `ForwardOptions.embeddingHook`, and when set,
 * `positionIds` as `EncoderInputs.positionIds` and `attentionMask` in place of the batch's
 * attention mask — for the encoder AND the pooler. Calling the hook again (GradCache's
 * replay) applies the same masks. `dispose()` frees the tensors the pass owns.
 */
export interface EmbeddingViewPass {
  view: EmbeddingView;
  embeddingHook: (embeddings: tf.Tensor3D) => tf.Tensor3D;
  positionIds?: tf.Tensor2D;
  attentionMask?: tf.Tensor2D;
  draws: EmbeddingViewDraws;
  dispose(): void;
}

/**
 * Build the hook (and input overrides) for one encoder pass of `view`.
 * Draws from `ctx.rng`: shuffle → `tokenShufflePositions`; token/span cutoff → their mask
 * functions; feature cutoff → `featureCutoffMask`; dropout/noise → one `nextUint32()` seed;
 * adversarial → nothing.
 */
export function makeEmbeddingHook(
  view: EmbeddingView,
  ctx: EmbeddingHookContext,
): EmbeddingViewPass {
  const { attentionMask, batch, seqLength, hidden, rng } = ctx;
  checkMask(attentionMask, batch, seqLength);
  const owned: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    owned.push(t);
    return tf.keep(t);
  };
  const check = (e: tf.Tensor3D) => {
    const [b, l, h] = e.shape;
    if (b !== batch || l !== seqLength || h !== hidden) {
      throw new Error(
        `embedding hook for [${batch}, ${seqLength}, ${hidden}] got embeddings [${e.shape.join(', ')}]`,
      );
    }
  };
  const pass = (
    embeddingHook: (e: tf.Tensor3D) => tf.Tensor3D,
    draws: EmbeddingViewDraws,
    extra: Partial<Pick<EmbeddingViewPass, 'positionIds' | 'attentionMask'>> = {},
  ): EmbeddingViewPass => ({
    view,
    embeddingHook: (e) => {
      check(e);
      return embeddingHook(e);
    },
    draws,
    ...extra,
    dispose: () => {
      for (const t of owned.splice(0)) t.dispose();
    },
  });

  switch (view.kind) {
    case 'shuffle': {
      const positionIds = tokenShufflePositions(attentionMask, batch, seqLength, rng);
      // The embeddings are untouched; a clone (no copy of the data) so a caller may dispose
      // the hook's input and output independently.
      return pass(
        (e) => tf.clone(e),
        { positionIds },
        {
          positionIds: keep(tf.tensor2d(positionIds, [batch, seqLength], 'int32')),
        },
      );
    }
    case 'token-cutoff': {
      const tokenMask = tokenCutoffMask(attentionMask, batch, seqLength, view.rate, rng);
      const m = keep(tf.tensor2d(tokenMask, [batch, seqLength]));
      return pass((e) => applyTokenCutoff(e, m), { tokenMask });
    }
    case 'feature-cutoff': {
      const featureMask = featureCutoffMask(batch, hidden, view.rate, rng);
      const m = keep(tf.tensor2d(featureMask, [batch, hidden]));
      return pass((e) => applyFeatureCutoff(e, m), { featureMask });
    }
    case 'span-cutoff': {
      const spanMask = spanCutoffMask(attentionMask, batch, seqLength, view.rate, rng);
      const rows = keep(tf.tensor2d(Float32Array.from(spanMask), [batch, seqLength]));
      return pass(
        (e) => applyTokenCutoff(e, rows),
        { spanMask },
        {
          attentionMask: keep(tf.tensor2d(spanMask, [batch, seqLength], 'int32')),
        },
      );
    }
    case 'dropout': {
      checkRate('dropout', view.rate);
      const seed = rng.nextUint32();
      return pass((e) => embeddingDropout(e, view.rate, seed), { seed });
    }
    case 'noise': {
      const seed = rng.nextUint32();
      return pass((e) => gaussianNoise(e, view.sigma, seed), { seed });
    }
    case 'adversarial': {
      const g = ctx.gradient;
      if (!g) {
        throw new UserError(
          'The adversarial view needs the gradient of a supervised loss; choose an objective with labels (supervised SimCSE, SupCon, cross-entropy) or another view.',
        );
      }
      check(g);
      const delta = keep(fgvPerturbation(g, view.epsilon, view.norm ?? 'token'));
      return pass((e) => tf.add(e, delta) as tf.Tensor3D, {});
    }
  }
}
