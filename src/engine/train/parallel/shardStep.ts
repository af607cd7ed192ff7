/**
 * One replica's share of a data-parallel step: GradCache's split (gradCache.ts) with the chunks
 * spread over replicas. The loss needs every chunk's representations; each replica encodes its
 * own chunks, `gather` exchanges them, every replica computes the same whole-batch loss, and each
 * back-propagates only through its own rows. Summed over replicas, the gradients are the
 * whole-batch gradient (chain rule; the encodings of different chunks are independent given the
 * masks). The heads' gradient (variables the loss uses directly) is the same on every replica and
 * is counted by one of them.
 */
import * as tf from '../../tf.ts';
import { type GradCacheParts, type GradResult, replayChunks } from '../gradCache.ts';

export interface Exchange {
  /** The chunks this replica encodes, in order. */
  own: number[];
  /**
   * Hands this replica's chunk representations (in `own`'s order) to the others and returns every
   * chunk's, in chunk order: the own ones are the given tensors, the others new constants.
   * Blocks until all replicas have handed theirs.
   */
  gather(own: tf.Tensor2D[]): tf.Tensor2D[];
  /** This replica counts the heads' gradient. */
  heads: boolean;
}

/**
 * One tape over the replica's own chunks and the loss: one forward, no replay. Memory holds the
 * replica's whole shard under the tape (as the one-worker step holds the whole batch).
 */
export function shardFullBatchStep(p: GradCacheParts, x: Exchange): GradResult {
  const { value, grads } = tf.variableGrads(
    () => p.loss(x.gather(x.own.map((c) => p.encode(c, p.seedOf(c))))),
    [...p.encoderVars, ...(x.heads ? p.headVars : [])],
  );
  return { loss: value, grads: new Map(Object.entries(grads)) };
}

let repCounter = 0;

/**
 * GradCache on a replica that holds several chunks: encode them without a tape, exchange, take
 * the loss's gradient w.r.t. the own chunks' representations, then replay each own chunk with the
 * same masks. Memory holds one chunk under a tape at a time.
 */
export function shardGradCacheStep(p: GradCacheParts, x: Exchange): GradResult {
  const own = x.own.map((c) => tf.tidy(() => p.encode(c, p.seedOf(c))));
  const all = x.gather(own);
  const repVars = own.map((r) => tf.variable(r, true, `shard_rep_${repCounter++}`));
  const inputs = all.map((r) => {
    const i = own.indexOf(r);
    return i >= 0 ? (repVars[i] as unknown as tf.Tensor2D) : r;
  });
  for (const r of own) r.dispose(); // the variables hold their values now
  const heads = x.heads ? p.headVars : [];
  const { value: loss, grads: g2 } = tf.variableGrads(() => p.loss(inputs), [...heads, ...repVars]);
  for (const r of all) if (!own.includes(r)) r.dispose();
  const grads = new Map<string, tf.Tensor>();
  for (const v of heads) {
    const g = g2[v.name];
    if (g) grads.set(v.name, g);
  }
  const repGrads = repVars.map((v) => g2[v.name] as tf.Tensor2D);
  for (const v of repVars) v.dispose();
  replayChunks(p, x.own, repGrads, grads);
  return { loss, grads };
}
