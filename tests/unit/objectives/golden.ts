import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import * as tf from '../../../src/engine/tf.ts';
import { FIXTURES } from '../../helpers/paths.ts';

/**
 * Golden values written by tests/fixtures/objectives/make_objectives.py (PyTorch 1.13 autograd
 * in float64 on float32 inputs, SciPy 1.10 for the correlations). Tests never run Python.
 */

type Nested = number | null | Nested[];

export interface ObjectiveCase {
  name: string;
  kind: string;
  note: string;
  inputs: Record<string, Nested>;
  consts: Record<string, Nested>;
  options: Record<string, unknown>;
  loss: number;
  grads: Record<string, Nested>;
}

export function readFixture<T>(file: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, 'objectives', file), 'utf8')) as T;
}

export function objectiveCases(kind: string): ObjectiveCase[] {
  const all = readFixture<{ cases: ObjectiveCase[] }>('objectives.json').cases;
  const cases = all.filter((c) => c.kind === kind);
  if (cases.length === 0) throw new Error(`no golden case of kind ${kind}`);
  return cases;
}

/** A float32 tensor from a nested JSON array (the fixture's inputs are exact float32 values). */
export function tensorOf(v: Nested): tf.Tensor {
  return tf.tensor(v as number[]);
}

export function flat(v: Nested): number[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v as number];
}

/** Largest |a − b| over all elements; fails if the lengths differ. */
export function maxAbsDiff(actual: ArrayLike<number>, expected: number[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  }
  return worst;
}

/** Worst errors seen per test file, printed once so the tolerances can be reported. */
export const measured: Record<string, number> = {};

export function record(label: string, err: number): void {
  measured[label] = Math.max(measured[label] ?? 0, err);
}
