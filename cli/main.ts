/**
 * cplay — the Contrastive Playground command line (Node, same engine as the browser).
 *   cplay train --config FILE.json --out DIR [--backend B] [--resume]
 *   cplay embed --model DIR --input FILE.txt --out FILE.npy [--pooling P] [--max-length N] [--backend B]
 *   cplay eval  --model DIR --data PAIRS.tsv [--pooling P] [--backend B]
 *   cplay bench [--quick]
 */
import { isUserError } from '../src/engine/errors.ts';

const USAGE = `usage: cplay <command> [flags]
  train --config FILE.json --out DIR [--backend auto|wasm|cpu] [--resume]
  embed --model DIR --input FILE.txt --out FILE.npy|FILE.json [--pooling P] [--max-length N] [--backend B]
  eval  --model DIR --data PAIRS.tsv [--pooling P] [--max-length N] [--backend B]
  bench [--quick]`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train':
        return await (await import('./commands/train.ts')).runTrain(rest);
      case 'embed':
        return await (await import('./commands/embed.ts')).runEmbed(rest);
      case 'eval':
        return await (await import('./commands/eval.ts')).runEval(rest);
      case 'bench':
        return await (await import('../bench/run.ts')).runBench(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`cplay: unknown command "${command}"\n${USAGE}\n`);
        return 2;
    }
  } catch (e) {
    // One clear line, never a stack trace (set CPLAY_DEBUG=1 to see it).
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`cplay ${command}: ${isUserError(e) ? '' : 'error: '}${msg}\n`);
    if (process.env.CPLAY_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
