/**
 * Setup-time pieces of a run (src/engine/train/runSetup.ts): a checkpoint of another model is
 * refused whole with the variable named, before any weight is assigned; loading progress is
 * throttled but every phase's end gets through; a model folder's metrics are the last step's loss
 * and the last evaluation's numbers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '../../../src/engine/tf.ts';
import type { TrainEvent } from '../../../src/engine/train/events.ts';
import {
  checkpointTensors,
  exportMetrics,
  throttledProgress,
} from '../../../src/engine/train/runSetup.ts';

describe('checkpointTensors', () => {
  const vars = () =>
    new Map([
      ['a', tf.variable(tf.zeros([2, 3]), true, 'runSetup_a')],
      ['b', tf.variable(tf.zeros([4]), true, 'runSetup_b')],
    ]);
  let made: Map<string, tf.Variable> | null = null;
  afterEach(() => {
    for (const v of made?.values() ?? []) v.dispose();
    made = null;
  });

  it('pairs every variable with its record when names and shapes match', () => {
    made = vars();
    const a = { shape: [2, 3], data: new Float32Array(6) };
    const b = { shape: [4], data: new Float32Array(4) };
    const pairs = checkpointTensors(made, {
      a,
      b,
      extra: { shape: [1], data: new Float32Array(1) },
    });
    expect(pairs.map(([v, r]) => [v.name, r])).toEqual([
      ['runSetup_a', a],
      ['runSetup_b', b],
    ]);
  });
  it('refuses a checkpoint without one of the variables, naming it', () => {
    made = vars();
    expect(() =>
      checkpointTensors(made!, { a: { shape: [2, 3], data: new Float32Array(6) } }),
    ).toThrow('The checkpoint has no weights for b; it belongs to another model.');
  });
  it('refuses a shape mismatch, with both shapes', () => {
    made = vars();
    expect(() =>
      checkpointTensors(made!, {
        a: { shape: [3, 2], data: new Float32Array(6) },
        b: { shape: [4], data: new Float32Array(4) },
      }),
    ).toThrow("The checkpoint's a has shape [3,2] but the model needs [2,3].");
  });
});

describe('throttledProgress', () => {
  afterEach(() => vi.useRealTimers());
  it('passes one event per 200 ms, and always a phase end', () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
    const seen: TrainEvent[] = [];
    const on = throttledProgress((e) => seen.push(e));
    on({ phase: 'download', loaded: 1, total: 10 }); // first: passes
    vi.setSystemTime(1_000_100);
    on({ phase: 'download', loaded: 2, total: 10 }); // 100 ms later: dropped
    vi.setSystemTime(1_000_150);
    on({ phase: 'download', loaded: 10, total: 10 }); // the end: passes
    vi.setSystemTime(1_000_400);
    on({ phase: 'parse', loaded: 5 }); // no total, 250 ms later: passes, without a total field
    expect(seen).toEqual([
      { type: 'progress', phase: 'download', loaded: 1, total: 10 },
      { type: 'progress', phase: 'download', loaded: 10, total: 10 },
      { type: 'progress', phase: 'parse', loaded: 5 },
    ]);
  });
});

describe('exportMetrics', () => {
  it('records steps, the last loss and the numeric fields of the last evaluation', () => {
    const step = (s: number, loss: number) => ({ step: s, loss }) as never;
    const m = exportMetrics(
      7,
      [step(6, 0.9), step(7, 0.5)],
      [
        { step: 0, spearman: 0.1 } as never,
        { step: 7, spearman: 0.62, alignment: 0.4, uniformity: -2.1 } as never,
      ],
    );
    expect(m).toEqual({ steps: 7, loss: 0.5, spearman: 0.62, alignment: 0.4, uniformity: -2.1 });
  });
  it('has only the step count before any step or evaluation', () => {
    expect(exportMetrics(0, [], [])).toEqual({ steps: 0 });
  });
});
