/**
 * Where each step's batch comes from: its step seed (the run's RNG), the batcher's next examples
 * and their text views. With replicas the next step's batch is drawn one step early, so that they
 * encode its texts while they wait at the step's barriers (parallel/replica.ts). The batches and
 * their order are the same either way; a checkpoint records the states from before a batch drawn
 * early, so a resume draws that batch again.
 */
import type { Batcher, BatcherState, Example } from '../data/index.ts';
import { mixSeed, Rng } from '../rng.ts';
import type { Task, TaskBatch } from './tasks.ts';
import type { TextViews } from './textViews.ts';

export interface DrawnBatch {
  batch: TaskBatch;
  stepSeed: number;
  examples: Example[];
  epoch: number;
}

export class BatchDraws {
  /** The next step's batch, drawn early, and the states from before it was drawn. */
  private early: { drawn: DrawnBatch; rng: number; batcher: BatcherState } | null = null;

  constructor(
    private readonly rng: Rng,
    private readonly batcher: Batcher,
    private readonly task: Task,
    private readonly textViews: TextViews,
  ) {}

  /** This step's batch: the one drawn early, else a new one (advances the RNG and the batcher). */
  next(): DrawnBatch {
    const drawn = this.early?.drawn ?? this.draw();
    this.early = null;
    return drawn;
  }

  /** The batch `next` gives next time, drawn now if it was not yet. */
  peek(): DrawnBatch {
    if (!this.early) {
      const rng = this.rng.getState();
      const batcher = this.batcher.getState();
      this.early = { drawn: this.draw(), rng, batcher };
    }
    return this.early.drawn;
  }

  /** What a checkpoint records: the states before any batch drawn early. */
  state(): { rng: number; batcher: BatcherState } {
    if (this.early) return { rng: this.early.rng, batcher: this.early.batcher };
    return { rng: this.rng.getState(), batcher: this.batcher.getState() };
  }

  /** A checkpoint's states (a batch drawn early is dropped: it is drawn again from them). */
  restore(rng: number, batcher: unknown): void {
    this.early = null;
    this.rng.setState(rng);
    this.batcher.setState(batcher);
  }

  private draw(): DrawnBatch {
    const stepSeed = this.rng.nextUint32();
    const drawn = this.batcher.next();
    const textRng = new Rng(mixSeed(stepSeed, 1));
    const batch = this.task.prepare(drawn.examples, (text, view) =>
      this.textViews.apply(text, view, textRng),
    );
    return { batch, stepSeed, examples: drawn.examples, epoch: drawn.epoch };
  }
}
