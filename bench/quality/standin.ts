/**
 * A stand-in for the pretrained encoder while public/builtin/models/bert-tiny-en/ is not in the
 * checkout (--quick only): the default recipe trained for a few steps and exported, as
 * `cplay train … --out` does, to bench/tmp/quality/standin/. It exercises the pretrained path
 * (a model folder with its own tokenizer); its numbers say nothing about bert-tiny-en.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Trainer } from '../../src/engine/train/trainer.ts';
import { wasmPaths } from './ours.ts';
import { nodeIO, QUALITY_TMP } from './prepare.ts';
import { RECIPES, recipeConfig } from './recipes.ts';

export const STANDIN_DIR = join(QUALITY_TMP, 'standin');
const STANDIN_STEPS = 30;

export async function ensureStandIn(log: (m: string) => void): Promise<string> {
  const stamp = JSON.stringify({ recipe: 'default', steps: STANDIN_STEPS, seed: 0, format: 1 });
  const stampFile = join(STANDIN_DIR, 'bench-stamp.json');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return STANDIN_DIR;
  log(`training a stand-in encoder (default recipe, ${STANDIN_STEPS} steps) into ${STANDIN_DIR}`);
  const config = recipeConfig(RECIPES.default, {
    steps: STANDIN_STEPS,
    seed: 0,
    encoder: 'builtin',
    evalPairs: 50,
  });
  const trainer = await Trainer.create(config, {
    emit: () => {},
    runId: 'quality-standin',
    io: nodeIO(),
    backendOptions: { wasmPaths: wasmPaths() },
  });
  try {
    await trainer.run();
    if (trainer.step !== STANDIN_STEPS) throw new Error('the stand-in encoder run did not finish');
    for (const [name, bytes] of await trainer.exportModel()) {
      const p = join(STANDIN_DIR, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, bytes);
    }
  } finally {
    trainer.dispose();
  }
  writeFileSync(stampFile, stamp);
  return STANDIN_DIR;
}
