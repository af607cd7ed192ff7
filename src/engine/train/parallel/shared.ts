/**
 * The shared memory of a data-parallel run: the buffers' layout and the replicas' barrier.
 */
import * as tf from '../../tf.ts';
import type { TokenisedRows } from '../encodeRows.ts';
import type { ChunkPlan } from '../step.ts';
import { chunkRows } from '../step.ts';
import type { ArenaLayout, SharedBuffers, VarSlot } from './protocol.ts';

/**
 * A tensor of values that live in shared memory (a view that others write later): wasm copies a
 * tensor's values into its heap, so it takes the view; cpu keeps the array, so it gets a copy.
 */
export function tensorOfShared(values: Float32Array, shape: number[]): tf.Tensor {
  return tf.tensor(tf.getBackend() === 'wasm' ? values : values.slice(), shape);
}

/** Int32 cells of the control buffer. */
const ARRIVED = 0;
const ABORT = 1;
/** Set by a replica about to pass the sharded update's barrier: it may write the weights next. */
const UPDATING = 2;
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

/** The arena's first bytes stay unused (no array starts at address 0). */
const ARENA_BASE = 65_536;
const PAGE = 65_536;
/** A wasm32 memory's most pages (4 GiB). */
const MAX_PAGES = 65_536;

/**
 * The buffers of a run with K replicas. The bulk floats (weights, the K gradient slots and, with
 * the sharded update, the moments and each replica's word-table row sum) lie in one shared
 * WebAssembly.Memory, the arena, so a replica runs the fused Adam kernel on them where they are
 * (kernels/wasmKernels.ts `adamKernelOn`); the views below read and write them from JS.
 */
export function allocateBuffers(
  slots: VarSlot[],
  replicas: number,
  batchSize: number,
  hidden: number,
  sharded = false,
): SharedBuffers {
  const P = parameterCount(slots);
  const table = sparseSlot(slots);
  const tableRows = sharded && table ? Math.ceil(table.shape[0]! / replicas) : 0;
  const H = table?.shape[1] ?? 0;
  let at = ARENA_BASE;
  const region = (floats: number) => {
    const start = at;
    at += Math.ceil((floats * 4) / 16) * 16;
    return start;
  };
  const layout: ArenaLayout = {
    parameters: P,
    replicas,
    weights: region(P),
    grads: region(replicas * P),
    moments: sharded ? region(2 * P) : -1,
    tableSums: tableRows ? region(replicas * tableRows * H) : -1,
    tableSumFloats: tableRows * H,
  };
  const pages = Math.ceil(at / PAGE);
  if (pages > MAX_PAGES)
    throw new Error(
      `${replicas} replicas of ${P} parameters need ${(at / 2 ** 30).toFixed(1)} GiB of shared memory, more than a WebAssembly memory holds (4 GiB); use fewer workers`,
    );
  return {
    control: new SharedArrayBuffer(CONTROL_CELLS * 4),
    arena: new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }),
    layout,
    reps: new SharedArrayBuffer(batchSize * MAX_SEGMENTS * hidden * 4),
    rows: new SharedArrayBuffer(replicas * rowListCells(table) * 4),
    ...(sharded
      ? {
          norms: new SharedArrayBuffer(2 * replicas * 8),
          presence: new SharedArrayBuffer(replicas * slots.length),
        }
      : {}),
  };
}

/** The coordinator's weights, Float32 [P]. */
export function weightsView(b: SharedBuffers): Float32Array {
  return new Float32Array(b.arena.buffer, b.layout.weights, b.layout.parameters);
}

/** Replica k's gradient slot, Float32 [P] (slot 0 holds the sum after the reduce). */
export function gradSlot(b: SharedBuffers, k: number): Float32Array {
  const P = b.layout.parameters;
  return new Float32Array(b.arena.buffer, b.layout.grads + k * P * 4, P);
}

/** The sharded update's moments, exp_avg and exp_avg_sq, Float32 [P] each. */
export function momentViews(b: SharedBuffers): { expAvg: Float32Array; expAvgSq: Float32Array } {
  const { moments, parameters: P } = b.layout;
  if (moments < 0) throw new Error('these buffers hold no moments (not a sharded update)');
  return {
    expAvg: new Float32Array(b.arena.buffer, moments, P),
    expAvgSq: new Float32Array(b.arena.buffer, moments + P * 4, P),
  };
}

/** Replica k's word-table row sum (zeros between steps), or null. */
export function tableSumView(b: SharedBuffers, k: number): Float32Array | null {
  const { tableSums, tableSumFloats: n } = b.layout;
  return tableSums < 0 ? null : new Float32Array(b.arena.buffer, tableSums + k * n * 4, n);
}

/**
 * The word table (BERT's [V, H] `embeddings.word_embeddings.weight`, 3.9 M of bert-tiny's 4.4 M
 * weights). Its only use is the embedding lookup of the input ids (bert.ts), so its gradient is
 * zero outside the rows a shard looks up: a replica hands over only those rows (its slot's region
 * holds them packed, their ids in `rows`) and the coordinator scatters them into the dense
 * gradient. The copies and the sum then cost the ~1,000 rows a batch touches, not 30,522.
 */
export const SPARSE_ROWS_NAME = 'embeddings.word_embeddings.weight';

export function sparseSlot(slots: VarSlot[]): VarSlot | null {
  return slots.find((s) => s.name === SPARSE_ROWS_NAME && s.shape.length === 2) ?? null;
}

/** Int32 cells per replica in `rows`: the count, then up to V row ids. */
export function rowListCells(table: VarSlot | null): number {
  return table ? table.shape[0]! + 1 : 0;
}

/** The rows a shard's lookups touch: its chunks' input ids, unique and ascending. */
export function touchedRows(toks: readonly TokenisedRows[], vocab: number): Int32Array {
  const seen = new Uint8Array(vocab);
  let n = 0;
  for (const t of toks)
    for (const id of t.inputIds) {
      if (id < 0 || id >= vocab)
        throw new Error(`input id ${id} is outside the vocabulary (${vocab})`);
      if (!seen[id]) {
        seen[id] = 1;
        n++;
      }
    }
  const out = new Int32Array(n);
  let j = 0;
  for (let id = 0; id < vocab; id++) if (seen[id]) out[j++] = id;
  return out;
}

/**
 * sum[j] += other[j], each store rounded to float32 as tf.add would. A function of its own so
 * that V8 optimises the loop on its own: inline in the replica's step the K = 2 reduce took
 * 21–41 ms a step, as this function 2 ms (bench/dataParallel.ts, tiny shape, 2026-12-03).
 */
export function addInto(sum: Float32Array, other: Float32Array): void {
  const n = sum.length;
  for (let j = 0; j < n; j++) sum[j]! += other[j]!;
}

/** Σ x² in float64 (NaN or ±Inf anywhere makes it NaN or Inf). */
export function sumOfSquares(x: Float32Array): number {
  const n = x.length;
  let s = 0;
  for (let j = 0; j < n; j++) s += x[j]! * x[j]!;
  return s;
}

/**
 * Replica `index`'s share of the dense sum: 1/K of every parameter but the sparse table, as
 * [lo, hi) ranges of the gradient slot (the table splits the slot into the parts before and
 * after it).
 */
export function reduceRanges(
  total: number,
  skip: VarSlot | null,
  index: number,
  size: number,
): [number, number][] {
  const parts: [number, number][] = skip
    ? [
        [0, skip.offset],
        [skip.offset + skip.size, total],
      ]
    : [[0, total]];
  const dense = parts.reduce((a, [lo, hi]) => a + hi - lo, 0);
  const from = Math.floor((index * dense) / size);
  const to = Math.floor(((index + 1) * dense) / size);
  // Map [from, to) of the dense positions back onto the parts.
  const out: [number, number][] = [];
  let base = 0;
  for (const [lo, hi] of parts) {
    const a = Math.max(from, base);
    const b = Math.min(to, base + hi - lo);
    if (a < b) out.push([lo + a - base, lo + b - base]);
    base += hi - lo;
  }
  return out;
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
  /**
   * Work to do while the others have not arrived: one small unit per call, false once none is
   * left (the replica encodes the next step's texts). Set by the replica for its step.
   */
  idle: (() => boolean) | null = null;

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
    let working = this.idle !== null;
    for (;;) {
      if (Atomics.load(this.control, ABORT)) throw new PeerFailed();
      const now = Atomics.load(this.control, ARRIVED);
      if (now >= target) return;
      if (working) working = this.idle!();
      else Atomics.wait(this.control, ARRIVED, now);
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

  /**
   * Says that once the next `wait` passes this replica writes the shared weights (its share of
   * the sharded update). Set before that barrier, so that a round which fails with it unset
   * certainly left the weights whole; set, some replica may have written its share.
   */
  announceUpdate(): void {
    Atomics.store(this.control, UPDATING, 1);
  }

  /** Whether a replica announced an update since `clearUpdate` (the coordinator's side). */
  static updateAnnounced(buffer: SharedArrayBuffer): boolean {
    return Atomics.load(new Int32Array(buffer), UPDATING) !== 0;
  }

  static clearUpdate(buffer: SharedArrayBuffer): void {
    Atomics.store(new Int32Array(buffer), UPDATING, 0);
  }
}
