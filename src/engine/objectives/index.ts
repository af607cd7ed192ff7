/**
 * Training objectives: pure functions from encoder outputs (embeddings / logits) to a scalar,
 * differentiable loss. Call them inside `tf.variableGrads`; they dispose their intermediates.
 */
export {
  cosineLogits,
  type Labels,
  l2Normalize,
  softmaxCrossEntropy,
  stopGradient,
} from './common.ts';
export { crossEntropy, mse } from './crossEntropy.ts';
export { type LogitContrastOptions, logitContrast } from './logitContrast.ts';
export { momentumUpdate, NegativeQueue } from './queue.ts';
export { type RdropOptions, rdrop, rdropRegression } from './rdrop.ts';
export {
  type SimcseSupOptions,
  type SimcseUnsupOptions,
  simcseSup,
  simcseSupLogits,
  simcseUnsup,
  simcseUnsupLogits,
} from './simcse.ts';
export { type SclOptions, type SupconOptions, scl, supcon } from './supcon.ts';
