/**
 * The engine's side of one run: the real Trainer (as `cplay train` runs it, WASM backend) on the
 * prepared config, evaluated with the engine's own `evaluate` on STS-B dev (the Trainer's eval
 * set) and test, before step 1 and after the last step. Checks that every batch it trains on is the
 * one recorded for PyTorch.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { evaluate } from '../../src/engine/train/evaluate.ts';
import type { EvalEvent } from '../../src/engine/train/events.ts';
import { Trainer } from '../../src/engine/train/trainer.ts';
import { nodeIO, type PreparedRun } from './prepare.ts';
import { batchKey } from './record.ts';

export interface StsScores {
  spearman: number;
  pearson: number;
  alignment: number;
  uniformity: number;
  pairs: number;
}

export interface SideResult {
  start: { dev: StsScores; test: StsScores };
  end: { dev: StsScores; test: StsScores };
  /** Loss of every step, in order. */
  losses: number[];
  /** Learning rate of every step. */
  lrs: number[];
  trainMs: number;
  wallMs: number;
}

export interface OursResult extends SideResult {
  backend: string;
  /** Steps whose drawn batch differed from the recorded one (0 when both sides saw the same). */
  batchMismatches: number;
}

export function wasmPaths(): string {
  const require = createRequire(import.meta.url);
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
}

function scores(
  ev: Pick<EvalEvent, 'spearman' | 'pearson' | 'alignment' | 'uniformity'>,
  pairs: number,
): StsScores {
  return {
    spearman: ev.spearman ?? Number.NaN,
    pearson: ev.pearson ?? Number.NaN,
    alignment: ev.alignment ?? Number.NaN,
    uniformity: ev.uniformity ?? Number.NaN,
    pairs,
  };
}

export async function trainOurs(p: PreparedRun, log: (m: string) => void): Promise<OursResult> {
  const t0 = Date.now();
  let step = 0;
  let mismatches = 0;
  let failure: string | null = null;
  const trainer = await Trainer.create(p.config, {
    emit: (e) => {
      if (e.type === 'error') failure = e.message;
      if (e.type === 'step' && (e.step % 50 === 0 || e.step === p.shape.steps))
        log(`ours ${p.recipe.name} s${p.shape.seed}: step ${e.step} loss ${e.loss.toFixed(4)}`);
    },
    runId: `quality-${p.recipe.name}-${p.shape.seed}`,
    io: nodeIO(),
    backendOptions: { wasmPaths: wasmPaths() },
    onBatch: (_s, segments) => {
      if (batchKey(segments) !== p.drawn[step]) mismatches++;
      step++;
    },
  });
  try {
    const devPairs = trainer.evalSet?.examples.length ?? 0;
    const testPairs = p.test.examples.length;
    const evalTest = async () =>
      scores(
        await evaluate({
          bundle: trainer.bundle,
          config: trainer.config,
          evalSet: p.test,
          heldOut: [],
          step: trainer.step,
          contrastive: true,
        }),
        testPairs,
      );
    // The step-0 eval (the run would make it itself, before step 1) and the same on test.
    await trainer.runEval();
    const devStart = trainer.evalEvents.find((e) => e.step === 0);
    if (!devStart) throw new Error('no evaluation at step 0');
    const testStart = await evalTest();
    const t1 = Date.now();
    await trainer.run();
    const trainMs = Date.now() - t1;
    if (failure) throw new Error(failure);
    const devEnd = trainer.evalEvents.at(-1);
    if (!devEnd || devEnd.step !== p.shape.steps)
      throw new Error(`the run stopped at step ${trainer.step} of ${p.shape.steps}`);
    const testEnd = await evalTest();
    return {
      backend: trainer.backend.name,
      start: { dev: scores(devStart, devPairs), test: testStart },
      end: { dev: scores(devEnd, devPairs), test: testEnd },
      losses: trainer.stepEvents.map((s) => s.loss),
      lrs: trainer.stepEvents.map((s) => s.lr),
      trainMs,
      wallMs: Date.now() - t0,
      batchMismatches: mismatches + Math.abs(step - p.drawn.length),
    };
  } finally {
    trainer.dispose();
  }
}
