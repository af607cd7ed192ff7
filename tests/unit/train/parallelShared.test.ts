/**
 * The data-parallel step's shared-memory bookkeeping (src/engine/train/parallel/shared.ts): which
 * word-table rows a shard sends (its input ids, unique and ascending) and how the dense sum is
 * split among the replicas around the table (every other parameter summed exactly once).
 * (That the whole K = 2 step equals K = 1 with the sparse rows: dataParallel.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { TokenisedRows } from '../../../src/engine/train/encodeRows.ts';
import type { VarSlot } from '../../../src/engine/train/parallel/protocol.ts';
import {
  addInto,
  Barrier,
  PeerFailed,
  reduceRanges,
  rowListCells,
  SPARSE_ROWS_NAME,
  sparseSlot,
  sumOfSquares,
  touchedRows,
} from '../../../src/engine/train/parallel/shared.ts';

const rows = (ids: number[]): TokenisedRows => ({
  inputIds: Int32Array.from(ids),
  attentionMask: new Int32Array(ids.length).fill(1),
  tokenTypeIds: new Int32Array(ids.length),
  rows: 1,
  length: ids.length,
  segments: [{ start: 0, count: 1, view: 0 }],
});

const slot = (name: string, shape: number[], offset: number): VarSlot => ({
  name,
  shape,
  offset,
  size: shape.reduce((a, d) => a * d, 1),
});

describe('touchedRows', () => {
  it('the unique input ids of every chunk, ascending, padding included', () => {
    expect([...touchedRows([rows([101, 7, 7, 0, 0]), rows([5, 101, 102])], 200)]).toEqual([
      0, 5, 7, 101, 102,
    ]);
    expect([...touchedRows([], 10)]).toEqual([]);
  });

  it('an id outside the vocabulary is an error, not a silently dropped row', () => {
    expect(() => touchedRows([rows([3, 10])], 10)).toThrow(/outside the vocabulary/);
    expect(() => touchedRows([rows([-1])], 10)).toThrow(/outside the vocabulary/);
  });
});

describe('the word table slot', () => {
  it('is found by its HF name and holds V + 1 row cells; other models have none', () => {
    const slots = [slot('a', [3], 0), slot(SPARSE_ROWS_NAME, [50, 4], 3), slot('b', [2], 203)];
    expect(sparseSlot(slots)).toBe(slots[1]);
    expect(rowListCells(sparseSlot(slots))).toBe(51);
    expect(sparseSlot([slot('a', [3], 0)])).toBeNull();
    expect(rowListCells(null)).toBe(0);
  });
});

describe('reduceRanges', () => {
  const covered = (total: number, skip: VarSlot | null, K: number) => {
    const count = new Uint8Array(total);
    for (let k = 0; k < K; k++)
      for (const [lo, hi] of reduceRanges(total, skip, k, K))
        for (let j = lo; j < hi; j++) count[j]!++;
    return count;
  };

  for (const K of [1, 2, 3, 8])
    it(`K = ${K}: every parameter but the table exactly once, none of the table`, () => {
      const table = slot(SPARSE_ROWS_NAME, [10, 3], 7);
      const count = covered(50, table, K);
      for (let j = 0; j < 50; j++) expect(count[j], `element ${j}`).toBe(j >= 7 && j < 37 ? 0 : 1);
      // Without a table: everything once.
      expect([...covered(50, null, K)].every((c) => c === 1)).toBe(true);
    });

  it('splits the dense part evenly (sizes differ by at most one)', () => {
    const table = slot(SPARSE_ROWS_NAME, [10, 3], 7);
    const sizes = [0, 1, 2].map((k) =>
      reduceRanges(50, table, k, 3).reduce((a, [lo, hi]) => a + hi - lo, 0),
    );
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('a table at either end of the slot', () => {
    expect(covered(10, slot(SPARSE_ROWS_NAME, [2, 2], 0), 2).join('')).toBe('0000111111');
    expect(covered(10, slot(SPARSE_ROWS_NAME, [2, 2], 6), 2).join('')).toBe('1111110000');
  });
});

describe('sumOfSquares', () => {
  it('sums in float64: squares float32 would lose, and NaN or Inf anywhere is NaN or Inf', () => {
    // 1 + (2^-13)² = 1 + 2^-26 is not a float32 (it rounds to 1); float64 keeps it.
    expect(sumOfSquares(Float32Array.from([1, 2 ** -13]))).toBe(1 + 2 ** -26);
    expect(sumOfSquares(Float32Array.from([3, -4]))).toBe(25);
    expect(sumOfSquares(new Float32Array(0))).toBe(0);
    // 2^64 squared is past float32's range, not float64's.
    expect(sumOfSquares(Float32Array.from([2 ** 64]))).toBe(2 ** 128);
    expect(sumOfSquares(Float32Array.from([1, Number.NaN]))).toBeNaN();
    expect(sumOfSquares(Float32Array.from([1, Number.NEGATIVE_INFINITY]))).toBe(Infinity);
  });
});

describe('addInto', () => {
  it('adds in place with float32 rounding, the same bits as tf.add on float32 inputs', () => {
    // 1 + 2^-24 is not a float32: each store rounds back to 1, as a float32 sum would.
    const sum = Float32Array.from([1, 0.1, -3, 16777216]);
    const other = Float32Array.from([2 ** -24, 0.2, 3, 1]);
    addInto(sum, other);
    expect(Array.from(sum)).toEqual([
      1,
      Math.fround(Math.fround(0.1) + Math.fround(0.2)),
      0,
      16777216,
    ]);
    expect(Array.from(other)).toEqual(Array.from(Float32Array.from([2 ** -24, 0.2, 3, 1])));
  });
  it('works on subarrays of one shared buffer without touching the cells around them', () => {
    const cells = new Float32Array(new SharedArrayBuffer(8 * 4)).fill(1);
    addInto(cells.subarray(2, 4), cells.subarray(4, 6));
    expect(Array.from(cells)).toEqual([1, 1, 2, 2, 1, 1, 1, 1]);
  });
});

describe('Barrier: work while waiting (Barrier.idle)', () => {
  // Two parties on one buffer, in one thread: the "other replica" arrives from inside the idle
  // work, so that the test sees exactly when the waiting one checks for it.
  const pair = () => {
    const buffer = new SharedArrayBuffer(16);
    return { buffer, me: new Barrier(buffer, 2), other: new Barrier(buffer, 2) };
  };

  it('does one unit at a time and returns as soon as the others have arrived', () => {
    const { me, other } = pair();
    let units = 0;
    me.idle = () => {
      units++;
      if (units === 3) other.wait(); // the last to arrive: passes at once
      return true; // more work left: only the arrival ends the wait
    };
    me.wait();
    expect(units).toBe(3);
  });

  it('a peer that fails during the idle work fails the wait, as a sleeping wait would', () => {
    const { buffer, me } = pair();
    let units = 0;
    me.idle = () => {
      if (++units === 2) Barrier.abort(buffer);
      return true;
    };
    expect(() => me.wait()).toThrow(PeerFailed);
    expect(units).toBe(2);
  });

  it('the last to arrive runs no unit: it passes at once', () => {
    const { me, other } = pair();
    other.idle = () => {
      throw new Error('the last to arrive must not wait');
    };
    me.idle = () => {
      other.wait();
      return true;
    };
    me.wait();
  });
});
