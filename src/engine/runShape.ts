/**
 * The encoder and batch a run trains, read from its config (the built-in size, or the model
 * folder's config.json) before anything loads: what the backend probe measures.
 */
import type { ExperimentConfig } from './config/schema.ts';
import { type ModelIO, openSource } from './train/encoderSetup.ts';
import { readJson } from './weights/modelFolder.ts';

/** The encoder and batch a run trains: what the probe measures. */
export interface RunShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocabSize: number;
  /** Rows through the encoder per step: batchSize × views (2 for contrastive pairs of views). */
  rows: number;
  /** Tokens per row (encoder.maxLength). */
  length: number;
}

/** Rows through the encoder per example, by objective (views of each example in a step). */
const ROWS_PER_EXAMPLE: Record<ExperimentConfig['objective']['kind'], number> = {
  'simcse-unsup': 2,
  'simcse-sup': 3,
  supcon: 1,
  ce: 1,
  rdrop: 2,
  'logit-contrast': 2,
};

/** The built-in vocabulary's size (scripts/assets/vocab.ts learns 8,000 WordPiece tokens). */
const BUILTIN_VOCAB = 8000;

/** Host hooks to read a model folder's config.json (setupEncoder's sources). */
export type ShapeIO = Pick<ModelIO, 'fetch' | 'hubBase' | 'cache' | 'openModel'>;

/**
 * The run's shape: the built-in encoder's size, or the model folder's config.json (read ahead of
 * loading the folder; downloads are cached, so the load reads it again for free). Null when the
 * folder cannot be read: the load that follows then says why, in words.
 */
export async function runShapeOf(config: ExperimentConfig, io: ShapeIO): Promise<RunShape | null> {
  const rows = config.batchSize * ROWS_PER_EXAMPLE[config.objective.kind];
  const length = config.encoder.maxLength;
  const source = config.encoder.source;
  if (source === 'builtin') {
    const b = config.encoder.builtin;
    return { ...b, vocabSize: BUILTIN_VOCAB, rows, length };
  }
  try {
    if (!/^(builtin:|hf:|https?:\/\/)/.test(source) && !io.openModel) return null;
    const folder = await openSource(source, io);
    const c = await readJson(folder, 'config.json');
    if (!c) return null;
    const num = (k: string) => (typeof c[k] === 'number' ? (c[k] as number) : Number.NaN);
    const shape: RunShape = {
      layers: num('num_hidden_layers'),
      hidden: num('hidden_size'),
      heads: num('num_attention_heads'),
      intermediate: num('intermediate_size'),
      vocabSize: num('vocab_size'),
      rows,
      length,
    };
    const ok = Object.values(shape).every((v) => Number.isInteger(v) && v > 0);
    return ok && shape.hidden % shape.heads === 0 ? shape : null;
  } catch {
    return null;
  }
}
