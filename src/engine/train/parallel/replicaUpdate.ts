/**
 * A replica's share of the sharded optimiser step (shardedAdam.ts), after the reduce-scatter:
 * the word table's summed gradient over its block of rows, the global norm from every replica's
 * squares, clipping, and the Adam / AdamW update of its share of the weights and moments, in
 * shared memory. Every replica computes the same norm from the same numbers, so all take the
 * same decision (applied or diverged) and the same clipping coefficient.
 */
import type { AdamUpdateConstants, AdamUpdateKernel } from '../../kernels/index.ts';
import { type AdamHyper, adamConstants } from '../optim/adam.ts';
import { clipCoefficient } from '../optim/clip.ts';
import type { VarSlot } from './protocol.ts';
import { adamUpdateInPlace } from './shardedAdam.ts';
import { addInto, type Barrier, reduceRanges, sumOfSquares } from './shared.ts';

const F32_MAX = 3.4028234663852886e38;

/** What a replica holds for the sharded update. */
export interface UpdateShare {
  hyper: AdamHyper;
  slots: VarSlot[];
  weights: Float32Array;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
  /** The fused kernel on the arena these arrays lie in, or null (the JS update runs). */
  kernel: AdamUpdateKernel | null;
  /** Float64 [2K]: each replica's Σ g² of its share, then each replica's loss. */
  norms: Float64Array;
  /** Uint8 [K × slots]: replica k's present flags. */
  presence: Uint8Array;
  /** The word table's slot, its row block here [first, end), and a zeroed [≥ end − first, H] sum. */
  table: { slot: VarSlot; first: number; end: number; sum: Float32Array } | null;
  index: number;
  size: number;
}

/** Replica `index`'s block of the word table's V rows. */
export function tableRowBlock(V: number, index: number, size: number): [number, number] {
  return [Math.floor((index * V) / size), Math.floor(((index + 1) * V) / size)];
}

/** The step's update as the coordinator sends it. */
export interface UpdateOrder {
  lr: number;
  clipNorm: number | null;
  /** Updates applied to slot i so far (ShardedAdam.steps). */
  steps: number[];
}

export interface UpdateOutcome {
  gradNorm: number;
  applied: boolean;
}

/**
 * `rowsOf(k)` gives replica k's touched ids (ascending) and their packed gradient rows; `summed`
 * is slot 0 of the gradients (the dense shares summed); `denseSquares` this replica's Σ g² of
 * its dense share. Waits once at `barrier` (every replica's squares and loss written).
 */
export function applyShare(
  u: UpdateShare,
  order: UpdateOrder,
  loss: number,
  denseSquares: number,
  summed: Float32Array,
  rowsOf: (k: number) => { ids: Int32Array; packed: Float32Array },
  barrier: Barrier,
): UpdateOutcome {
  const { index, size, slots } = u;
  const touched = u.table ? sumTableBlock(u.table, size, rowsOf) : null;
  let squares = denseSquares;
  if (u.table && touched) {
    const H = u.table.slot.shape[1]!;
    for (const r of touched) squares += sumOfSquares(u.table.sum.subarray(r * H, (r + 1) * H));
  }
  u.norms[index] = squares;
  u.norms[size + index] = loss;
  // Past this barrier the replicas write their shares of the weights (pool.ts `takeBack`).
  barrier.announceUpdate();
  barrier.wait();
  let total = 0;
  let finite = true;
  for (let k = 0; k < size; k++) {
    total += u.norms[k]!;
    if (!Number.isFinite(u.norms[size + k]!)) finite = false;
  }
  // float32, as the one-worker norm: Σ g² past float32's range is Inf there too (a divergence).
  const gradNorm = total > F32_MAX ? Infinity : Math.fround(Math.sqrt(total));
  const applied = finite && Number.isFinite(gradNorm);
  if (applied) {
    const scale = order.clipNorm ? clipCoefficient(gradNorm, order.clipNorm) : 1;
    const present = (i: number) => {
      for (let k = 0; k < size; k++) if (u.presence[k * slots.length + i]) return true;
      return false;
    };
    const ranges = reduceRanges(u.weights.length, u.table?.slot ?? null, index, size);
    slots.forEach((slot, i) => {
      if (!present(i)) return; // no gradient anywhere: left alone, as on one worker
      const c = adamConstants(u.hyper, slot.name, order.steps[i]! + 1, order.lr, scale);
      if (u.table && slot === u.table.slot) {
        const H = slot.shape[1]!;
        const lo = slot.offset + u.table.first * H;
        const hi = slot.offset + u.table.end * H;
        update(u, lo, hi, u.table.sum, lo, c);
        return;
      }
      for (const [a, b] of ranges) {
        const lo = Math.max(a, slot.offset);
        const hi = Math.min(b, slot.offset + slot.size);
        if (lo < hi) update(u, lo, hi, summed, 0, c);
      }
    });
  }
  if (u.table && touched) {
    const H = u.table.slot.shape[1]!;
    for (const r of touched) u.table.sum.fill(0, r * H, (r + 1) * H);
  }
  return { gradNorm, applied };
}

/** Updates weights and moments [lo, hi) in place with gradient g from (lo − gBase). */
function update(
  u: UpdateShare,
  lo: number,
  hi: number,
  g: Float32Array,
  gBase: number,
  c: AdamUpdateConstants,
): void {
  const p = u.weights.subarray(lo, hi);
  const gs = g.subarray(lo - gBase, hi - gBase);
  const m = u.expAvg.subarray(lo, hi);
  const v = u.expAvgSq.subarray(lo, hi);
  adamUpdateInPlace(u.kernel, p, gs, m, v, c);
}

/**
 * The table's summed gradient over this replica's row block: every replica's packed rows in the
 * block added in replica order into the zeroed sum (as the coordinator adds them into zeros on
 * the gradient path). Returns the touched rows (relative to the block, each once).
 */
function sumTableBlock(
  t: NonNullable<UpdateShare['table']>,
  size: number,
  rowsOf: (k: number) => { ids: Int32Array; packed: Float32Array },
): number[] {
  const H = t.slot.shape[1]!;
  const seen = new Uint8Array(t.end - t.first);
  const touched: number[] = [];
  for (let k = 0; k < size; k++) {
    const { ids, packed } = rowsOf(k);
    for (let r = lowerBound(ids, t.first); r < ids.length && ids[r]! < t.end; r++) {
      const at = ids[r]! - t.first;
      addInto(t.sum.subarray(at * H, (at + 1) * H), packed.subarray(r * H, (r + 1) * H));
      if (!seen[at]) {
        seen[at] = 1;
        touched.push(at);
      }
    }
  }
  return touched;
}

/** The first index of the ascending `ids` at or above `x`. */
function lowerBound(ids: Int32Array, x: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
