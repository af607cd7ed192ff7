/**
 * The data-parallel step's Adam / AdamW update, sharded over the replicas: ZeRO stage 1
 * (Rajbhandari et al. 2020, "ZeRO: Memory Optimizations Toward Training Trillion Parameter
 * Models"). After the reduce-scatter each replica holds the summed gradient of its share of the
 * parameters; it updates that share of the weights and of the two moments in shared memory, so
 * the update costs P/K per replica, in parallel, instead of P at the coordinator after every
 * replica has finished. The coordinator keeps the loop and takes the updated weights back
 * when it reads them (pool.ts `takeBack`).
 *
 * The update is the one-worker update operation for operation (optim/adam.ts's tf ops and the
 * fused kernel, wasmKernels.c `adam_update`): each float32 operation rounded as float32 in the
 * same order, so the same bits. `ShardedAdam` is the coordinator's Optimizer while the replicas
 * hold the moments: checkpoints read and restore them through it, in Adam's own state format.
 */
import { UserError } from '../../errors.ts';
import {
  type AdamUpdateConstants,
  type AdamUpdateKernel,
  adamKernelConstants,
} from '../../kernels/index.ts';
import type { AdamHyper } from '../optim/adam.ts';
import type { Optimizer, OptimizerState, VariableState } from '../optim/optimizer.ts';
import type { VarSlot } from './protocol.ts';

const f = Math.fround;

/**
 * One Adam / AdamW update of p, m and v in place with gradient g (all of one length), as the
 * fused kernel computes it: g·gradScale (+ p·l2), p·decay, m' = m·β1 + g·(1 − β1),
 * v' = v·β2 + (g·g)·(1 − β2), p' = p − (m' / (√v' / √bc2 + eps))·stepSize, every product, sum,
 * quotient and root rounded to float32 (one rounding of the exact result, as float32 hardware).
 */
export function adamUpdateRange(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  c: AdamUpdateConstants,
): void {
  const n = p.length;
  if (g.length !== n || m.length !== n || v.length !== n)
    throw new Error(`adamUpdateRange: lengths ${n}, ${g.length}, ${m.length}, ${v.length}`);
  const gs = f(c.gradScale);
  const l2 = f(c.l2);
  const decay = f(c.decay ?? 1);
  const b1 = f(c.beta1);
  const omb1 = f(1 - c.beta1);
  const b2 = f(c.beta2);
  const omb2 = f(1 - c.beta2);
  const sbc2 = f(c.sqrtBiasCorrection2);
  const eps = f(c.eps);
  const ss = f(c.stepSize);
  if (l2 !== 0) adamL2(p, g, m, v, gs, l2, b1, omb1, b2, omb2, sbc2, eps, ss);
  else
    adamDecoupled(p, g, m, v, gs, c.decay === null ? 1 : decay, b1, omb1, b2, omb2, sbc2, eps, ss);
}

/**
 * The same update by the fused kernel where the arrays lie in the memory `kernel` runs on
 * (kernels/wasmKernels.ts `adamKernelOn`: the replicas' arena), else by `adamUpdateRange`. In
 * place: the kernel loads each group of four values before it stores it.
 */
export function adamUpdateInPlace(
  kernel: AdamUpdateKernel | null,
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  c: AdamUpdateConstants,
): void {
  const n = p.length;
  const inArena = kernel !== null && [p, g, m, v].every((a) => a.buffer === kernel.memory.buffer);
  if (!inArena || n === 0) {
    adamUpdateRange(p, g, m, v, c);
    return;
  }
  if (g.length !== n || m.length !== n || v.length !== n)
    throw new Error(`adamUpdateInPlace: lengths ${n}, ${g.length}, ${m.length}, ${v.length}`);
  const [P, M, V] = [p.byteOffset, m.byteOffset, v.byteOffset];
  kernel.run(P, g.byteOffset, M, V, P, M, V, n, ...adamKernelConstants(c));
}

/** AdamW (or Adam without decay): p·decay is exact for decay 1. One loop V8 optimises alone. */
function adamDecoupled(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  gs: number,
  decay: number,
  b1: number,
  omb1: number,
  b2: number,
  omb2: number,
  sbc2: number,
  eps: number,
  ss: number,
): void {
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gv = f(g[i]! * gs);
    const mn = f(f(m[i]! * b1) + f(gv * omb1));
    const vn = f(f(v[i]! * b2) + f(f(gv * gv) * omb2));
    const den = f(f(f(Math.sqrt(vn)) / sbc2) + eps);
    m[i] = mn;
    v[i] = vn;
    p[i] = f(p[i]! * decay) - f(f(mn / den) * ss);
  }
}

/** Adam with L2 decay: g ← g + p·l2 before the moments. */
function adamL2(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  gs: number,
  l2: number,
  b1: number,
  omb1: number,
  b2: number,
  omb2: number,
  sbc2: number,
  eps: number,
  ss: number,
): void {
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const pv = p[i]!;
    const gv = f(f(g[i]! * gs) + f(pv * l2));
    const mn = f(f(m[i]! * b1) + f(gv * omb1));
    const vn = f(f(v[i]! * b2) + f(f(gv * gv) * omb2));
    const den = f(f(f(Math.sqrt(vn)) / sbc2) + eps);
    m[i] = mn;
    v[i] = vn;
    p[i] = pv - f(f(mn / den) * ss);
  }
}

/** Adam's hyperparameters as the replicas receive them: the decay per slot, not a function. */
export interface ShardedAdamSpec {
  kind: 'adam' | 'adamw';
  beta1: number;
  beta2: number;
  eps: number;
  /** Weight decay of slot i (0 = none). */
  decay: number[];
}

export function shardedAdamSpec(h: AdamHyper, slots: VarSlot[]): ShardedAdamSpec {
  return {
    kind: h.kind,
    beta1: h.beta1,
    beta2: h.beta2,
    eps: h.eps,
    decay: slots.map((s) => h.decayFor(s.name)),
  };
}

export function hyperOf(spec: ShardedAdamSpec, slots: VarSlot[]): AdamHyper {
  const decay = new Map(slots.map((s, i) => [s.name, spec.decay[i] ?? 0]));
  return { ...spec, decayFor: (name) => decay.get(name) ?? 0 };
}

/**
 * The coordinator's optimiser while the replicas update the weights (ReplicaPool.step): it holds
 * each variable's update count and reads and writes the moments in shared memory for
 * checkpoints. `apply` is not used: the replicas apply.
 */
export class ShardedAdam implements Optimizer {
  readonly kind: 'adam' | 'adamw';
  /** Updates applied to slot i so far (0: it has no state yet, as a torch parameter never stepped). */
  readonly steps: number[];
  private applied = 0;
  private disposed = false;
  private readonly m: Float32Array;
  private readonly v: Float32Array;

  /** `moments`: exp_avg and exp_avg_sq of every slot, [P] each, where the replicas update them. */
  constructor(
    readonly spec: ShardedAdamSpec,
    private readonly slots: VarSlot[],
    moments: { expAvg: Float32Array; expAvgSq: Float32Array },
  ) {
    this.kind = spec.kind;
    this.steps = slots.map(() => 0);
    this.m = moments.expAvg;
    this.v = moments.expAvgSq;
  }

  apply(): void {
    throw new Error(`${this.kind}: the replicas apply the update (ReplicaPool.step)`);
  }

  /** One applied step: every slot that had a gradient counts an update. */
  counted(present: readonly boolean[]): void {
    this.slots.forEach((_, i) => {
      if (present[i]) this.steps[i]! += 1;
    });
    this.applied += 1;
  }

  async getState(): Promise<OptimizerState> {
    this.assertLive();
    const variables: Record<string, VariableState> = {};
    this.slots.forEach((s, i) => {
      const step = this.steps[i]!;
      if (step === 0) return;
      const at = (a: Float32Array) => ({
        shape: [...s.shape],
        data: a.slice(s.offset, s.offset + s.size),
      });
      variables[s.name] = { step, slots: { exp_avg: at(this.m), exp_avg_sq: at(this.v) } };
    });
    return { kind: this.kind, step: this.applied, variables };
  }

  setState(state: OptimizerState): void {
    this.assertLive();
    if (state.kind !== this.kind) {
      throw new UserError(
        `The checkpoint's optimizer state is for ${state.kind}, but this run uses ${this.kind}.`,
      );
    }
    const byName = new Map(this.slots.map((s, i) => [s.name, i]));
    // Everything checked before anything is written: a bad state leaves the current one.
    for (const [name, vs] of Object.entries(state.variables)) {
      const i = byName.get(name);
      if (i === undefined)
        throw new UserError(
          `The checkpoint's optimizer state has a variable ${name} that this model does not: the checkpoint is from a different model.`,
        );
      const s = this.slots[i]!;
      for (const slot of ['exp_avg', 'exp_avg_sq']) {
        const have = vs.slots[slot];
        if (!have) throw new UserError(`The checkpoint's optimizer state has no ${name}/${slot}.`);
        const same =
          have.shape.length === s.shape.length && have.shape.every((d, j) => d === s.shape[j]);
        if (!same)
          throw new UserError(
            `The optimizer slot ${name}/${slot} has shape [${have.shape}] but the variable needs [${s.shape}]: the checkpoint is from a different model.`,
          );
        if (have.data.length !== s.size)
          throw new UserError(
            `The checkpoint's optimizer slot ${name}/${slot} has ${have.data.length} values for shape [${have.shape}].`,
          );
      }
      if (!(Number.isInteger(vs.step) && vs.step >= 0))
        throw new UserError(`The checkpoint's optimizer step of ${name} is ${vs.step}.`);
    }
    this.m.fill(0);
    this.v.fill(0);
    this.steps.fill(0);
    for (const [name, vs] of Object.entries(state.variables)) {
      const i = byName.get(name)!;
      const s = this.slots[i]!;
      this.m.set(vs.slots.exp_avg!.data, s.offset);
      this.v.set(vs.slots.exp_avg_sq!.data, s.offset);
      this.steps[i] = vs.step;
    }
    this.applied = state.step;
  }

  dispose(): void {
    this.disposed = true;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error(`${this.kind} optimizer used after dispose()`);
  }
}
