/**
 * The data layer: parsers (TSV/CSV/JSONL/TXT/Parquet), the Hugging Face Hub loader, the built-in
 * offline corpus, the catalogue of the papers' sets, and batching. Runs in the worker.
 */
export {
  type Batch,
  Batcher,
  type BatcherOptions,
  type BatcherState,
  bucketLength,
} from './batcher.ts';
export { cacheApiDataCache, memoryDataCache } from './cache.ts';
export { CATALOGUE, type CatalogueEntry, catalogueByHub, catalogueEntry } from './catalogue.ts';
export { KIND_ROLES } from './columns.ts';
export { DEFAULT_HUB_BASE, hubShards } from './hub.ts';
export { BUILTIN_SETS, loadDataset } from './loadDataset.ts';
export { detectFormat, type FileFormat, parseFile } from './parseFile.ts';
export { type ParsedSource, parseSource } from './source.ts';
export * from './types.ts';
