/**
 * The negative queue of unsupervised SimCSE (ESimCSE / MoCo): embeddings of the last K batches are
 * extra negatives in the denominator. With momentum m > 0 they come from a momentum copy of the
 * encoder (θ_k ← m·θ_k + (1-m)·θ_q after each step); with m = 0 from the encoder itself (its own
 * second-view embeddings of the batch, detached: no gradient flows into the queue).
 */
import type { ExperimentConfig } from '../config/schema.ts';
import type { Example } from '../data/index.ts';
import { BertModel } from '../model/index.ts';
import { momentumUpdate, NegativeQueue } from '../objectives/queue.ts';
import * as tf from '../tf.ts';
import type { TensorRecord } from './checkpoint.ts';
import { encodeTokenised, representation, tokeniseSegments } from './encodeRows.ts';
import type { EncoderBundle } from './encoderSetup.ts';

export class QueueState {
  private captured: tf.Tensor2D | null = null;
  private encodes = 0;

  private constructor(
    private readonly queue: NegativeQueue,
    private readonly momentum: number,
    private readonly keyModel: BertModel | null,
    private readonly config: ExperimentConfig,
  ) {}

  static create(
    q: { size: number; momentum: number },
    bundle: EncoderBundle,
    config: ExperimentConfig,
  ): QueueState {
    let keyModel: BertModel | null = null;
    if (q.momentum > 0) {
      const copies = new Map<string, tf.Tensor>();
      for (const [k, v] of bundle.model.variables()) copies.set(k, tf.clone(v));
      keyModel = BertModel.fromWeights(bundle.model.config, copies);
      for (const t of copies.values()) t.dispose();
    }
    return new QueueState(
      new NegativeQueue(q.size * config.batchSize),
      q.momentum,
      keyModel,
      config,
    );
  }

  /** The negatives for this step (owned by the queue), or null while empty. */
  tensor(): tf.Tensor2D | null {
    return this.queue.tensor();
  }

  /** Called inside the loss: keeps a detached copy of the second views (m = 0 enqueues them). */
  capture(segments: tf.Tensor2D[]): void {
    if (this.keyModel || !segments[1]) return;
    this.captured?.dispose();
    this.captured = tf.keep(tf.clone(segments[1]));
  }

  releaseCapture(): void {
    this.captured?.dispose();
    this.captured = null;
  }

  /** After the optimiser step: update the key encoder and enqueue this batch's keys. */
  afterStep(bundle: EncoderBundle, examples: Example[]): void {
    if (!this.keyModel) {
      if (this.captured) this.queue.enqueue(this.captured);
      return;
    }
    momentumUpdate(this.keyModel.variables(), bundle.model.variables(), this.momentum);
    const keyBundle: EncoderBundle = { ...bundle, model: this.keyModel };
    const tok = tokeniseSegments(
      keyBundle,
      [{ texts: examples.map((e) => e.text2 ?? e.text), view: 0 }],
      this.config.encoder.maxLength,
    );
    const keys = tf.tidy(() =>
      encodeTokenised(keyBundle, this.config, tok, {
        training: true,
        dropoutSeed: 0x51ed + this.encodes++,
        ...representation(this.config, 'train', true),
        views: [null, null],
      }),
    );
    this.queue.enqueue(keys);
    keys.dispose();
  }

  async record(): Promise<TensorRecord | null> {
    const t = this.queue.tensor();
    return t ? { shape: [...t.shape], data: (await t.data()) as Float32Array } : null;
  }

  /**
   * After a checkpoint restore: the key encoder restarts from the restored encoder (its own
   * momentum average is not stored in checkpoints), and the queue from the stored embeddings.
   */
  restore(rec: TensorRecord | null, bundle: EncoderBundle): void {
    if (this.keyModel) momentumUpdate(this.keyModel.variables(), bundle.model.variables(), 0);
    if (!rec) return;
    const t = tf.tensor2d(rec.data, rec.shape as [number, number]);
    this.queue.clear();
    this.queue.enqueue(t);
    t.dispose();
  }

  dispose(): void {
    this.releaseCapture();
    this.queue.dispose();
    this.keyModel?.dispose();
  }
}
