/**
 * Evaluation every `evalEvery` steps: STS Spearman/Pearson (cosine, ×100, no regressor), accuracy
 * and macro-F1 for classifiers, alignment and uniformity (SimCSE's protocol on an STS set, else two
 * dropout views of held-out sentences), the cosine matrix of a small batch, and a 2-D PCA sample;
 * on request, word-overlap baselines on the same STS pairs (metrics/lexical.ts).
 */
import type { ExperimentConfig } from '../config/schema.ts';
import type { Dataset, Example } from '../data/index.ts';
import {
  accuracy,
  alignmentUniformityFromSts,
  alignmentUniformityFromViews,
  cosineMatrix,
  lexicalBaselines,
  macroF1,
  pearson,
  spearman,
} from '../metrics/index.ts';
import * as tf from '../tf.ts';
import { encodeTokenised, representation, tokeniseSegments } from './encodeRows.ts';
import type { EncoderBundle } from './encoderSetup.ts';
import type { EvalEvent, ProjectionPoint } from './events.ts';
import { pca2 } from './pca.ts';
import { yieldToEventLoop } from './yield.ts';

const EVAL_BATCH = 64;
const HEATMAP_ROWS = 16;
const PROJECTION_POINTS = 200;

export interface EvalInputs {
  bundle: EncoderBundle;
  config: ExperimentConfig;
  evalSet: Dataset | null;
  /** Sentences held out of training (used when there is no STS set). */
  heldOut: string[];
  step: number;
  /** Whether the objective trains with SimCSE's MLP (then `always` keeps it at test time). */
  contrastive: boolean;
  /** On an STS set, also the bag-of-words / TF-IDF baselines (the trainer asks at step 0). */
  baselines?: boolean;
}

/**
 * Embeds texts in batches of 64 with the test-time representation → [n, D]; eval mode unless
 * `dropoutSeed` is given (then a training-mode dropout view). The caller disposes the result.
 */
export async function embedTexts(
  inp: Pick<EvalInputs, 'bundle' | 'config' | 'contrastive'>,
  texts: string[],
  pairs?: string[],
  dropoutSeed?: number,
): Promise<tf.Tensor2D> {
  const parts: tf.Tensor2D[] = [];
  const rep = representation(inp.config, 'eval', inp.contrastive);
  for (let i = 0; i < texts.length; i += EVAL_BATCH) {
    const seg = {
      texts: texts.slice(i, i + EVAL_BATCH),
      view: 0 as const,
      ...(pairs ? { pairs: pairs.slice(i, i + EVAL_BATCH) } : {}),
    };
    const tok = tokeniseSegments(inp.bundle, [seg], inp.config.encoder.maxLength);
    parts.push(
      tf.tidy(() =>
        encodeTokenised(inp.bundle, inp.config, tok, {
          training: dropoutSeed !== undefined,
          dropoutSeed: (dropoutSeed ?? 0) + i,
          ...rep,
          views: [null, null],
        }),
      ),
    );
    await yieldToEventLoop();
  }
  const all = tf.concat(parts, 0) as tf.Tensor2D;
  for (const p of parts) p.dispose();
  return all;
}

/** Rows scaled to unit L2 norm. [N, D] → [N, D] */
function unit(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;
}

async function projection(
  emb: tf.Tensor2D,
  texts: string[],
  groups: string[],
): Promise<ProjectionPoint[]> {
  const n = Math.min(PROJECTION_POINTS, texts.length);
  const head = emb.slice([0, 0], [n, -1]);
  const data = (await head.data()) as Float32Array;
  head.dispose();
  const d = emb.shape[1];
  const rows = Array.from({ length: n }, (_, i) => data.subarray(i * d, (i + 1) * d));
  return pca2(rows).map(([x, y], i) => ({ x, y, text: texts[i]!, group: groups[i]! }));
}

export async function evaluate(inp: EvalInputs): Promise<EvalEvent> {
  const ev: EvalEvent = { type: 'eval', step: inp.step };
  const set = inp.evalSet;
  if (set && set.kind === 'sts') {
    const ex = set.examples;
    const s1 = ex.map((e) => e.text);
    const s2 = ex.map((e) => e.text2 ?? '');
    const gold = ex.map((e) => e.rawScore ?? e.score ?? 0);
    const range = set.scoreRange ?? [0, 5];
    const similar = range[0] + 0.8 * (range[1] - range[0]);
    const related = range[0] + 0.4 * (range[1] - range[0]);
    const e1 = await embedTexts(inp, s1);
    const e2 = await embedTexts(inp, s2);
    const cos = tf.tidy(() => tf.sum(tf.mul(unit(e1), unit(e2)), 1)); // [N] cosine per pair
    const sims = Array.from(await cos.data());
    cos.dispose();
    ev.spearman = spearman(sims, gold) * 100;
    ev.pearson = pearson(sims, gold) * 100;
    if (inp.baselines) ev.baselines = lexicalBaselines(s1, s2, gold);
    const au = await alignmentUniformityFromSts(e1, e2, gold, {
      positiveThreshold: 4,
      scoreRange: range,
    });
    Object.assign(ev, {
      alignment: au.alignment,
      uniformity: au.uniformity,
      protocol: au.protocol,
    });
    ev.projection = await projection(
      e1,
      s1,
      gold.map((g) =>
        g > similar ? 'similar (gold > 4 of 5)' : g >= related ? 'related' : 'unrelated',
      ),
    );
    e1.dispose();
    e2.dispose();
  } else if (
    set &&
    inp.bundle.classifier &&
    (set.kind === 'labeled' || set.kind === 'labeled-pairs')
  ) {
    const ex: Example[] = set.examples;
    const h = await embedTexts(
      inp,
      ex.map((e) => e.text),
      set.kind === 'labeled-pairs' ? ex.map((e) => e.text2 ?? '') : undefined,
    );
    const logits = tf.tidy(() =>
      inp.bundle.classifier!.forward(h, { training: false, dropoutSeed: 0 }),
    );
    const pred = Array.from(await tf.argMax(logits, 1).data());
    logits.dispose();
    const gold = ex.map((e) => e.label ?? 0);
    ev.accuracy = accuracy(pred, gold) * 100;
    ev.macroF1 = macroF1(pred, gold) * 100;
    ev.projection = await projection(
      h,
      ex.map((e) => (e.text2 ? `${e.text} ‖ ${e.text2}` : e.text)),
      gold.map((g) => set.labelNames?.[g] ?? String(g)),
    );
    h.dispose();
  }
  // Without an STS set: alignment / uniformity on two dropout views of held-out sentences.
  if (ev.alignment === undefined && inp.heldOut.length >= 2) {
    const v1 = await embedTexts(inp, inp.heldOut, undefined, 1_000_003 + inp.step);
    const v2 = await embedTexts(inp, inp.heldOut, undefined, 2_000_003 + inp.step);
    const au = await alignmentUniformityFromViews(v1, v2);
    Object.assign(ev, {
      alignment: au.alignment,
      uniformity: au.uniformity,
      protocol: au.protocol,
    });
    if (!ev.projection)
      ev.projection = await projection(
        v1,
        inp.heldOut,
        inp.heldOut.map(() => 'held-out'),
      );
    v1.dispose();
    v2.dispose();
  }
  // The batch cosine matrix: two dropout views of the first sentences (positives on the diagonal).
  const heat = (set?.examples.map((e) => e.text) ?? inp.heldOut).slice(0, HEATMAP_ROWS);
  if (heat.length >= 2) {
    const a = await embedTexts(inp, heat, undefined, 3_000_017 + inp.step);
    const b = await embedTexts(inp, heat, undefined, 4_000_037 + inp.step);
    ev.cosine = await cosineMatrix(a, b);
    a.dispose();
    b.dispose();
  }
  return ev;
}
