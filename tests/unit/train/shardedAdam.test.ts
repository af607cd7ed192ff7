/**
 * The replicas' sharded Adam / AdamW (src/engine/train/parallel/shardedAdam.ts, ZeRO-1): the JS
 * update a replica runs on its share of the weights gives the same bits as the one-worker update
 * (the fused kernel on wasm, the tf ops on cpu; both are checked against PyTorch in
 * optim/optimizer.test.ts), and the coordinator's ShardedAdam reads and restores the moments in
 * Adam's checkpoint format, refusing a malformed state before it writes anything.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/engine/errors.ts';
import { adamKernelOn } from '../../../src/engine/kernels/index.ts';
import * as tf from '../../../src/engine/tf.ts';
import { adamConstants } from '../../../src/engine/train/optim/adam.ts';
import {
  createOptimizer,
  type OptimizerKind,
  type OptimizerState,
} from '../../../src/engine/train/optim/optimizer.ts';
import type { VarSlot } from '../../../src/engine/train/parallel/protocol.ts';
import { tableRowBlock } from '../../../src/engine/train/parallel/replicaUpdate.ts';
import {
  adamUpdateInPlace,
  adamUpdateRange,
  ShardedAdam,
  shardedAdamSpec,
} from '../../../src/engine/train/parallel/shardedAdam.ts';
import { onWasmBackend } from '../../helpers/backends.ts';
import { lcgArray } from '../../helpers/random.ts';

interface Case {
  kind: 'adam' | 'adamw';
  weightDecay: number;
  gradScale: number;
  /** The update count this update makes (bias corrections). */
  step: number;
}

const CASES: Case[] = [
  { kind: 'adamw', weightDecay: 0.01, gradScale: 1, step: 1 },
  { kind: 'adamw', weightDecay: 0.01, gradScale: 0.37, step: 7 },
  { kind: 'adamw', weightDecay: 0, gradScale: 1, step: 3 },
  { kind: 'adam', weightDecay: 0.01, gradScale: 1, step: 2 },
  { kind: 'adam', weightDecay: 0, gradScale: 0.5, step: 1 },
];
const LR = 3e-3;

/** The one-worker update through the Optimizer (state at step − 1, then one apply). */
async function oneWorker(
  c: Case,
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
) {
  const opt = createOptimizer({ kind: c.kind, weightDecay: c.weightDecay });
  const shape = [p.length];
  opt.setState({
    kind: c.kind,
    step: c.step - 1,
    variables: {
      w: {
        step: c.step - 1,
        slots: { exp_avg: { shape, data: m }, exp_avg_sq: { shape, data: v } },
      },
    },
  });
  const w = tf.variable(tf.tensor1d(p));
  const grad = tf.tensor1d(g);
  opt.apply(new Map([['w', w]]), new Map([['w', grad]]), LR, c.gradScale);
  const state = await opt.getState();
  const out = {
    p: (await w.data()) as Float32Array,
    m: state.variables.w!.slots.exp_avg!.data,
    v: state.variables.w!.slots.exp_avg_sq!.data,
  };
  w.dispose();
  grad.dispose();
  opt.dispose();
  return out;
}

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((u, i) => u === y[i]);
}

function sameBitsSuite(): void {
  for (const c of CASES) {
    it(`${c.kind}, decay ${c.weightDecay}, gradient scale ${c.gradScale}, update ${c.step}`, async () => {
      for (const n of [1, 3, 4, 5, 64, 1027]) {
        const p = lcgArray(n, 11 + n, 0.5);
        const g = lcgArray(n, 23 + n, 0.02);
        const m = lcgArray(n, 37 + n, 0.01);
        // exp_avg_sq ≥ 0, some rows exactly 0 (the table's untouched rows after a first step).
        const v = lcgArray(n, 41 + n, 2e-4, 2e-4).map((x, i) => (i % 5 === 0 ? 0 : x));
        const want = await oneWorker(c, p, g, m, v);
        const [p2, m2, v2] = [p.slice(), m.slice(), v.slice()];
        const h = { ...c, beta1: 0.9, beta2: 0.999, eps: 1e-8, decayFor: () => c.weightDecay };
        adamUpdateRange(p2, g, m2, v2, adamConstants(h, 'w', c.step, LR, c.gradScale));
        expect(bitsEqual(p2, want.p)).toBe(true);
        expect(bitsEqual(m2, want.m)).toBe(true);
        expect(bitsEqual(v2, want.v)).toBe(true);
        // It moved: the identity would not pass the bit test above, but say so.
        expect(p2.some((x, i) => x !== p[i])).toBe(true);
      }
    });
  }
}

describe('the replicas’ Adam update gives the one-worker bits: wasm (the fused kernel)', () => {
  onWasmBackend();
  sameBitsSuite();
});

describe('the replicas’ Adam update gives the one-worker bits: cpu (the tf ops)', () => {
  sameBitsSuite();
});

describe('the fused kernel on the replicas’ arena (a shared WebAssembly memory)', () => {
  it('updates in place with the bits of adamUpdateRange; arrays elsewhere take the JS update', () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 4, shared: true });
    const kernel = adamKernelOn(memory);
    expect(kernel).not.toBeNull();
    const n = 1027;
    const at = (k: number) => new Float32Array(memory.buffer, 65_536 + k * 8_192, n);
    const [p, g, m, v] = [at(0), at(1), at(2), at(3)];
    p.set(lcgArray(n, 1, 0.5));
    g.set(lcgArray(n, 2, 0.02));
    m.set(lcgArray(n, 3, 0.01));
    v.set(lcgArray(n, 4, 2e-4, 2e-4));
    const [p2, m2, v2] = [p.slice(), m.slice(), v.slice()];
    for (const c of CASES) {
      const h = { ...c, beta1: 0.9, beta2: 0.999, eps: 1e-8, decayFor: () => c.weightDecay };
      const k = adamConstants(h, 'w', c.step, LR, c.gradScale);
      adamUpdateInPlace(kernel, p, g, m, v, k);
      adamUpdateRange(p2, g.slice(), m2, v2, k);
      expect(bitsEqual(p, p2) && bitsEqual(m, m2) && bitsEqual(v, v2)).toBe(true);
    }
    // Plain arrays (not in the kernel's memory) must not reach the kernel's pointers.
    const q = p2.slice();
    adamUpdateInPlace(
      kernel,
      q,
      g.slice(),
      m2.slice(),
      v2.slice(),
      adamConstants(
        { kind: 'adamw', beta1: 0.9, beta2: 0.999, eps: 1e-8, decayFor: () => 0 },
        'w',
        1,
        LR,
        1,
      ),
    );
    expect(bitsEqual(q, p2)).toBe(false);
    expect(bitsEqual(p, p2)).toBe(true); // the arena untouched by that call
  });
});

describe('adamUpdateRange', () => {
  it('refuses arrays of different lengths', () => {
    const a = new Float32Array(4);
    const h = { kind: 'adamw' as const, beta1: 0.9, beta2: 0.999, eps: 1e-8, decayFor: () => 0 };
    expect(() =>
      adamUpdateRange(a, new Float32Array(3), a, a, adamConstants(h, 'w', 1, 1, 1)),
    ).toThrow(/lengths 4, 3/);
  });
});

const SLOTS: VarSlot[] = [
  { name: 'a.weight', shape: [2, 3], offset: 0, size: 6 },
  { name: 'a.bias', shape: [3], offset: 6, size: 3 },
];
const P = 9;

function sharded(kind: OptimizerKind = 'adamw'): ShardedAdam {
  const h = { kind: kind as 'adamw', beta1: 0.9, beta2: 0.999, eps: 1e-8, decayFor: () => 0.01 };
  return new ShardedAdam(shardedAdamSpec(h, SLOTS), SLOTS, {
    expAvg: new Float32Array(P),
    expAvgSq: new Float32Array(P),
  });
}

function goodState(): OptimizerState {
  const s = (shape: number[], x: number) => ({
    shape,
    data: Float32Array.from({ length: shape.reduce((a, d) => a * d, 1) }, (_, i) => x + i),
  });
  return {
    kind: 'adamw',
    step: 5,
    variables: {
      'a.weight': { step: 5, slots: { exp_avg: s([2, 3], 1), exp_avg_sq: s([2, 3], 10) } },
    },
  };
}

describe('ShardedAdam: the moments in shared memory, in Adam’s checkpoint format', () => {
  it('round-trips a state; a variable never stepped has none; a step counts where present', async () => {
    const o = sharded();
    o.setState(goodState());
    expect(o.steps).toEqual([5, 0]);
    expect(await o.getState()).toEqual(goodState());
    o.counted([true, true]);
    const after = await o.getState();
    expect(after.step).toBe(6);
    expect(after.variables['a.weight']!.step).toBe(6);
    expect(after.variables['a.bias']!.step).toBe(1);
    expect(() => o.apply()).toThrow(/the replicas apply/);
    o.dispose();
    await expect(o.getState()).rejects.toThrow(/after dispose/);
  });

  const BAD: [string, (s: OptimizerState) => void, RegExp][] = [
    [
      'another optimiser',
      (s) => Object.assign(s, { kind: 'sgd' }),
      /is for sgd, but this run uses adamw/,
    ],
    [
      'a variable this model lacks',
      (s) => Object.assign(s.variables, { 'b.weight': s.variables['a.weight'] }),
      /has a variable b\.weight that this model does not/,
    ],
    [
      'a slot of another shape',
      (s) => Object.assign(s.variables['a.weight']!.slots.exp_avg!, { shape: [3, 2] }),
      /a\.weight\/exp_avg has shape \[3,2\] but the variable needs \[2,3\]/,
    ],
    [
      'a slot with too few values',
      (s) =>
        Object.assign(s.variables['a.weight']!.slots.exp_avg_sq!, { data: new Float32Array(2) }),
      /exp_avg_sq has 2 values for shape \[2,3\]/,
    ],
    [
      'a missing slot',
      (s) => delete (s.variables['a.weight']!.slots as Record<string, unknown>).exp_avg,
      /has no a\.weight\/exp_avg/,
    ],
    [
      'a negative step',
      (s) => Object.assign(s.variables['a.weight']!, { step: -1 }),
      /step of a\.weight is -1/,
    ],
  ];
  for (const [what, spoil, message] of BAD) {
    it(`refuses ${what} with a clear message and keeps the state it had`, async () => {
      const o = sharded();
      o.setState(goodState());
      const before = await o.getState();
      const bad = goodState();
      spoil(bad);
      let thrown: unknown;
      try {
        o.setState(bad);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(UserError);
      expect((thrown as Error).message).toMatch(message);
      expect(await o.getState()).toEqual(before);
    });
  }
});

describe('tableRowBlock: the word table’s rows split among the replicas', () => {
  it('covers every row once, in order', () => {
    for (const [V, K] of [
      [30522, 2],
      [30522, 3],
      [7, 8],
      [1, 2],
    ] as const) {
      let next = 0;
      for (let k = 0; k < K; k++) {
        const [a, b] = tableRowBlock(V, k, K);
        expect(a).toBe(next);
        expect(b).toBeGreaterThanOrEqual(a);
        next = b;
      }
      expect(next).toBe(V);
    }
  });
});
