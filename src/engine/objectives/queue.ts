import * as tf from '../tf.ts';
import { assertRank2, stopGradient } from './common.ts';

/**
 * Extra negatives from earlier batches (MoCo, He et al. 2020; ESimCSE, Wu et al. 2022):
 * a FIFO of sentence embeddings, usually produced by a momentum encoder, whose rows are used
 * as additional negative columns of the SimCSE logits (`simcseUnsup(z1, z2, { queue })`).
 *
 * Capacity is counted in ROWS (embeddings), like MoCo's K. ESimCSE sizes its queue as a
 * multiple of the batch size; `NegativeQueue.forBatch(batchSize, ratio)` does that. When a
 * batch does not fit, the oldest rows are evicted, also part of a batch if needed, so the
 * queue always holds the `capacity` most recent embeddings (oldest first).
 *
 * Memory: the queue owns one tensor. `enqueue` stores a detached copy (gradients never flow
 * into the queue and the caller may dispose its input), frees the previous tensor, and
 * survives any enclosing `tf.tidy`. `tensor()` returns the owned tensor: do not dispose it;
 * it stays valid until the next `enqueue`, `clear` or `dispose`.
 */
export class NegativeQueue {
  readonly capacity: number;
  private rows: tf.Tensor2D | null = null;

  /** @param capacity maximum number of embeddings (rows) held, an integer >= 1 */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`NegativeQueue capacity must be an integer >= 1, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** A queue of `round(ratio · batchSize)` rows (ESimCSE's queue size relative to the batch). */
  static forBatch(batchSize: number, ratio: number): NegativeQueue {
    return new NegativeQueue(Math.max(1, Math.round(batchSize * ratio)));
  }

  /** Number of embeddings currently held (0 … capacity). */
  get size(): number {
    return this.rows?.shape[0] ?? 0;
  }

  /**
   * Appends a detached copy of `z` [B, D] after the held rows and evicts the oldest rows
   * beyond `capacity` (the evicted storage is disposed).
   */
  enqueue(z: tf.Tensor2D): void {
    assertRank2(z, 'NegativeQueue.enqueue input');
    const held = this.rows;
    if (held != null && held.shape[1] !== z.shape[1]) {
      throw new Error(
        `NegativeQueue holds width ${held.shape[1]}, got a batch of width ${z.shape[1]}`,
      );
    }
    const next = tf.tidy(() => {
      const fresh = stopGradient(z); // [B, D] a copy, constant for tf.grads
      const all = held == null ? fresh : (tf.concat([held, fresh], 0) as tf.Tensor2D); // [M + B, D]
      const total = all.shape[0];
      if (total <= this.capacity) return all;
      return tf.slice(all, [total - this.capacity, 0], [this.capacity, -1]) as tf.Tensor2D; // [K, D]
    });
    tf.keep(next);
    held?.dispose();
    this.rows = next;
  }

  /** The held embeddings [size, D], oldest first, or null while empty. Owned by the queue. */
  tensor(): tf.Tensor2D | null {
    return this.rows;
  }

  /** Empties the queue and frees its tensor. */
  clear(): void {
    this.rows?.dispose();
    this.rows = null;
  }

  dispose(): void {
    this.clear();
  }
}

/**
 * MoCo's momentum (EMA) update of a key encoder from the query encoder, in place:
 * `θ_target ← m·θ_target + (1 − m)·θ_source` for every parameter name. `m = 0` copies the
 * source, `m = 1` leaves the target unchanged. Both maps must hold the same names and shapes.
 *
 * @param target the momentum (key) encoder's variables, updated in place
 * @param source the trained (query) encoder's variables, read only
 * @param m      momentum in [0, 1]
 */
export function momentumUpdate(
  target: Map<string, tf.Variable>,
  source: Map<string, tf.Variable>,
  m: number,
): void {
  if (!(m >= 0 && m <= 1)) throw new Error(`momentum m must be in [0, 1], got ${m}`);
  if (target.size !== source.size) {
    throw new Error(`momentumUpdate: target has ${target.size} parameters, source ${source.size}`);
  }
  for (const [name, t] of target) {
    const s = source.get(name);
    if (s == null) throw new Error(`momentumUpdate: source has no parameter "${name}"`);
    if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
      throw new Error(
        `momentumUpdate: "${name}" is [${t.shape.join(', ')}] in target, [${s.shape.join(', ')}] in source`,
      );
    }
  }
  if (m === 1) return;
  tf.tidy(() => {
    for (const [name, t] of target) {
      const s = source.get(name)!;
      t.assign(m === 0 ? tf.clone(s) : tf.add(tf.mul(t, m), tf.mul(s, 1 - m)));
    }
  });
}
