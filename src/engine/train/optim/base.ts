/**
 * What every optimiser shares: per-variable slots held as non-trainable tf.Variables, the
 * per-variable update count, checkpoint state in and out, and the `apply` loop that runs each
 * variable's update inside its own `tf.tidy` (so nothing but the new slot and parameter values
 * survives a step).
 */
import { UserError } from '../../errors.ts';
import * as tf from '../../tf.ts';
import type {
  Optimizer,
  OptimizerKind,
  OptimizerState,
  SlotState,
  VariableState,
} from './optimizer.ts';

/** One variable's live state. */
export interface Slots {
  /** Updates applied to this variable so far (torch's per-parameter `state['step']`). */
  step: number;
  slots: Map<string, tf.Variable>;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function zerosVariable(shape: number[]): tf.Variable {
  // The zeros tensor is freed by tidy; the variable holds its own reference to the buffer.
  // tf.fill runs on the backend (tf.zeros fills on the CPU and uploads: 31 MB on WebGPU for the
  // word-embedding table's two AdamW slots).
  return tf.tidy(() => tf.variable(tf.fill(shape, 0), false));
}

export abstract class SlotOptimizer implements Optimizer {
  abstract readonly kind: OptimizerKind;
  private applied = 0;
  private readonly state = new Map<string, Slots>();
  private disposed = false;
  /** This apply's scalar constants by value (see `constant`); freed when the apply ends. */
  private readonly constants = new Map<number, tf.Scalar>();

  /** The slots (torch's state names) and their shapes for a variable of `shape`. */
  protected abstract slotShapes(shape: number[]): Record<string, number[]>;

  /**
   * Updates `v` (and its `slots`) with gradient `g`; runs inside tf.tidy. `step` is this variable's
   * update count including this update (1 on its first update); `gradScale` multiplies `g` first
   * (`scaled` does it with tf ops).
   */
  protected abstract update(
    name: string,
    v: tf.Variable,
    g: tf.Tensor,
    slots: Map<string, tf.Variable>,
    step: number,
    lr: number,
    gradScale: number,
  ): void;

  apply(
    vars: Map<string, tf.Variable>,
    grads: Map<string, tf.Tensor>,
    lr: number,
    gradScale = 1,
  ): void {
    this.assertLive();
    if (!Number.isFinite(lr) || lr < 0) {
      throw new Error(`${this.kind}.apply: lr must be a finite number ≥ 0, got ${lr}`);
    }
    if (!Number.isFinite(gradScale) || gradScale < 0) {
      throw new Error(
        `${this.kind}.apply: gradScale must be a finite number ≥ 0, got ${gradScale}`,
      );
    }
    for (const name of grads.keys()) {
      if (!vars.has(name))
        throw new Error(`${this.kind}.apply: gradient for unknown variable ${name}`);
    }
    // Check everything before touching anything, so a bad call leaves no half-applied step.
    const work: [string, tf.Variable, tf.Tensor, Slots][] = [];
    for (const [name, v] of vars) {
      const g = grads.get(name);
      if (g === undefined) continue;
      if (!sameShape(g.shape, v.shape)) {
        throw new Error(
          `${this.kind}.apply: gradient of ${name} has shape [${g.shape}], the variable [${v.shape}]`,
        );
      }
      work.push([name, v, g, this.slotsFor(name, v.shape)]);
    }
    try {
      for (const [name, v, g, entry] of work) {
        entry.step += 1;
        const step = entry.step;
        tf.tidy(() => this.update(name, v, g, entry.slots, step, lr, gradScale));
      }
    } finally {
      for (const c of this.constants.values()) c.dispose();
      this.constants.clear();
    }
    this.applied += 1;
  }

  /** g · gradScale by tf ops (g itself when the scale is 1). */
  protected scaled(g: tf.Tensor, gradScale: number): tf.Tensor {
    return gradScale === 1 ? g : tf.mul(g, this.constant(gradScale));
  }

  /**
   * A scalar constant shared by every variable's update in this apply: a JS number in a tf op
   * becomes a new scalar tensor each time (on WebGPU one upload each, ~7 per weight per step).
   */
  protected constant(x: number): tf.Scalar {
    let c = this.constants.get(x);
    if (c === undefined) {
      c = tf.keep(tf.scalar(x));
      this.constants.set(x, c);
    }
    return c;
  }

  async getState(): Promise<OptimizerState> {
    this.assertLive();
    const variables: Record<string, VariableState> = {};
    for (const [name, entry] of this.state) {
      const slots: Record<string, SlotState> = {};
      for (const [slot, v] of entry.slots) {
        // A copy: some backends hand out their own buffer.
        slots[slot] = { shape: [...v.shape], data: (await v.data<'float32'>()).slice() };
      }
      variables[name] = { step: entry.step, slots };
    }
    return { kind: this.kind, step: this.applied, variables };
  }

  setState(state: OptimizerState): void {
    this.assertLive();
    if (state.kind !== this.kind) {
      throw new UserError(
        `The checkpoint's optimizer state is for ${state.kind}, but this run uses ${this.kind}.`,
      );
    }
    const next = new Map<string, Slots>();
    try {
      for (const [name, vs] of Object.entries(state.variables)) {
        const slots = new Map<string, tf.Variable>();
        next.set(name, { step: vs.step, slots });
        for (const [slot, s] of Object.entries(vs.slots)) {
          const size = s.shape.reduce((a, d) => a * d, 1);
          if (s.data.length !== size) {
            throw new UserError(
              `The checkpoint's optimizer slot ${name}/${slot} has ${s.data.length} values for shape [${s.shape}].`,
            );
          }
          slots.set(
            slot,
            tf.tidy(() => tf.variable(tf.tensor(s.data, s.shape, 'float32'), false)),
          );
        }
      }
    } catch (e) {
      disposeAll(next);
      throw e;
    }
    disposeAll(this.state);
    this.state.clear();
    for (const [name, entry] of next) this.state.set(name, entry);
    this.applied = state.step;
  }

  dispose(): void {
    if (this.disposed) return;
    disposeAll(this.state);
    this.state.clear();
    this.disposed = true;
  }

  /** This variable's state, creating any missing slot as zeros (torch's lazy state init). */
  private slotsFor(name: string, shape: number[]): Slots {
    let entry = this.state.get(name);
    if (entry === undefined) {
      entry = { step: 0, slots: new Map() };
      this.state.set(name, entry);
    }
    for (const [slot, want] of Object.entries(this.slotShapes(shape))) {
      const have = entry.slots.get(slot);
      if (have === undefined) {
        entry.slots.set(slot, zerosVariable(want));
      } else if (!sameShape(have.shape, want)) {
        throw new UserError(
          `The optimizer slot ${name}/${slot} has shape [${have.shape}] but the variable needs [${want}]: the checkpoint is from a different model.`,
        );
      }
    }
    return entry;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error(`${this.kind} optimizer used after dispose()`);
  }
}

function disposeAll(state: Map<string, Slots>): void {
  for (const entry of state.values()) for (const v of entry.slots.values()) v.dispose();
}
