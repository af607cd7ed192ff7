/** Optimisers, learning-rate schedules and gradient clipping for the trainer. */
export { clipByGlobalNorm, globalNorm } from './clip.ts';
export { decayMask, NO_DECAY } from './decay.ts';
export type {
  AdafactorOptions,
  Optimizer,
  OptimizerConfig,
  OptimizerKind,
  OptimizerState,
  SlotState,
  VariableState,
} from './optimizer.ts';
export { createOptimizer } from './optimizer.ts';
export type { ScheduleConfig, ScheduleKind } from './schedule.ts';
export { learningRateAt, lrMultiplier } from './schedule.ts';
