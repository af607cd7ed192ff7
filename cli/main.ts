/**
 * cplay — the Contrastive Playground command line (Node, same engine as the browser).
 *   cplay train (--preset ID | --config FILE.json) [--set key=value …] [--max-steps N] --out DIR [--backend B] [--resume]
 *   cplay embed --model DIR --input FILE.txt --out FILE.npy [--pooling P] [--max-length N] [--backend B]
 *   cplay eval  --model DIR --data PAIRS.tsv [--pooling P] [--backend B]
 *   cplay bench [--quick]
 *   cplay bench --quality [--quick] [--steps N] [--seeds 0,1] [--recipes R,…] [--encoder PATH]
 */
import { PRESETS } from '../src/engine/config/presets.ts';
import { isUserError } from '../src/engine/errors.ts';

const USAGE = `usage: cplay <command> [flags]
  train (--preset ID | --config FILE.json) --out DIR [--set key=value ...] [--max-steps N]
        [--backend auto|wasm|cpu] [--workers N] [--resume]
        ID: a playground preset (${PRESETS.map((p) => p.id).join(', ')});
        --set takes the page link's dotted keys (--set optimizer.lr=1e-4), may repeat;
        --max-steps 0 evaluates and exports the untrained start
  embed --model DIR --input FILE.txt --out FILE.npy|FILE.json [--pooling P] [--max-length N] [--backend B]
  eval  --model DIR --data PAIRS.tsv [--pooling P] [--max-length N] [--backend B]
  bench [--quick]
  lab [--quick] [--chapters eda,consert,...] --out DIR [--set key=value ...] [--max-steps N] [--backend B]
  lab --merge DIR,DIR,... --out DIR   (joins finished lab tables into one)
  bench --quality [--quick] [--steps N] [--seeds 0,1] [--recipes R,...] [--encoder PATH] [--eval-pairs N]`;

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
      case 'lab':
        return await (await import('./commands/lab.ts')).runLab(rest);
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
