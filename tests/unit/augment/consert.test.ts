import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyFeatureCutoff,
  applyTokenCutoff,
  embeddingDropout,
  featureCutoffMask,
  fgvPerturbation,
  gaussianNoise,
  makeEmbeddingHook,
  spanCutoffMask,
  tokenCutoffMask,
  tokenShufflePositions,
} from '../../../src/engine/augment/consert.ts';
import type { EmbeddingView } from '../../../src/engine/augment/types.ts';
import { isUserError } from '../../../src/engine/errors.ts';
import { Rng } from '../../../src/engine/rng.ts';
import * as tf from '../../../src/engine/tf.ts';

// A right-padded batch (as the tokenizer pads) of lengths 7, 3, 10 and 1, L = 10.
const B = 4;
const L = 10;
const H = 32;
const LENGTHS = [7, 3, 10, 1];
const MASK = Int32Array.from({ length: B * L }, (_, i) =>
  i % L < LENGTHS[Math.floor(i / L)]! ? 1 : 0,
);

/** A fixed [B, L, H] tensor with no zeros, value (b, l, h) ↦ 1 + b + l/10 + h/1000. */
function embeddings(): tf.Tensor3D {
  const v = new Float32Array(B * L * H);
  for (let b = 0; b < B; b++)
    for (let l = 0; l < L; l++)
      for (let h = 0; h < H; h++) v[(b * L + l) * H + h] = 1 + b + l / 10 + h / 1000;
  return tf.tensor3d(v, [B, L, H]);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('token shuffle (position ids)', () => {
  it('is, per row, the documented Fisher–Yates draw over the real positions; pads keep their id', () => {
    const ids = tokenShufflePositions(MASK, B, L, new Rng(11));
    // The same draws, made here from the doc: one Rng.shuffle of [0 … len-1] per row, in order.
    const rng = new Rng(11);
    for (let b = 0; b < B; b++) {
      const real = Array.from({ length: LENGTHS[b]! }, (_, i) => i);
      const expected = rng.shuffle(real.slice());
      const row = Array.from(ids.slice(b * L, (b + 1) * L));
      expect(row.slice(0, LENGTHS[b])).toEqual(expected);
      expect(row.slice(LENGTHS[b])).toEqual(
        Array.from({ length: L - LENGTHS[b]! }, (_, i) => LENGTHS[b]! + i),
      );
    }
  });

  it('is a permutation of the real positions only ([CLS]/[SEP] included, as ConSERT), over many seeds', () => {
    let clsMoved = 0;
    for (let seed = 0; seed < 200; seed++) {
      const ids = tokenShufflePositions(MASK, B, L, new Rng(seed));
      for (let b = 0; b < B; b++) {
        const row = Array.from(ids.slice(b * L, (b + 1) * L));
        const n = LENGTHS[b]!;
        expect(row.slice(0, n).sort((x, y) => x - y)).toEqual(
          Array.from({ length: n }, (_, i) => i),
        );
        for (let l = n; l < L; l++) expect(row[l]).toBe(l);
      }
      if (ids[0] !== 0) clsMoved++;
    }
    expect(clsMoved).toBeGreaterThan(150); // P(moved) = 6/7 for the 7-token row
  });

  it('works with left padding too (permutes wherever the mask is 1)', () => {
    const mask = Int32Array.from([0, 0, 1, 1, 1]);
    for (let seed = 0; seed < 20; seed++) {
      const ids = Array.from(tokenShufflePositions(mask, 1, 5, new Rng(seed)));
      expect(ids.slice(0, 2)).toEqual([0, 1]);
      expect(ids.slice(2).sort()).toEqual([2, 3, 4]);
    }
  });
});

describe('cutoff masks', () => {
  it('token cutoff: the documented draws, ⌊len·rate⌋ real tokens per row, pads untouched', () => {
    const rate = 0.3;
    const mask = tokenCutoffMask(MASK, B, L, rate, new Rng(5));
    const rng = new Rng(5);
    for (let b = 0; b < B; b++) {
      const n = LENGTHS[b]!;
      const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
      const cut = new Set(order.slice(0, Math.floor(n * rate)));
      for (let l = 0; l < L; l++) expect(mask[b * L + l]).toBe(cut.has(l) ? 0 : 1);
    }
    // ⌊7·0.3⌋ = 2, ⌊3·0.3⌋ = 0, ⌊10·0.3⌋ = 3, ⌊1·0.3⌋ = 0 (ConSERT's int(num_tokens * rate)).
    const zeros = [0, 1, 2, 3].map(
      (b) => mask.slice(b * L, (b + 1) * L).filter((m) => m === 0).length,
    );
    expect(zeros).toEqual([2, 0, 3, 0]);
  });

  it('feature cutoff: ⌊H·rate⌋ columns per example, drawn per example', () => {
    const mask = featureCutoffMask(B, H, 0.2, new Rng(9));
    const rng = new Rng(9);
    const rows: string[] = [];
    for (let b = 0; b < B; b++) {
      const order = rng.shuffle(Array.from({ length: H }, (_, h) => h));
      const cut = new Set(order.slice(0, Math.floor(H * 0.2)));
      const row = Array.from(mask.slice(b * H, (b + 1) * H));
      expect(row).toEqual(row.map((_, h) => (cut.has(h) ? 0 : 1)));
      expect(row.filter((m) => m === 0)).toHaveLength(6); // ⌊32·0.2⌋
      rows.push(row.join(''));
    }
    expect(new Set(rows).size).toBeGreaterThan(1);
  });

  it('span cutoff: keeps one contiguous span of max(1, ⌊len·(1-rate)⌋) real tokens', () => {
    const rate = 0.25;
    const span = spanCutoffMask(MASK, B, L, rate, new Rng(3));
    const rng = new Rng(3);
    for (let b = 0; b < B; b++) {
      const n = LENGTHS[b]!;
      const keep = Math.max(1, Math.floor(n * (1 - rate)));
      const start = rng.int(n - keep + 1);
      const row = Array.from(span.slice(b * L, (b + 1) * L));
      expect(row).toEqual(row.map((_, l) => (l >= start && l < start + keep ? 1 : 0)));
    }
    for (let seed = 0; seed < 100; seed++) {
      const s = spanCutoffMask(MASK, B, L, 0.5, new Rng(seed));
      const row = Array.from(s.slice(0, L)).join('');
      expect(row).toMatch(/^0*1{3}0*$/); // ⌊7·0.5⌋ = 3 contiguous ones, inside the 7 real tokens
      expect(row.slice(7)).toBe('000');
    }
  });

  it('rejects rates outside [0, 1) as a UserError naming the view', () => {
    try {
      tokenCutoffMask(MASK, B, L, 1, new Rng(0));
      throw new Error('no error');
    } catch (e) {
      expect(isUserError(e)).toBe(true);
      expect((e as Error).message).toMatch(/token cutoff rate must be in \[0, 1\)/);
    }
    expect(() => featureCutoffMask(B, H, -0.1, new Rng(0))).toThrow(/feature cutoff/);
  });
});

describe('applying the views to a tensor', () => {
  it('token cutoff zeroes exactly the masked rows, and the gradient is the mask', () => {
    const x = embeddings();
    const mask = tokenCutoffMask(MASK, B, L, 0.3, new Rng(1));
    const y = applyTokenCutoff(x, mask);
    const xv = x.arraySync();
    const yv = y.arraySync();
    for (let b = 0; b < B; b++)
      for (let l = 0; l < L; l++)
        for (let h = 0; h < H; h++) {
          expect(yv[b]![l]![h]).toBe(mask[b * L + l] === 0 ? 0 : xv[b]![l]![h]);
        }
    const g = tf.grad((t: tf.Tensor) => tf.sum(applyTokenCutoff(t as tf.Tensor3D, mask)))(x);
    const gv = g.arraySync() as number[][][];
    for (let b = 0; b < B; b++)
      for (let l = 0; l < L; l++) expect(gv[b]![l]![0]).toBe(mask[b * L + l]);
    tf.dispose([x, y, g]);
  });

  it('feature cutoff zeroes exactly the masked columns of every token of the example', () => {
    const x = embeddings();
    const mask = featureCutoffMask(B, H, 0.2, new Rng(2));
    const yv = applyFeatureCutoff(x, mask).arraySync();
    const xv = x.arraySync();
    for (let b = 0; b < B; b++)
      for (let l = 0; l < L; l++)
        for (let h = 0; h < H; h++) {
          expect(yv[b]![l]![h]).toBe(mask[b * H + h] === 0 ? 0 : xv[b]![l]![h]);
        }
    x.dispose();
  });

  it('embedding dropout: seeded, zeroes ≈ rate of the values, no rescaling', () => {
    const x = tf.ones([8, 16, 64]) as tf.Tensor3D;
    const a = embeddingDropout(x, 0.2, 1234);
    const b = embeddingDropout(x, 0.2, 1234);
    const c = embeddingDropout(x, 0.2, 4321);
    const av = a.dataSync();
    expect(Array.from(b.dataSync())).toEqual(Array.from(av));
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(av));
    const zeros = av.filter((v) => v === 0).length / av.length;
    expect(Math.abs(zeros - 0.2)).toBeLessThan(0.02); // 8192 values: σ ≈ 0.0044
    expect(av.every((v) => v === 0 || v === 1)).toBe(true);
    tf.dispose([x, a, b, c]);
  });

  it('Gaussian noise: seeded, mean 0 and standard deviation σ', () => {
    const x = tf.zeros([8, 16, 64]) as tf.Tensor3D;
    const a = gaussianNoise(x, 0.5, 7);
    const v = Array.from(a.dataSync());
    const again = gaussianNoise(x, 0.5, 7);
    expect(Array.from(again.dataSync())).toEqual(v);
    again.dispose();
    const mean = v.reduce((s, t) => s + t, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, t) => s + (t - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.03);
    tf.dispose([x, a]);
  });

  it('FGV: ‖perturbation‖ = ε per token (ConSERT) or per example; zero gradient stays zero', () => {
    const g = tf.tidy(() =>
      tf.mul(tf.randomNormal([B, L, H], 0, 3, 'float32', 5), tf.tensor3d(MASK, [B, L, 1])),
    ) as tf.Tensor3D;
    const eps = 0.7;
    const perToken = fgvPerturbation(g, eps);
    const tokenNorms = tf
      .tidy(() => tf.sqrt(tf.sum(tf.square(perToken), 2)))
      .arraySync() as number[][];
    for (let b = 0; b < B; b++)
      for (let l = 0; l < L; l++) {
        expect(tokenNorms[b]![l]).toBeCloseTo(MASK[b * L + l] ? eps : 0, 5);
      }
    const perExample = fgvPerturbation(g, eps, 'example');
    const exampleNorms = tf
      .tidy(() => tf.sqrt(tf.sum(tf.square(perExample), [1, 2])))
      .arraySync() as number[];
    for (const n of exampleNorms) expect(n).toBeCloseTo(eps, 5);
    // Direction is the gradient's: cosine 1 per example.
    const cos = tf
      .tidy(() =>
        tf.div(
          tf.sum(tf.mul(perExample, g), [1, 2]),
          tf.mul(tf.norm(perExample.reshape([B, -1]), 2, 1), tf.norm(g.reshape([B, -1]), 2, 1)),
        ),
      )
      .arraySync() as number[];
    for (const c of cos) expect(c).toBeCloseTo(1, 5);
    tf.dispose([g, perToken, perExample]);
  });
});

describe('makeEmbeddingHook', () => {
  const ctx = (seed: number, gradient?: tf.Tensor3D) => ({
    attentionMask: MASK,
    batch: B,
    seqLength: L,
    hidden: H,
    rng: new Rng(seed),
    ...(gradient ? { gradient } : {}),
  });

  it('each view draws what its mask function draws, and replays the same masks', () => {
    const tok = makeEmbeddingHook({ kind: 'token-cutoff', rate: 0.3 }, ctx(21));
    expect(Array.from(tok.draws.tokenMask!)).toEqual(
      Array.from(tokenCutoffMask(MASK, B, L, 0.3, new Rng(21))),
    );
    const x = embeddings();
    const y1 = tok.embeddingHook(x);
    const y2 = tok.embeddingHook(x);
    const expected = applyTokenCutoff(x, tokenCutoffMask(MASK, B, L, 0.3, new Rng(21)));
    expect(Array.from(y1.dataSync())).toEqual(Array.from(expected.dataSync()));
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y1.dataSync()));
    tok.dispose();

    const shuffle = makeEmbeddingHook({ kind: 'shuffle' }, ctx(4));
    expect(shuffle.positionIds!.shape).toEqual([B, L]);
    expect(shuffle.positionIds!.dtype).toBe('int32');
    expect(Array.from(shuffle.positionIds!.dataSync())).toEqual(
      Array.from(tokenShufflePositions(MASK, B, L, new Rng(4))),
    );
    shuffle.dispose();

    const span = makeEmbeddingHook({ kind: 'span-cutoff', rate: 0.5 }, ctx(8));
    const spanMask = spanCutoffMask(MASK, B, L, 0.5, new Rng(8));
    expect(Array.from(span.attentionMask!.dataSync())).toEqual(Array.from(spanMask));
    const ys = span.embeddingHook(x).arraySync();
    for (let b = 0; b < B; b++)
      for (let l = 0; l < L; l++) expect(ys[b]![l]![0] === 0).toBe(spanMask[b * L + l] === 0);
    span.dispose();

    const drop = makeEmbeddingHook({ kind: 'dropout', rate: 0.2 }, ctx(6));
    expect(drop.draws.seed).toBe(new Rng(6).nextUint32());
    const d1 = drop.embeddingHook(x);
    const d2 = drop.embeddingHook(x);
    expect(Array.from(d2.dataSync())).toEqual(Array.from(d1.dataSync()));
    drop.dispose();
    tf.dispose([x, y1, y2, expected, d1, d2]);
  });

  it('adversarial adds ε·g/‖g‖ and needs the gradient (UserError otherwise)', () => {
    const x = embeddings();
    const g = tf.randomNormal([B, L, H], 0, 1, 'float32', 3) as tf.Tensor3D;
    const pass = makeEmbeddingHook({ kind: 'adversarial', epsilon: 0.5 }, ctx(0, g));
    const y = pass.embeddingHook(x);
    const delta = tf.sub(y, x);
    const expected = fgvPerturbation(g, 0.5);
    const dv = delta.dataSync();
    const ev = expected.dataSync();
    for (let i = 0; i < dv.length; i++) expect(dv[i]).toBeCloseTo(ev[i]!, 5);
    pass.dispose();
    tf.dispose([x, g, y, delta, expected]);
    try {
      makeEmbeddingHook({ kind: 'adversarial', epsilon: 1 }, ctx(0));
      throw new Error('no error');
    } catch (e) {
      expect(isUserError(e)).toBe(true);
      expect((e as Error).message).toMatch(/needs the gradient of a supervised loss/);
    }
  });

  it('rejects embeddings of the wrong shape', () => {
    const pass = makeEmbeddingHook({ kind: 'noise', sigma: 0.1 }, ctx(0));
    const wrong = tf.zeros([B, L, H + 1]) as tf.Tensor3D;
    expect(() => pass.embeddingHook(wrong)).toThrow(/got embeddings \[4, 10, 33\]/);
    pass.dispose();
    wrong.dispose();
  });

  it('leaves no tensors behind: every view, inside and outside tf.tidy, with gradients', () => {
    const views: EmbeddingView[] = [
      { kind: 'shuffle' },
      { kind: 'token-cutoff', rate: 0.15 },
      { kind: 'feature-cutoff', rate: 0.2 },
      { kind: 'span-cutoff', rate: 0.2 },
      { kind: 'dropout', rate: 0.2 },
      { kind: 'noise', sigma: 0.1 },
      { kind: 'adversarial', epsilon: 1 },
    ];
    const x = embeddings();
    const g = tf.randomNormal([B, L, H], 0, 1, 'float32', 3) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    for (const view of views) {
      const pass = makeEmbeddingHook(view, ctx(1, g));
      tf.tidy(() => {
        pass.embeddingHook(x);
        const grad = tf.grad((t: tf.Tensor) => tf.sum(pass.embeddingHook(t as tf.Tensor3D)))(x);
        expect(grad.shape).toEqual([B, L, H]);
      });
      const y = pass.embeddingHook(x);
      y.dispose();
      pass.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([x, g]);
  });
});
