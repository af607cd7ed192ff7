/** The engine's own kernels (issue 12): one list of what src/engine/kernels/ provides. */
export { attentionContext, attentionScores } from './attention.ts';
export {
  addRowsInPlace,
  copyValuesInto,
  writeRowsInPlace,
  writeValuesInPlace,
} from './backendMemory.ts';
export { dropoutApply, dropoutMask, dropoutMaskValues } from './dropoutMask.ts';
export { geluErf } from './gelu.ts';
export { layerNorm } from './layerNorm.ts';
export { setWasmGemmMode, wasmGemmVariant } from './wasmGemm.ts';
export {
  type AdamUpdateKernel,
  adamKernelOn,
  headsPV,
  headsQKt,
  setWasmKernelsEnabled,
  transpose2D,
  wasmKernelsReady,
} from './wasmKernels.ts';
export {
  type AdamUpdateConstants,
  adamKernelConstants,
  fusedAdamUpdate,
  fusedNorm2,
} from './wasmOptimKernels.ts';
