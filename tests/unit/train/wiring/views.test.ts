/**
 * The configured views reach the encoder during a real training step (trainer.trainStep on the cpu
 * backend, tiny-bert, the 8 sentences of tests/fixtures/wiring as one batch). The probe
 * (src/engine/model/probe.ts) shows what the encoder received; the expectation is computed here,
 * independently of the trainer, from the augment module's seeded functions and the trainer's
 * documented seed streams:
 *   step seed s = the first draw of Rng(config.seed)                      (Trainer.nextBatch)
 *   text views  Rng(mixSeed(s, 1)), view 1 of every row then view 2      (Trainer.nextBatch)
 *   chunk c's dropout seed d_c = mixSeed(s, 3, c)                        (computeGradients)
 *   segment i's view draws Rng(mixSeed(d_c, 0x5eed, i))                  (encodeRows buildPasses)
 * With dropout off and the view on view 2 only, view 1's rows are the clean embeddings of the
 * same sentences, so each check is exact (bitwise): cut rows / columns are 0, the rest equal the
 * clean values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  featureCutoffMask,
  spanCutoffMask,
  tokenCutoffMask,
  tokenShufflePositions,
} from '../../../../src/engine/augment/consert.ts';
import { eda } from '../../../../src/engine/augment/eda.ts';
import { parseSynonymList } from '../../../../src/engine/augment/synonyms.ts';
import { mergeConfig } from '../../../../src/engine/config/presets.ts';
import type { ExperimentInput } from '../../../../src/engine/config/schema.ts';
import { mixSeed, Rng } from '../../../../src/engine/rng.ts';
import { type ProbeRecord, recorder, WIRING, wiringTrainer } from './host.ts';

const SENTENCES = readFileSync(join(WIRING, 'sentences.txt'), 'utf8').trim().split('\n');
const B = SENTENCES.length; // 8: the whole file is the batch (shuffle off)
const H = 32;

const BASE: ExperimentInput = {
  seed: 7,
  backend: 'cpu',
  encoder: {
    source: 'tests/fixtures/model/tiny-bert',
    pooling: 'cls',
    mlpHead: 'none',
    maxLength: 16,
  },
  data: { train: { source: 'tests/fixtures/wiring/sentences.txt', kind: 'sentences' } },
  augment: { dropout: false },
  objective: { kind: 'simcse-unsup' },
  optimizer: { kind: 'sgd', lr: 0.1 },
  batchSize: B,
  maxSteps: 1,
  shuffle: false,
  evalEvery: 1000,
  checkpointEvery: 1000,
};

const stepSeed = (seed: number) => new Rng(seed).nextUint32();
const viewRng = (seed: number, chunk: number, segment: number) =>
  new Rng(mixSeed(mixSeed(stepSeed(seed), 3, chunk), 0x5eed, segment));

/** One training step; the probe's records of the encoder's inputs and embeddings. */
async function step(config: ExperimentInput) {
  const rec = recorder((n) => n.startsWith('encoder.'));
  const { trainer } = await wiringTrainer(config, { probe: rec.probe });
  expect(await trainer.trainStep()).toBe(true);
  return { rec, trainer };
}

/** Rows [from, from + n) of a [rows, L(, H)] record. */
function rows(r: ProbeRecord, from: number, n: number) {
  const per = r.shape.slice(1).reduce((a, b) => a * b, 1);
  return r.data.subarray(from * per, (from + n) * per);
}

/**
 * The first value of `got` that differs from `want(k)` (=== comparison, so −0 equals 0), or null.
 * `where(k)` names it in the failure message.
 */
function firstMismatch(
  got: ArrayLike<number>,
  want: (k: number) => number,
  where: (k: number) => string,
): string | null {
  for (let k = 0; k < got.length; k++) {
    if (got[k] !== want(k)) return `${where(k)}: got ${got[k]}, expected ${want(k)}`;
  }
  return null;
}

/** "row b token l value h" of index k in [rows, L, H]. */
const at = (L: number) => (k: number) =>
  `row ${Math.floor(k / (L * H))} token ${Math.floor(k / H) % L} value ${k % H}`;

describe('ConSERT views reach the encoder in a training step', () => {
  it('token cutoff: the embedding rows are zero exactly where the seeded mask says', async () => {
    const rate = 0.3;
    const { rec, trainer } = await step(
      mergeConfig(BASE, {
        augment: { embedding: { view1: null, view2: { kind: 'token-cutoff', rate } } },
      }),
    );
    const [emb] = rec.named('encoder.embeddings');
    const [mask] = rec.named('encoder.attentionMask');
    expect(rec.named('encoder.embeddings')).toHaveLength(1); // one forward: view 1 rows, then view 2
    const L = emb!.shape[1]!;
    const want = tokenCutoffMask(Int32Array.from(rows(mask!, B, B)), B, L, rate, viewRng(7, 0, 1));
    const clean = rows(emb!, 0, B);
    const cut = rows(emb!, B, B);
    expect(
      firstMismatch(cut, (k) => (want[Math.floor(k / H)] === 0 ? 0 : clean[k]!), at(L)),
    ).toBeNull();
    // ⌊len·0.3⌋ tokens of each row: 2–3 per sentence here.
    expect(want.filter((v) => v === 0).length).toBeGreaterThanOrEqual(2 * B);
    expect(clean.every((v) => v !== 0)).toBe(true);
    trainer.dispose();
  });

  it('feature cutoff: the embedding columns are zero exactly where the seeded mask says', async () => {
    const rate = 0.25;
    const { rec, trainer } = await step(
      mergeConfig(BASE, {
        augment: { embedding: { view1: null, view2: { kind: 'feature-cutoff', rate } } },
      }),
    );
    const [emb] = rec.named('encoder.embeddings');
    const L = emb!.shape[1]!;
    const want = featureCutoffMask(B, H, rate, viewRng(7, 0, 1)); // [B, H]
    const clean = rows(emb!, 0, B);
    const cut = rows(emb!, B, B);
    const column = (k: number) => Math.floor(k / (L * H)) * H + (k % H); // [b, h] of value k
    expect(firstMismatch(cut, (k) => (want[column(k)] === 0 ? 0 : clean[k]!), at(L))).toBeNull();
    expect(want.filter((v) => v === 0)).toHaveLength(B * Math.floor(H * rate));
    trainer.dispose();
  });

  it('span cutoff: only the seeded span stays, in the attention mask and the embeddings', async () => {
    const rate = 0.3;
    const { rec, trainer } = await step(
      mergeConfig(BASE, {
        augment: { embedding: { view1: null, view2: { kind: 'span-cutoff', rate } } },
      }),
    );
    const [emb] = rec.named('encoder.embeddings');
    const [mask] = rec.named('encoder.attentionMask');
    const L = emb!.shape[1]!;
    // The tokeniser's mask of view 1's rows is the original; view 2's is the span.
    const original = Int32Array.from(rows(mask!, 0, B));
    const want = spanCutoffMask(original, B, L, rate, viewRng(7, 0, 1));
    expect(Array.from(rows(mask!, B, B))).toEqual(Array.from(want));
    expect(want.reduce((a, v) => a + v, 0)).toBeLessThan(original.reduce((a, v) => a + v, 0));
    const clean = rows(emb!, 0, B);
    const cut = rows(emb!, B, B);
    expect(
      firstMismatch(cut, (k) => (want[Math.floor(k / H)] === 0 ? 0 : clean[k]!), at(L)),
    ).toBeNull();
    trainer.dispose();
  });

  it('shuffle: the position ids are the seeded permutation, and the embeddings use them', async () => {
    const { rec, trainer } = await step(
      mergeConfig(BASE, { augment: { embedding: { view1: null, view2: { kind: 'shuffle' } } } }),
    );
    const [emb] = rec.named('encoder.embeddings');
    const [mask] = rec.named('encoder.attentionMask');
    const [pos] = rec.named('encoder.positionIds');
    const L = emb!.shape[1]!;
    const want = tokenShufflePositions(Int32Array.from(rows(mask!, B, B)), B, L, viewRng(7, 0, 1));
    const identity = Array.from({ length: B * L }, (_, i) => i % L);
    expect(Array.from(rows(pos!, 0, B))).toEqual(identity); // view 1: positions unchanged
    expect(Array.from(rows(pos!, B, B))).toEqual(Array.from(want));
    // LayerNorm(word + position[id] + type): a token keeps its clean embedding iff its id stayed.
    const clean = rows(emb!, 0, B);
    const moved = rows(emb!, B, B);
    let changed = 0;
    for (let i = 0; i < B * L; i++) {
      const same = clean.subarray(i * H, (i + 1) * H).every((v, h) => v === moved[i * H + h]);
      expect(same, `row ${Math.floor(i / L)} token ${i % L}`).toBe(want[i] === i % L);
      if (!same) changed++;
    }
    expect(changed).toBeGreaterThan(B * 3);
    trainer.dispose();
  });

  it('with GradCache and dropout on, each chunk gets its seeded cutoff, and the replay the same', async () => {
    const rate = 0.3;
    const chunk = 4;
    const { rec, trainer } = await step(
      mergeConfig(BASE, {
        augment: { dropout: true, embedding: { kind: 'token-cutoff', rate } },
        encoder: { hiddenDropout: 0.1, attentionDropout: 0.1 },
        gradCache: { chunkSize: chunk },
      }),
    );
    const embs = rec.named('encoder.embeddings');
    const masks = rec.named('encoder.attentionMask');
    // Chunks 0 and 1 without a tape, then both replayed with the tape.
    expect(embs).toHaveLength(4);
    embs.forEach((emb, call) => {
      const c = call % 2;
      const L = emb.shape[1]!;
      for (const seg of [0, 1]) {
        const want = tokenCutoffMask(
          Int32Array.from(rows(masks[call]!, seg * chunk, chunk)),
          chunk,
          L,
          rate,
          viewRng(7, c, seg),
        );
        const got = rows(emb, seg * chunk, chunk);
        for (let i = 0; i < chunk * L; i++) {
          const zero = got.subarray(i * H, (i + 1) * H).every((v) => v === 0);
          expect(zero, `chunk ${c} segment ${seg} token ${i}`).toBe(want[i] === 0);
        }
      }
    });
    expect(Array.from(embs[2]!.data)).toEqual(Array.from(embs[0]!.data));
    expect(Array.from(embs[3]!.data)).toEqual(Array.from(embs[1]!.data));
    trainer.dispose();
  });
});

describe('EDA text views reach the encoder in a training step', () => {
  it("the token ids encoded are those of the augment module's seeded edits", async () => {
    const options = {
      synonymReplacement: 0.3,
      randomInsertion: 0.2,
      randomSwap: 0.2,
      randomDeletion: 0.2,
      combine: 'one' as const,
    };
    const { rec, trainer } = await step(
      mergeConfig(BASE, {
        augment: { eda: { ...options, synonyms: 'tests/fixtures/wiring/synonyms.txt' } },
      }),
    );
    const synonyms = parseSynonymList(
      readFileSync(join(WIRING, 'synonyms.txt'), 'utf8'),
      'synonyms.txt',
    );
    const rng = new Rng(mixSeed(stepSeed(7), 1));
    const view1 = SENTENCES.map((s) => eda(s, options, rng, synonyms).text);
    const view2 = SENTENCES.map((s) => eda(s, options, rng, synonyms).text);
    // The edits do something, and the two views differ: ignoring EDA would fail below.
    expect(view1.filter((t, i) => t !== SENTENCES[i]).length).toBeGreaterThanOrEqual(6);
    expect(view2.filter((t, i) => t !== view1[i]).length).toBeGreaterThanOrEqual(6);
    const [ids] = rec.named('encoder.inputIds');
    const [mask] = rec.named('encoder.attentionMask');
    const L = ids!.shape[1]!;
    [...view1, ...view2].forEach((text, r) => {
      const want = trainer.bundle.tokenizer.encode(text, undefined, 16).ids;
      const row = Array.from(rows(ids!, r, 1)).filter((_, l) => mask!.data[r * L + l] === 1);
      expect(row, `row ${r}: "${text}"`).toEqual(want);
    });
    trainer.dispose();
  });
});
