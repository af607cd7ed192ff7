/**
 * Learning-rate schedules as Hugging Face's
 *   get_constant_schedule_with_warmup, get_linear_schedule_with_warmup,
 *   get_cosine_schedule_with_warmup (num_cycles = 0.5)
 * from transformers/optimization.py. Those are LambdaLR multipliers; the trainer calls
 * optimizer.step() then scheduler.step(), so the k-th update (k = 0, 1, ...) runs with
 * lr · λ(k). Here `step` is that k: the number of updates already applied, 0 for the first.
 * With warmup the first update therefore uses lr · 0, exactly as in HF.
 *
 *   warmup (s < W):  λ(s) = s / max(1, W)
 *   constant:        λ(s) = 1
 *   linear:          λ(s) = max(0, (T − s) / max(1, T − W))
 *   cosine:          λ(s) = max(0, ½·(1 + cos(π · 2·0.5 · (s − W) / max(1, T − W))))
 *
 * As in HF, cosine is not clamped at T: past totalSteps it climbs back along the cosine.
 */
import { UserError } from '../../errors.ts';

export type ScheduleKind = 'constant' | 'linear' | 'cosine';

export interface ScheduleConfig {
  /** Peak learning rate (after warmup). */
  lr: number;
  /** Updates of linear warmup from 0 to lr. */
  warmupSteps: number;
  schedule: ScheduleKind;
  /** Total updates of the run (HF's num_training_steps); unused by 'constant'. */
  totalSteps: number;
}

const NUM_CYCLES = 0.5;

function wholeNumber(x: number): boolean {
  return Number.isInteger(x) && x >= 0;
}

/** λ(step), the multiplier of the peak lr for the update at 0-based `step`. */
export function lrMultiplier(step: number, cfg: ScheduleConfig): number {
  if (!wholeNumber(step))
    throw new Error(`lrMultiplier: step must be a whole number ≥ 0, got ${step}`);
  if (!wholeNumber(cfg.warmupSteps)) {
    throw new UserError(`schedule warmupSteps must be a whole number ≥ 0, got ${cfg.warmupSteps}.`);
  }
  if (cfg.schedule !== 'constant' && !wholeNumber(cfg.totalSteps)) {
    throw new UserError(`schedule totalSteps must be a whole number ≥ 0, got ${cfg.totalSteps}.`);
  }
  const w = cfg.warmupSteps;
  const t = cfg.totalSteps;
  if (step < w) return step / Math.max(1, w);
  switch (cfg.schedule) {
    case 'constant':
      return 1;
    case 'linear':
      return Math.max(0, (t - step) / Math.max(1, t - w));
    case 'cosine': {
      const progress = (step - w) / Math.max(1, t - w);
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * NUM_CYCLES * 2 * progress)));
    }
    default:
      throw new UserError(
        `schedule must be constant, linear or cosine, got ${JSON.stringify(cfg.schedule)}.`,
      );
  }
}

/** The learning rate of the update at 0-based `step`: cfg.lr · λ(step). */
export function learningRateAt(step: number, cfg: ScheduleConfig): number {
  if (!Number.isFinite(cfg.lr) || cfg.lr < 0) {
    throw new UserError(`lr must be a number ≥ 0, got ${cfg.lr}.`);
  }
  return cfg.lr * lrMultiplier(step, cfg);
}
