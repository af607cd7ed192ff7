/**
 * The one TF.js entry point of the engine. `@tensorflow/tfjs` registers the chained
 * tensor methods (`x.reshape(...)`), every gradient, and the cpu + webgl backends;
 * webgpu and wasm are registered by `backend.ts` on demand. Import tf from here only.
 */
export * from '@tensorflow/tfjs';
