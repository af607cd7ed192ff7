import type * as tf from '../tf.ts';

/**
 * An optional observer of what a training step feeds the encoder and the loss, for tests that
 * check the wiring and for debugging. Absent (the default), nothing is called and nothing extra
 * is computed. The tensor is only valid during the call: read it there (`dataSync()`), or keep a
 * copy with `tf.keep(tf.clone(value))`; never dispose it.
 *
 * Names, in the order a step meets them (GradCache calls each chunk's encoder twice: once without
 * a tape, once replayed; the adversarial view runs one clean pass of each chunk first):
 * - `encoder.inputIds`, `encoder.attentionMask`, `encoder.tokenTypeIds` int32 [rows, L], and
 *   `encoder.positionIds` when a view sets them (shuffle): the inputs of one encoder forward.
 * - `encoder.embeddings` [rows, L, H]: the embedding output after the embedding-level views and
 *   the adversarial perturbation, i.e. what layer 0 receives.
 * - `dropout.<site>` float 0/1 keep mask of one BERT dropout site: 0 after the embeddings,
 *   1 + 3l attention probabilities [rows, heads, L, L], 2 + 3l attention output and 3 + 3l
 *   feed-forward output [rows, L, H] of layer l (sites with rate 0 report nothing).
 * - `classifier.dropout` float 0/1 keep mask [N, H] of the classification head's dropout.
 * - `loss.segment.<s>` [N, D]: the representations of segment s that the loss receives.
 * - `loss.queue` [K, D]: the queued negatives handed to the loss (unsupervised SimCSE's queue).
 */
export type Probe = (name: string, value: tf.Tensor) => void;
