/**
 * The shared memory of a data-parallel run: the buffers' layout and the replicas' barrier.
 */
import type * as tf from '../../tf.ts';
import type { ChunkPlan } from '../step.ts';
import { chunkRows } from '../step.ts';
import type { SharedBuffers, VarSlot } from './protocol.ts';

/** Int32 cells of the control buffer. */
const ARRIVED = 0;
const ABORT = 1;
const CONTROL_CELLS = 4;

/** At most this many segments per row (supervised SimCSE: anchor, positive, hard negative). */
export const MAX_SEGMENTS = 3;

export function slotsOf(vars: Map<string, tf.Variable>): VarSlot[] {
  const slots: VarSlot[] = [];
  let offset = 0;
  for (const [name, v] of vars) {
    slots.push({ name, shape: [...v.shape], offset, size: v.size });
    offset += v.size;
  }
  return slots;
}

export function parameterCount(slots: VarSlot[]): number {
  const last = slots[slots.length - 1];
  return last ? last.offset + last.size : 0;
}

export function allocateBuffers(
  slots: VarSlot[],
  replicas: number,
  batchSize: number,
  hidden: number,
): SharedBuffers {
  const P = parameterCount(slots);
  return {
    control: new SharedArrayBuffer(CONTROL_CELLS * 4),
    weights: new SharedArrayBuffer(P * 4),
    grads: new SharedArrayBuffer(replicas * P * 4),
    reps: new SharedArrayBuffer(batchSize * MAX_SEGMENTS * hidden * 4),
  };
}

/** Where chunk c's representations start in the reps buffer (floats), and how many rows it has. */
export function repPlace(
  plan: ChunkPlan,
  size: number,
  segments: number,
  hidden: number,
  c: number,
): { offset: number; rows: number } {
  const [a, b] = chunkRows(plan, size, c);
  return { offset: a * segments * hidden, rows: (b - a) * segments };
}

/** Thrown at a barrier when another replica (or the coordinator) has failed the step. */
export class PeerFailed extends Error {
  constructor() {
    super('another replica failed');
  }
}

/**
 * All K replicas wait here until every one has arrived. The arrival count only grows (barrier n
 * is passed when it reaches n·K), so no reset is needed between steps; a replica that fails sets
 * the abort flag and counts itself in, which wakes the others to fail too instead of waiting.
 */
export class Barrier {
  private readonly control: Int32Array;
  private passed = 0;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly parties: number,
  ) {
    this.control = new Int32Array(buffer);
  }

  wait(): void {
    this.passed++;
    const target = this.passed * this.parties;
    if (Atomics.add(this.control, ARRIVED, 1) + 1 >= target) Atomics.notify(this.control, ARRIVED);
    for (;;) {
      if (Atomics.load(this.control, ABORT)) throw new PeerFailed();
      const now = Atomics.load(this.control, ARRIVED);
      if (now >= target) return;
      Atomics.wait(this.control, ARRIVED, now);
    }
  }

  /** Makes every waiting (and every later) `wait` throw. Safe from any thread, any time. */
  static abort(buffer: SharedArrayBuffer): void {
    const control = new Int32Array(buffer);
    Atomics.store(control, ABORT, 1);
    Atomics.add(control, ARRIVED, 1);
    Atomics.notify(control, ARRIVED);
  }

  static aborted(buffer: SharedArrayBuffer): boolean {
    return Atomics.load(new Int32Array(buffer), ABORT) !== 0;
  }
}
