/**
 * Batches for training: a seeded shuffle per epoch, batches of the requested size, optionally no
 * repeated sentence inside a batch (unsupervised SimCSE treats every other row as a negative, so
 * a duplicate would be a false negative), and a state that checkpoints resume from exactly.
 *
 * Epoch e visits the examples in the order `new Rng(mixSeed(seed, e)).shuffle([0..n))` (or file
 * order without shuffling). With `dropDuplicatesInBatch`, an example whose `text` is already in
 * the batch being built is deferred to the next batch of the same epoch (it goes first there).
 * At the end of an epoch a short last batch is returned, or with `dropLast` dropped together with
 * any deferred examples.
 */
import { UserError } from '../errors.ts';
import { mixSeed, Rng } from '../rng.ts';
import type { Example } from './types.ts';

export interface BatcherOptions {
  batchSize: number;
  seed: number;
  shuffle: boolean;
  dropDuplicatesInBatch?: boolean;
  dropLast?: boolean;
}

export interface Batch {
  examples: Example[];
  /** 0-based epoch the batch belongs to. */
  epoch: number;
  /** 0-based index of the batch within its epoch. */
  indexInEpoch: number;
}

export interface BatcherState {
  version: 1;
  size: number;
  fingerprint: number;
  seed: number;
  batchSize: number;
  shuffle: boolean;
  dropDuplicatesInBatch: boolean;
  dropLast: boolean;
  epoch: number;
  cursor: number;
  indexInEpoch: number;
  deferred: number[];
}

/** FNV-1a over the texts, so a checkpoint is not resumed on different data. */
function fingerprintOf(examples: readonly Example[]): number {
  let h = 0x811c9dc5;
  for (const ex of examples) {
    const s = ex.text;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ 0x1f, 0x01000193) >>> 0;
  }
  return h;
}

export class Batcher {
  private readonly examples: readonly Example[];
  private readonly opts: Required<BatcherOptions>;
  private order: number[] | null = null;
  private epoch = 0;
  private cursor = 0;
  private indexInEpoch = 0;
  private deferred: number[] = [];
  private fingerprint: number | null = null;

  constructor(examples: Example[], opts: BatcherOptions) {
    const { batchSize, seed } = opts;
    if (!(Number.isInteger(batchSize) && batchSize > 0)) {
      throw new UserError(`The batch size must be a positive whole number, got ${batchSize}.`);
    }
    if (!Number.isFinite(seed)) throw new UserError(`The seed must be a number, got ${seed}.`);
    if (examples.length === 0) throw new UserError('There are no examples to make batches from.');
    this.examples = examples;
    this.opts = {
      batchSize,
      seed,
      shuffle: opts.shuffle,
      dropDuplicatesInBatch: opts.dropDuplicatesInBatch ?? false,
      dropLast: opts.dropLast ?? false,
    };
    if (this.opts.dropLast) {
      const distinct = this.opts.dropDuplicatesInBatch
        ? new Set(examples.map((e) => e.text)).size
        : examples.length;
      if (distinct < batchSize) {
        throw new UserError(
          `The data has ${distinct} distinct example(s), fewer than the batch size ${batchSize}, so no full batch can be made.`,
        );
      }
    }
  }

  /** Batches per epoch when no example is deferred (the count a progress bar can show). */
  get batchesPerEpoch(): number {
    const n = this.examples.length;
    const b = this.opts.batchSize;
    return this.opts.dropLast ? Math.floor(n / b) : Math.ceil(n / b);
  }

  private orderFor(epoch: number): number[] {
    const order = Array.from({ length: this.examples.length }, (_, i) => i);
    if (this.opts.shuffle) new Rng(mixSeed(this.opts.seed, epoch)).shuffle(order);
    return order;
  }

  private fill(): number[] {
    const { batchSize, dropDuplicatesInBatch } = this.opts;
    const order = this.order as number[];
    const batch: number[] = [];
    const texts = new Set<string>();
    const pending = this.deferred;
    this.deferred = [];
    const take = (i: number): void => {
      if (dropDuplicatesInBatch) {
        const t = (this.examples[i] as Example).text;
        if (texts.has(t)) {
          this.deferred.push(i);
          return;
        }
        texts.add(t);
      }
      batch.push(i);
    };
    for (let k = 0; k < pending.length; k++) {
      if (batch.length === batchSize) {
        this.deferred.push(...pending.slice(k));
        break;
      }
      take(pending[k] as number);
    }
    while (batch.length < batchSize && this.cursor < order.length)
      take(order[this.cursor++] as number);
    return batch;
  }

  private newEpoch(): void {
    this.epoch++;
    this.cursor = 0;
    this.indexInEpoch = 0;
    this.deferred = [];
    this.order = null;
  }

  next(): Batch {
    for (;;) {
      if (this.order === null) this.order = this.orderFor(this.epoch);
      const batch = this.fill();
      const full = batch.length === this.opts.batchSize;
      if (full || (batch.length > 0 && !this.opts.dropLast)) {
        return {
          examples: batch.map((i) => this.examples[i] as Example),
          epoch: this.epoch,
          indexInEpoch: this.indexInEpoch++,
        };
      }
      this.newEpoch(); // the epoch is used up (a short last batch is dropped with dropLast)
    }
  }

  getState(): BatcherState {
    this.fingerprint ??= fingerprintOf(this.examples);
    return {
      version: 1,
      size: this.examples.length,
      fingerprint: this.fingerprint,
      ...this.opts,
      epoch: this.epoch,
      cursor: this.cursor,
      indexInEpoch: this.indexInEpoch,
      deferred: [...this.deferred],
    };
  }

  setState(state: unknown): void {
    const s = state as Partial<BatcherState> | null;
    if (!s || typeof s !== 'object' || s.version !== 1) {
      throw new UserError('The checkpoint has no batcher state this version can read.');
    }
    const n = this.examples.length;
    this.fingerprint ??= fingerprintOf(this.examples);
    if (s.size !== n || s.fingerprint !== this.fingerprint) {
      throw new UserError(
        `The checkpoint's batch order was made for different data (${s.size} examples, now ${n}).`,
      );
    }
    for (const k of [
      'seed',
      'batchSize',
      'shuffle',
      'dropDuplicatesInBatch',
      'dropLast',
    ] as const) {
      if (s[k] !== this.opts[k]) {
        throw new UserError(
          `The checkpoint's batcher used ${k} = ${String(s[k])} but this run uses ${String(this.opts[k])}.`,
        );
      }
    }
    const okInt = (v: unknown, max: number) =>
      Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
    if (
      !okInt(s.epoch, Number.MAX_SAFE_INTEGER) ||
      !okInt(s.cursor, n) ||
      !okInt(s.indexInEpoch, Number.MAX_SAFE_INTEGER) ||
      !Array.isArray(s.deferred) ||
      !s.deferred.every((i) => okInt(i, n - 1))
    ) {
      throw new UserError("The checkpoint's batcher state is damaged.");
    }
    this.epoch = s.epoch as number;
    this.cursor = s.cursor as number;
    this.indexInEpoch = s.indexInEpoch as number;
    this.deferred = [...s.deferred];
    this.order = this.orderFor(this.epoch);
  }
}

/** Bucket lengths: 8·2^k and 12·2^k (8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, …). */
function* buckets(): Generator<number> {
  for (let p = 8; ; p *= 2) {
    yield p;
    if (p >= 32) yield p + p / 2;
  }
}

/**
 * The padded sequence length for a batch whose longest sequence has `maxTokensInBatch` tokens:
 * the smallest of 8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, … that fits, capped at
 * `maxLength` (which is itself always a possible length). TF.js keeps GPU buffers per exact
 * shape, so a handful of lengths keeps the pool small while padding wastes at most a third above
 * 32 tokens. With maxLength 32 the lengths are 8, 16 and 32.
 */
export function bucketLength(maxTokensInBatch: number, maxLength: number): number {
  if (!(Number.isInteger(maxLength) && maxLength > 0)) {
    throw new UserError(`maxLength must be a positive whole number, got ${maxLength}.`);
  }
  const need = Math.max(1, Math.ceil(maxTokensInBatch));
  if (need >= maxLength) return maxLength;
  for (const b of buckets()) {
    if (b >= need) return Math.min(b, maxLength);
  }
  return maxLength;
}
