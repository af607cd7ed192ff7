/**
 * The data layer's shared types: kinds of data set, examples, the loaded data set with its
 * report, column maps, and the host-provided I/O (fetch, cache, file opening, progress).
 */

/**
 * - `sentences`: one sentence per example (unsupervised SimCSE, EDA views).
 * - `pairs`: positive pairs (anchor, positive).
 * - `triplets`: anchor, positive, hard negative (supervised SimCSE).
 * - `labeled`: sentence + class (SupCon / SCL, R-Drop, CE).
 * - `labeled-pairs`: sentence pair + class (text matching, NLI).
 * - `sts`: sentence pair + similarity score (STS evaluation).
 */
export type DataKind = 'sentences' | 'pairs' | 'triplets' | 'labeled' | 'labeled-pairs' | 'sts';

export const DATA_KINDS: readonly DataKind[] = [
  'sentences',
  'pairs',
  'triplets',
  'labeled',
  'labeled-pairs',
  'sts',
];

export interface Example {
  text: string;
  text2?: string;
  text3?: string;
  /** Class index into `Dataset.labelNames` when that is set, else the file's own integer label. */
  label?: number;
  /** The score rescaled to [0, 1] when the set's range is known, else equal to `rawScore`. */
  score?: number;
  /** The score exactly as the file gives it. */
  rawScore?: number;
}

export interface DataReport {
  /** Data rows read (header excluded; a row seen only to detect the limit is not counted). */
  rowsRead: number;
  /** Examples kept. */
  kept: number;
  /** Rows dropped because a text field they need is empty (blank lines included). */
  emptyRemoved: number;
  /** Rows dropped as duplicates (by sentence for `sentences`; whole example otherwise, opt-in). */
  duplicatesRemoved: number;
  /** True when the limit stopped reading before the end of the data. */
  truncatedAtLimit: boolean;
}

export interface Dataset {
  kind: DataKind;
  name: string;
  examples: Example[];
  labelNames?: string[];
  /** The raw score range used to rescale `score` to [0, 1]. */
  scoreRange?: [number, number];
  report: DataReport;
}

/** Which column (header name, or 1-based position for header-less files) holds each field. */
export type ColumnMap = {
  text?: string;
  text2?: string;
  text3?: string;
  label?: string;
  score?: string;
};

export type ColumnRole = keyof ColumnMap;

/** Bytes kept across sessions (the browser host passes a Cache-API-backed one). */
export interface DataCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

export interface DataProgress {
  /** 'list' (Hub file listing), 'download', 'cache' (read from the cache), 'parse'. */
  phase: string;
  /** Bytes, except while parsing Parquet, where it counts rows (as does `total`). */
  loaded: number;
  total?: number;
}

export interface DataIO {
  fetch?: typeof fetch;
  /** The Hugging Face Hub base URL; tests point it at a local mirror. */
  hubBase?: string;
  cache?: DataCache;
  /** Node folder reads and browser uploads go through this. */
  openFile?(source: string): Promise<Blob | Uint8Array>;
  onProgress?(p: DataProgress): void;
}

/** Options shared by every way of loading. */
export interface ParseOptions {
  /** Raw score range; scores are rescaled to [0, 1] with it and checked against it. */
  scoreRange?: [number, number];
  /** Fixed class names (their order gives the label indices). */
  labelNames?: string[];
  /** Drop duplicates (default: true for `sentences`, false otherwise). */
  dedup?: boolean;
  onProgress?(p: DataProgress): void;
}

export interface LoadSpec extends Omit<ParseOptions, 'onProgress'> {
  source: string;
  kind: DataKind;
  columns?: ColumnMap;
  /** Keep at most this many examples (the first ones in file order). */
  limit?: number;
  split?: string;
}

export type ByteSource = Uint8Array | Blob;
