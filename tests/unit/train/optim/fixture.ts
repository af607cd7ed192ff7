/**
 * The golden file written by tests/fixtures/optim/make_optim.py (torch 1.13, float32, CPU) and
 * small helpers to replay its runs through our optimisers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../../../../src/engine/tf.ts';
import {
  createOptimizer,
  type Optimizer,
  type OptimizerConfig,
} from '../../../../src/engine/train/optim/optimizer.ts';
import { FIXTURES } from '../../../helpers/paths.ts';

export type Flat = Record<string, number[]>;

export interface RunFixture {
  id: string;
  note: string;
  config: OptimizerConfig;
  /** lr given to the k-th update; null when the optimiser ignores it (Adafactor relative step). */
  lrs: number[] | null;
  /** Every parameter (flattened, row-major) after update k = 0..4. */
  after: Flat[];
  /** torch's optimizer.state after the last update: per-parameter step and slots (flattened). */
  finalState: Record<string, { step: number; slots: Flat }>;
}

export interface OptimFixture {
  source: string;
  shapes: Record<string, number[]>;
  init: Flat;
  /** The gradient of every parameter at update k = 0..4. */
  grads: Flat[];
  noDecay: string[];
  runs: RunFixture[];
  schedules: {
    schedule: 'constant' | 'linear' | 'cosine';
    lr: number;
    warmupSteps: number;
    totalSteps: number;
    /** The lr torch's LambdaLR gave the k-th optimizer.step(), k = 0, 1, ... */
    lrAtStep: number[];
  }[];
  clip: {
    grads: Flat;
    cases: { maxNorm: number; norm: number; clipped: Flat }[];
  };
}

export const FIX: OptimFixture = JSON.parse(
  readFileSync(join(FIXTURES, 'optim', 'optim.json'), 'utf8'),
);

export const NAMES = Object.keys(FIX.shapes);

export function makeVars(): Map<string, tf.Variable> {
  return new Map(NAMES.map((n) => [n, tf.variable(tf.tensor(FIX.init[n]!, FIX.shapes[n]!), true)]));
}

export function makeGrads(values: Flat): Map<string, tf.Tensor> {
  return new Map(NAMES.map((n) => [n, tf.tensor(values[n]!, FIX.shapes[n]!)]));
}

export function disposeMap(m: Map<string, tf.Tensor>): void {
  for (const t of m.values()) t.dispose();
}

/** The lr to pass for update k (any number when the fixture says the optimiser ignores it). */
export function lrAt(run: RunFixture, k: number): number {
  return run.lrs === null ? 123.0 : run.lrs[k]!;
}

/** Applies the run's updates `from` ≤ k < `to` with the fixture's gradients. */
export function replay(
  run: RunFixture,
  opt: Optimizer,
  vars: Map<string, tf.Variable>,
  from: number,
  to: number,
): void {
  for (let k = from; k < to; k++) {
    const grads = makeGrads(FIX.grads[k]!);
    opt.apply(vars, grads, lrAt(run, k));
    disposeMap(grads);
  }
}

export function readVars(vars: Map<string, tf.Variable>): Flat {
  return Object.fromEntries(NAMES.map((n) => [n, Array.from(vars.get(n)!.dataSync())]));
}

/** max |a − b| over every parameter. */
export function maxAbsDiff(a: Flat, b: Flat): number {
  let m = 0;
  for (const n of NAMES) {
    const x = a[n]!;
    const y = b[n]!;
    if (x.length !== y.length) return Number.POSITIVE_INFINITY;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  }
  return m;
}

/** max |a − b| / |b| over every element (b's zeros compared absolutely). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    m = Math.max(m, b[i] === 0 ? d : d / Math.abs(b[i]!));
  }
  return m;
}

export function freshOptimizer(run: RunFixture): Optimizer {
  return createOptimizer(run.config);
}
