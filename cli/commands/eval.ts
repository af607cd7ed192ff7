/**
 * cplay eval --model DIR --data PAIRS.tsv [--pooling P] [--max-length N] [--batch-size N]
 *            [--backend cpu|wasm|auto]
 * STS evaluation as SimCSE reports it: cosine similarity of the two sentences' embeddings against
 * the gold scores, Spearman and Pearson × 100, no regressor. PAIRS.tsv is UTF-8 with a header row
 * naming the columns sentence1, sentence2 and score. Prints one JSON line:
 * {"spearman":..,"pearson":..,"n":..}.
 */
import { UserError } from '../../src/engine/errors.ts';
import { pearson, spearman } from '../../src/engine/metrics/correlation.ts';
import { parseFlags } from '../args.ts';
import {
  type CliIO,
  chooseMaxLength,
  choosePooling,
  embedSentences,
  openModel,
  processIO,
  readTextLines,
  runCommand,
  setupBackend,
} from './common.ts';

export interface StsPairs {
  sentence1: string[];
  sentence2: string[];
  scores: number[];
}

/** Parse an STS TSV (header: sentence1, sentence2, score in any column order); errors name the line. */
export function parseStsTsv(lines: string[], file: string): StsPairs {
  const header = (lines[0] ?? '').split('\t').map((h) => h.trim().toLowerCase());
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0)
      throw new UserError(
        `${file}: line 1 must be a header naming the columns sentence1, sentence2 and score (tab-separated).`,
      );
    return i;
  };
  const [c1, c2, cs] = [col('sentence1'), col('sentence2'), col('score')];
  const out: StsPairs = { sentence1: [], sentence2: [], scores: [] };
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = line.split('\t');
    const where = `${file}: line ${i + 2}`;
    if (fields.length < header.length)
      throw new UserError(`${where} has ${fields.length} columns, the header ${header.length}.`);
    const score = Number(fields[cs]);
    if (fields[cs]!.trim() === '' || !Number.isFinite(score))
      throw new UserError(`${where}: score "${fields[cs]}" is not a number.`);
    out.sentence1.push(fields[c1]!);
    out.sentence2.push(fields[c2]!);
    out.scores.push(score);
  });
  if (out.scores.length < 2)
    throw new UserError(
      `${file} has ${out.scores.length} scored pairs; Spearman needs at least 2.`,
    );
  return out;
}

/** Row-wise cosine similarity of two [n, d] row-major matrices. */
export function rowCosines(a: Float32Array, b: Float32Array, dim: number): number[] {
  const n = a.length / dim;
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let k = i * dim; k < (i + 1) * dim; k++) {
      ab += a[k]! * b[k]!;
      aa += a[k]! * a[k]!;
      bb += b[k]! * b[k]!;
    }
    out[i] = ab / (Math.sqrt(aa * bb) || 1);
  }
  return out;
}

export async function runEval(argv: string[], io: CliIO = processIO): Promise<number> {
  return runCommand('eval', io, async () => {
    const flags = parseFlags(argv, {
      model: 'string',
      data: 'string',
      pooling: 'string',
      'max-length': 'string',
      'batch-size': 'string',
      backend: 'string',
    });
    const modelPath = flags.string('model', true);
    const dataPath = flags.string('data', true);
    const batchSize = flags.number('batch-size') ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new UserError(`--batch-size must be a positive integer, got ${batchSize}.`);
    const pairs = parseStsTsv(readTextLines(dataPath, 'data file'), dataPath);
    await setupBackend(flags.string('backend') ?? 'cpu');
    const folder = await openModel(modelPath);
    try {
      const pooling = choosePooling(flags.string('pooling'), folder);
      const maxLength = chooseMaxLength(flags.number('max-length'), folder);
      const opts = { pooling, maxLength, batchSize };
      const a = await embedSentences(folder.model, folder.tokenizer, pairs.sentence1, opts);
      const b = await embedSentences(folder.model, folder.tokenizer, pairs.sentence2, opts);
      const cos = rowCosines(a.data, b.data, a.dim);
      const result = {
        spearman: spearman(cos, pairs.scores) * 100,
        pearson: pearson(cos, pairs.scores) * 100,
        n: cos.length,
      };
      io.out(`${JSON.stringify(result)}\n`);
      return 0;
    } finally {
      folder.model.dispose();
    }
  });
}
