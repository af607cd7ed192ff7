import { describe, expect, it } from 'vitest';
import { isUserError } from '../../../../src/engine/errors.ts';
import {
  learningRateAt,
  lrMultiplier,
  type ScheduleConfig,
} from '../../../../src/engine/train/optim/schedule.ts';
import { FIX } from './fixture.ts';

/**
 * fixtures: the lr torch's LambdaLR (with HF's get_{constant,linear,cosine}_schedule_with_warmup
 * multipliers) gave the k-th optimizer.step(), k = 0..totalSteps+5. Both sides are float64; the
 * only difference can be the last bit of cos(), so the tolerance is 1e-12 relative (measured 0).
 */
const REL_TOL = 1e-12;

describe('learningRateAt vs HF schedules through torch LambdaLR', () => {
  for (const s of FIX.schedules) {
    const cfg: ScheduleConfig = {
      lr: s.lr,
      warmupSteps: s.warmupSteps,
      schedule: s.schedule,
      totalSteps: s.totalSteps,
    };
    it(`${s.schedule} lr=${s.lr} warmup=${s.warmupSteps} total=${s.totalSteps}`, () => {
      s.lrAtStep.forEach((want, k) => {
        const got = learningRateAt(k, cfg);
        expect(Math.abs(got - want), `step ${k}: ${got} vs ${want}`).toBeLessThanOrEqual(
          REL_TOL * Math.abs(want),
        );
      });
    });
  }

  it('indexing: the first update (step 0) uses lr·0 with warmup, the peak at step = warmupSteps', () => {
    const cfg: ScheduleConfig = { lr: 0.5, warmupSteps: 3, schedule: 'linear', totalSteps: 10 };
    expect(learningRateAt(0, cfg)).toBe(0);
    expect(learningRateAt(1, cfg)).toBeCloseTo(0.5 / 3, 15);
    expect(learningRateAt(3, cfg)).toBe(0.5);
    expect(learningRateAt(10, cfg)).toBe(0);
    expect(learningRateAt(12, cfg)).toBe(0);
  });

  it('cosine is not clamped past totalSteps (as HF): it climbs back', () => {
    const cfg: ScheduleConfig = { lr: 1, warmupSteps: 0, schedule: 'cosine', totalSteps: 4 };
    expect(learningRateAt(4, cfg)).toBeCloseTo(0, 15);
    expect(learningRateAt(6, cfg)).toBeCloseTo(0.5, 15);
    expect(lrMultiplier(2, cfg)).toBeCloseTo(0.5, 15);
  });

  it('bad fields are UserErrors; a fractional step is a bug', () => {
    const base: ScheduleConfig = { lr: 1, warmupSteps: 2, schedule: 'linear', totalSteps: 4 };
    for (const cfg of [
      { ...base, warmupSteps: -1 },
      { ...base, totalSteps: 2.5 },
      { ...base, lr: Number.NaN },
      { ...base, schedule: 'step' as 'linear' },
    ]) {
      let err: unknown;
      try {
        learningRateAt(3, cfg);
      } catch (e) {
        err = e;
      }
      expect(isUserError(err), JSON.stringify(cfg)).toBe(true);
    }
    expect(() => learningRateAt(1.5, base)).toThrow(/whole number/);
    // constant needs no totalSteps
    expect(learningRateAt(7, { ...base, schedule: 'constant', totalSteps: Number.NaN })).toBe(1);
  });
});
