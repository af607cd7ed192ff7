/**
 * GradCache (Gao et al., 2021): the exact gradient of a large in-batch-negative batch in the memory
 * of a small one.
 *
 *   1. Encode every chunk WITHOUT a tape, each with its own dropout seed  → reps_c   [n_c, D]
 *   2. loss = L(reps_1..reps_C) with the heads' variables; get dL/d reps_c and dL/d heads
 *   3. Re-encode each chunk WITH a tape and THE SAME dropout seed (identical masks), and take the
 *      gradient of  sum(reps_c ⊙ stopgrad(dL/d reps_c))  w.r.t. the encoder's variables; sum over c.
 *
 * Step 3's sum equals the full-batch gradient because the chunk encodings are independent given
 * the masks (chain rule). Plain gradient accumulation is not this: it would change the loss by
 * dropping the negatives that sit in other chunks.
 */
import * as tf from '../tf.ts';

export interface GradCacheParts {
  /** Number of chunks. */
  chunks: number;
  /** Encodes chunk c with dropout seed `seed` → [n_c, D]. Must be deterministic given the seed. */
  encode(chunk: number, seed: number): tf.Tensor2D;
  /** The full-batch loss from every chunk's representations (in chunk order). */
  loss(reps: tf.Tensor2D[]): tf.Scalar;
  /** Seed of chunk c. */
  seedOf(chunk: number): number;
  /** Variables of the encoder (reached through `encode`). */
  encoderVars: tf.Variable[];
  /** Variables used only by `loss` (heads applied on top of the representations). */
  headVars: tf.Variable[];
}

export interface GradResult {
  loss: tf.Scalar;
  grads: Map<string, tf.Tensor>;
  /**
   * ‖g‖₂ over every gradient, when whoever summed the gradients took it on the way (the replicas'
   * reduce-scatter, parallel/pool.ts); the update then reads only the loss.
   */
  gradNorm?: number;
}

let repCounter = 0;

export function gradCacheStep(p: GradCacheParts): GradResult {
  // 1. Representations without a tape.
  const reps: tf.Tensor2D[] = [];
  for (let c = 0; c < p.chunks; c++) reps.push(tf.tidy(() => p.encode(c, p.seedOf(c))));

  // 2. Loss and its gradient w.r.t. each chunk's representations (held as temporary variables).
  const repVars = reps.map((r) => tf.variable(r, true, `gradcache_rep_${repCounter++}`));
  for (const r of reps) r.dispose();
  const { value: loss, grads: g2 } = tf.variableGrads(
    () => p.loss(repVars as unknown as tf.Tensor2D[]),
    [...p.headVars, ...repVars],
  );
  const grads = new Map<string, tf.Tensor>();
  for (const v of p.headVars) {
    const g = g2[v.name];
    if (g) grads.set(v.name, g);
  }
  const repGrads = repVars.map((v) => g2[v.name] as tf.Tensor2D);
  for (const v of repVars) v.dispose();

  // 3. Replay each chunk with the same masks; accumulate sum(reps ⊙ cached grad) gradients.
  replayChunks(
    p,
    Array.from({ length: p.chunks }, (_, c) => c),
    repGrads,
    grads,
  );
  return { loss, grads };
}

/**
 * GradCache's third pass: re-encodes each chunk in `chunks` with its own dropout seed (the same
 * masks as the first pass) and adds the encoder gradients of sum(reps ⊙ cachedGrad) into `grads`.
 * `cachedGrads[i]` (d loss / d reps of chunk `chunks[i]`) is disposed.
 */
export function replayChunks(
  p: Pick<GradCacheParts, 'encode' | 'seedOf' | 'encoderVars'>,
  chunks: readonly number[],
  cachedGrads: readonly tf.Tensor2D[],
  grads: Map<string, tf.Tensor>,
): void {
  chunks.forEach((c, i) => {
    const cached = cachedGrads[i]!;
    const { value, grads: gc } = tf.variableGrads(
      () => tf.sum(tf.mul(p.encode(c, p.seedOf(c)), cached)) as tf.Scalar,
      p.encoderVars,
    );
    value.dispose();
    for (const [name, g] of Object.entries(gc)) {
      const prev = grads.get(name);
      if (prev) {
        grads.set(name, tf.add(prev, g));
        prev.dispose();
        g.dispose();
      } else {
        grads.set(name, g);
      }
    }
    cached.dispose();
  });
}

/** The reference: one tape over every chunk's encoding and the loss (the full-batch gradient). */
export function fullBatchStep(p: GradCacheParts): GradResult {
  const { value, grads } = tf.variableGrads(() => {
    const reps: tf.Tensor2D[] = [];
    for (let c = 0; c < p.chunks; c++) reps.push(p.encode(c, p.seedOf(c)));
    return p.loss(reps);
  }, [...p.encoderVars, ...p.headVars]);
  return { loss: value, grads: new Map(Object.entries(grads)) };
}
