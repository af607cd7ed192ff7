/**
 * cplay embed --model DIR --input FILE.txt --out FILE.npy|FILE.json [--pooling P] [--max-length N]
 *             [--batch-size N] [--backend cpu|wasm|auto]
 * One sentence per line in, one embedding per line out: a NumPy .npy float32 [n, dim] matrix, or
 * a JSON array of arrays when --out ends in .json. Eval mode (no dropout).
 */
import { writeFile } from 'node:fs/promises';
import { UserError } from '../../src/engine/errors.ts';
import { parseFlags } from '../args.ts';
import {
  type CliIO,
  chooseMaxLength,
  choosePooling,
  embedSentences,
  encodeNpy,
  openModel,
  processIO,
  readTextLines,
  runCommand,
  setupBackend,
} from './common.ts';

export async function runEmbed(argv: string[], io: CliIO = processIO): Promise<number> {
  return runCommand('embed', io, async () => {
    const flags = parseFlags(argv, {
      model: 'string',
      input: 'string',
      out: 'string',
      pooling: 'string',
      'max-length': 'string',
      'batch-size': 'string',
      backend: 'string',
    });
    const modelPath = flags.string('model', true);
    const inputPath = flags.string('input', true);
    const outPath = flags.string('out', true);
    const asJson = outPath.toLowerCase().endsWith('.json');
    if (!asJson && !outPath.toLowerCase().endsWith('.npy')) {
      throw new UserError(`--out ${outPath} must end in .npy or .json.`);
    }
    const batchSize = flags.number('batch-size') ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new UserError(`--batch-size must be a positive integer, got ${batchSize}.`);
    const sentences = readTextLines(inputPath, 'input file');
    await setupBackend(flags.string('backend') ?? 'cpu');
    const folder = await openModel(modelPath);
    try {
      const pooling = choosePooling(flags.string('pooling'), folder);
      const maxLength = chooseMaxLength(flags.number('max-length'), folder);
      const { data, dim } = await embedSentences(folder.model, folder.tokenizer, sentences, {
        pooling,
        maxLength,
        batchSize,
      });
      const n = sentences.length;
      if (asJson) {
        const rows = Array.from({ length: n }, (_, i) =>
          Array.from(data.subarray(i * dim, (i + 1) * dim)),
        );
        await writeFile(outPath, `${JSON.stringify(rows)}\n`);
      } else {
        await writeFile(outPath, encodeNpy(data, [n, dim]));
      }
      io.err(
        `cplay embed: ${n} sentences → ${outPath} [${n}, ${dim}] (${pooling} pooling, max length ${maxLength})\n`,
      );
      return 0;
    } finally {
      folder.model.dispose();
    }
  });
}
