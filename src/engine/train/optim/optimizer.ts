/**
 * The optimisers of the trainer behind one interface, with PyTorch's / Hugging Face's update rules
 * so a run here and a run of the same recipe in PyTorch take the same steps:
 *
 *   sgd        torch.optim.SGD (momentum, dampening 0, no Nesterov; weight decay is L2 on the gradient)
 *   adam       torch.optim.Adam (weight decay is L2: g ← g + wd·p before the moments)
 *   adamw      torch.optim.AdamW (decoupled: p ← p·(1 − lr·wd), then the Adam step)
 *   adafactor  transformers.optimization.Adafactor (see adafactor.ts for how `lr` is used)
 *
 * Slots are named as torch / HF name them in `optimizer.state[p]`: `momentum_buffer`, `exp_avg`,
 * `exp_avg_sq`, `exp_avg_sq_row`, `exp_avg_sq_col`. As in torch, every variable keeps its own
 * update count (Adam's bias correction and Adafactor's schedules use it); a variable that gets no
 * gradient in an `apply` is skipped entirely, like a torch parameter whose `.grad` is None.
 *
 * Weight decay goes only to the variables `decayMask(name)` selects; the default is the BERT
 * recipe (no decay for biases and LayerNorm weights, decay.ts). Pass `decayMask: () => true` to
 * decay everything, as one torch param group does.
 */
import { UserError } from '../../errors.ts';
import type * as tf from '../../tf.ts';
import { Adafactor } from './adafactor.ts';
import { Adam } from './adam.ts';
import { decayMask as bertDecayMask } from './decay.ts';
import { Sgd } from './sgd.ts';

export type OptimizerKind = 'sgd' | 'adam' | 'adamw' | 'adafactor';

/** One optimiser slot of one variable, copied out of the device. */
export interface SlotState {
  shape: number[];
  data: Float32Array;
}

/** One variable's state: its own update count (torch's `state['step']`) and its slots. */
export interface VariableState {
  step: number;
  slots: Record<string, SlotState>;
}

/** What a checkpoint stores for the optimiser. Plain data: no tensors. */
export interface OptimizerState {
  kind: OptimizerKind;
  /** Number of `apply` calls so far. */
  step: number;
  /** Keyed by variable name (the keys of the `vars` map given to `apply`). */
  variables: Record<string, VariableState>;
}

export interface Optimizer {
  readonly kind: OptimizerKind;
  /**
   * One update of every variable in `vars` that has a gradient in `grads` (same keys; a gradient
   * for a name not in `vars` is an error, a variable with no gradient is left alone). `lr` is this
   * step's learning rate from the schedule (schedule.ts). Disposes nothing it doesn't own: the
   * caller still owns and disposes `grads`. Reads nothing back from the device. `gradScale`
   * multiplies every gradient first (gradient clipping's coefficient, clip.ts `clipCoefficient`;
   * 1 = none): folded into the update, so no clipped copy of the gradients is made.
   */
  apply(
    vars: Map<string, tf.Variable>,
    grads: Map<string, tf.Tensor>,
    lr: number,
    gradScale?: number,
  ): void;
  /** Serializable state for checkpoints: step count + every slot as Float32Array with shape. */
  getState(): Promise<OptimizerState>;
  /** Replaces the whole state (disposing the current slots); the next `apply` continues from it. */
  setState(state: OptimizerState): void;
  /** Frees every slot. The optimiser cannot be used afterwards. */
  dispose(): void;
}

/**
 * Adafactor's own options, defaults as transformers.optimization.Adafactor:
 * `relativeStep` true, `scaleParameter` true, `warmupInit` false, `beta1` null (no first
 * moment), `clipThreshold` 1.0, `decayRate` −0.8, `eps` [1e-30, 1e-3].
 *
 * How the run's `lr` is used: with `relativeStep: true` (the default, HF's `lr=None`) the step size
 * is Adafactor's own min(1e-2, 1/√step) (1e-6·step with `warmupInit`) and the `lr` passed to
 * `apply` — i.e. the experiment's lr and its schedule — is IGNORED. With `relativeStep: false`
 * the `lr` passed to `apply` is the step size (HF's `lr=...` with a LambdaLR on top), still
 * multiplied by max(eps[1], RMS(param)) while `scaleParameter` is true; for a plain external
 * schedule HF recommends `relativeStep: false, scaleParameter: false`.
 */
export interface AdafactorOptions {
  relativeStep?: boolean;
  scaleParameter?: boolean;
  warmupInit?: boolean;
  beta1?: number | null;
  clipThreshold?: number;
  decayRate?: number;
  eps?: [number, number];
}

export interface OptimizerConfig {
  kind: OptimizerKind;
  /** Defaults as torch / HF: 0.01 for adamw, 0 for the others. */
  weightDecay?: number;
  /** adam / adamw: default [0.9, 0.999]. */
  betas?: [number, number];
  /** adam / adamw: added to √v̂, default 1e-8. (Adafactor's two eps live in `adafactor.eps`.) */
  eps?: number;
  /** sgd: default 0 (plain SGD). */
  momentum?: number;
  adafactor?: AdafactorOptions;
  /** true = decay this variable; default `decayMask` from decay.ts (the BERT no_decay rule). */
  decayMask?: (name: string) => boolean;
}

export interface ResolvedAdafactorOptions {
  relativeStep: boolean;
  scaleParameter: boolean;
  warmupInit: boolean;
  beta1: number | null;
  clipThreshold: number;
  decayRate: number;
  eps: [number, number];
}

function check(ok: boolean, field: string, rule: string, value: unknown): void {
  if (!ok) throw new UserError(`optimizer.${field} must be ${rule}, got ${JSON.stringify(value)}.`);
}

function isBeta(x: number): boolean {
  return Number.isFinite(x) && x >= 0 && x < 1;
}

/** Builds the optimiser `cfg.kind` names; throws UserError for an out-of-range hyperparameter. */
export function createOptimizer(cfg: OptimizerConfig): Optimizer {
  const weightDecay = cfg.weightDecay ?? (cfg.kind === 'adamw' ? 0.01 : 0);
  check(
    Number.isFinite(weightDecay) && weightDecay >= 0,
    'weightDecay',
    'a number ≥ 0',
    weightDecay,
  );
  const mask = cfg.decayMask ?? bertDecayMask;
  const decayFor = (name: string): number => (weightDecay !== 0 && mask(name) ? weightDecay : 0);

  switch (cfg.kind) {
    case 'sgd': {
      const momentum = cfg.momentum ?? 0;
      check(Number.isFinite(momentum) && momentum >= 0, 'momentum', 'a number ≥ 0', momentum);
      return new Sgd(momentum, decayFor);
    }
    case 'adam':
    case 'adamw': {
      const betas = cfg.betas ?? [0.9, 0.999];
      check(betas.length === 2 && betas.every(isBeta), 'betas', 'two numbers in [0, 1)', betas);
      const eps = cfg.eps ?? 1e-8;
      check(Number.isFinite(eps) && eps >= 0, 'eps', 'a number ≥ 0', eps);
      return new Adam(cfg.kind, betas[0], betas[1], eps, decayFor);
    }
    case 'adafactor': {
      const a = cfg.adafactor ?? {};
      const o: ResolvedAdafactorOptions = {
        relativeStep: a.relativeStep ?? true,
        scaleParameter: a.scaleParameter ?? true,
        warmupInit: a.warmupInit ?? false,
        beta1: a.beta1 ?? null,
        clipThreshold: a.clipThreshold ?? 1.0,
        decayRate: a.decayRate ?? -0.8,
        eps: a.eps ?? [1e-30, 1e-3],
      };
      // HF raises the same: warmup_init only shapes the relative step.
      check(
        !o.warmupInit || o.relativeStep,
        'adafactor.warmupInit',
        'false when relativeStep is false',
        o.warmupInit,
      );
      check(
        o.beta1 === null || isBeta(o.beta1),
        'adafactor.beta1',
        'null or a number in [0, 1)',
        o.beta1,
      );
      check(
        Number.isFinite(o.clipThreshold) && o.clipThreshold > 0,
        'adafactor.clipThreshold',
        'a number > 0',
        o.clipThreshold,
      );
      check(
        Number.isFinite(o.decayRate) && o.decayRate <= 0,
        'adafactor.decayRate',
        'a number ≤ 0',
        o.decayRate,
      );
      check(
        o.eps.length === 2 && o.eps.every((e) => Number.isFinite(e) && e >= 0),
        'adafactor.eps',
        'two numbers ≥ 0',
        o.eps,
      );
      return new Adafactor(o, decayFor);
    }
    default:
      throw new UserError(
        `optimizer.kind must be sgd, adam, adamw or adafactor, got ${JSON.stringify((cfg as { kind: unknown }).kind)}.`,
      );
  }
}
