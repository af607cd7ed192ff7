import { beforeAll, describe, expect, it } from 'vitest';
import {
  momentumUpdate,
  NegativeQueue,
  simcseUnsup,
} from '../../../src/engine/objectives/index.ts';
import * as tf from '../../../src/engine/tf.ts';

/** A [rows, 2] batch whose row r is [start + r, −(start + r)], so contents are easy to read. */
const rowsFrom = (start: number, rows: number) =>
  tf.tensor2d(
    Array.from({ length: rows }, (_, r) => [start + r, -(start + r)]),
    [rows, 2],
  );

const firstColumn = (q: NegativeQueue) =>
  Array.from((q.tensor()!.slice([0, 0], [-1, 1]) as tf.Tensor).dataSync());

describe('NegativeQueue', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is a FIFO of the most recent `capacity` rows, oldest first, evicting part of a batch if needed', () => {
    const q = new NegativeQueue(5);
    expect(q.tensor()).toBeNull();
    const push = (start: number, rows: number) => {
      const z = rowsFrom(start, rows);
      q.enqueue(z);
      z.dispose(); // the queue holds its own copy
    };
    push(1, 2);
    expect(firstColumn(q)).toEqual([1, 2]);
    push(3, 2);
    expect(firstColumn(q)).toEqual([1, 2, 3, 4]);
    push(5, 2); // 6 rows > 5: row 1 goes
    expect(firstColumn(q)).toEqual([2, 3, 4, 5, 6]);
    push(7, 2);
    expect(firstColumn(q)).toEqual([4, 5, 6, 7, 8]);
    expect(q.size).toBe(5);
    push(100, 7); // a batch larger than the queue keeps its last 5 rows
    expect(firstColumn(q)).toEqual([102, 103, 104, 105, 106]);
    expect(q.tensor()!.arraySync()[0]).toEqual([102, -102]);
    q.dispose();
    expect(q.tensor()).toBeNull();
  });

  it('disposes evicted storage: tf.memory().numTensors stays flat over many enqueues and returns to baseline', () => {
    const baseline = tf.memory().numTensors;
    const q = NegativeQueue.forBatch(4, 2.5); // ESimCSE-style size: 2.5 × batch = 10 rows
    expect(q.capacity).toBe(10);
    const counts: number[] = [];
    for (let step = 0; step < 20; step++) {
      const z = tf.randomNormal([4, 8], 0, 1, 'float32', step) as tf.Tensor2D;
      q.enqueue(z);
      z.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts)).toEqual(new Set([baseline + 1])); // only the queue's own tensor
    q.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('survives an enclosing tf.tidy and stores a detached copy (no gradient flows into it)', () => {
    const q = new NegativeQueue(8);
    tf.tidy(() => {
      q.enqueue(tf.ones([2, 3]) as tf.Tensor2D);
    });
    expect(q.tensor()!.isDisposed).toBe(false);
    q.clear();
    // loss = Σ queue ⊙ x after enqueuing x: treating the queue as a constant gives dx = x,
    // a live copy would give 2x.
    const x = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const dx = tf.grad((t: tf.Tensor) => {
      q.enqueue(t as tf.Tensor2D);
      return tf.sum(tf.mul(q.tensor()!, t));
    })(x);
    expect(Array.from(dx.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(q.tensor()!.isDisposed).toBe(false);
    tf.dispose([x, dx]);
    q.dispose();
  });

  it('feeds simcseUnsup as extra negatives; width mismatch and bad capacity throw', () => {
    const q = new NegativeQueue(6);
    const old = tf.randomNormal([6, 4], 0, 1, 'float32', 9) as tf.Tensor2D;
    q.enqueue(old);
    const z1 = tf.randomNormal([3, 4], 0, 1, 'float32', 10) as tf.Tensor2D;
    const z2 = tf.randomNormal([3, 4], 0, 1, 'float32', 11) as tf.Tensor2D;
    const direct = simcseUnsup(z1, z2, { queue: old }).dataSync()[0]!;
    expect(simcseUnsup(z1, z2, { queue: q.tensor() }).dataSync()[0]!).toBeCloseTo(direct, 6);
    const wrong = tf.zeros([1, 5]) as tf.Tensor2D;
    expect(() => q.enqueue(wrong)).toThrow(/width/);
    expect(() => new NegativeQueue(0)).toThrow(/capacity/);
    tf.dispose([old, z1, z2, wrong]);
    q.dispose();
  });
});

describe('momentumUpdate', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const make = (t: number[], s: number[]) => ({
    target: new Map([['w', tf.variable(tf.tensor1d(t))]]),
    source: new Map([['w', tf.variable(tf.tensor1d(s))]]),
  });

  it('θ_t ← m·θ_t + (1−m)·θ_s; m = 0 copies; m = 1 keeps; no tensor leaks', () => {
    const { target, source } = make([1, 2], [3, -2]);
    const before = tf.memory().numTensors;
    momentumUpdate(target, source, 0.9);
    expect(tf.memory().numTensors).toBe(before);
    const w = target.get('w')!;
    const got = Array.from(w.dataSync());
    expect(got[0]).toBeCloseTo(0.9 * 1 + 0.1 * 3, 6); // 1.2
    expect(got[1]).toBeCloseTo(0.9 * 2 + 0.1 * -2, 6); // 1.6
    momentumUpdate(target, source, 1);
    expect(Array.from(w.dataSync())).toEqual(got);
    momentumUpdate(target, source, 0);
    expect(Array.from(w.dataSync())).toEqual([3, -2]);
    expect(Array.from(source.get('w')!.dataSync())).toEqual([3, -2]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...target.values(), ...source.values()]);
  });

  it('rejects missing names, shape mismatches and m outside [0, 1]', () => {
    const { target, source } = make([1, 2], [3, 4]);
    expect(() => momentumUpdate(target, source, 1.1)).toThrow(/\[0, 1\]/);
    const other = new Map([['v', tf.variable(tf.tensor1d([0, 0]))]]);
    expect(() => momentumUpdate(target, other, 0.5)).toThrow(/no parameter "w"/);
    const wide = new Map([['w', tf.variable(tf.tensor1d([0, 0, 0]))]]);
    expect(() => momentumUpdate(target, wide, 0.5)).toThrow(/\[2\] in target/);
    tf.dispose([...target.values(), ...source.values(), ...other.values(), ...wide.values()]);
  });
});
