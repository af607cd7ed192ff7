/**
 * The numbers each browser backend computes, against the PyTorch fixtures, in the production
 * build: the page starts the app's own training Worker bundle (dist/assets/trainingWorker-*.js)
 * and sends it `{ type: 'bench', request: { kind: 'numbers' } }` (src/worker/benchNumbers.ts),
 * which loads the fixtures from the test server (/__test-fixtures/, globalSetup.ts) and returns
 * plain numbers; every comparison happens here. On WebGPU (SwiftShader adapter here) and WASM:
 *
 * - the encoder (tests/fixtures/model/tiny-bert) in eval mode on golden.json's 4 batches:
 *   last_hidden_state and all 5 poolers; the 9 hidden_act variants' last_hidden_state and
 *   pooler_output (make_model.py, HF BertModel, float32); and dropout replay (the same seed twice
 *   gives the same output, as GradCache needs). Tolerance: 1e-4 max abs.
 * - one SGD step (lr 0.1, dropout 0, shuffle off) of simcse-unsup, simcse-sup and rdrop from
 *   tests/fixtures/train/tiny-bert-cls (make_train.py's sgd_step.json and sgd-*.safetensors, as
 *   tests/unit/train/cliTrain.test.ts checks on cpu): the loss within 1e-4 abs, the global
 *   gradient norm within 1e-4 relative, every one of the 39 BERT weights within 1e-4 abs.
 *
 * Each check first asserts that the backend that ran is the one asked for (no silent fallback).
 * Measured here (SwiftShader WebGPU, threaded WASM): encoder max abs diff ~3e-6, step weights ~5e-7.
 * It catches the WebGPU bug tests/fixtures/model/check_webgpu.ts (now replaced by this file) found
 * by hand: with maskedMean's original `mask.toFloat().expandDims(2)`, `x.mul(m).sum(1)` (the int32
 * mask relabelled as float32 then reduced over a non-last axis), `en.mean` is off by 1.4 on WebGPU.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HIDDEN_ACTS, POOLINGS } from '../../src/engine/model/index.ts';
import { readSafetensors, toFloat32 } from '../../src/engine/weights/safetensors.ts';
import type { NumbersRequest, NumbersResult } from '../../src/worker/benchNumbers.ts';
import { FIXTURES } from '../helpers/paths.ts';
import { golden, maxAbsDiff } from '../unit/model/golden.ts';
import { askBenchWorker, startBenchWorker } from './benchWorker.ts';
import { FIXTURES_PATH, openBrowser, type Session } from './browser.ts';

const TOL = 1e-4;
const TRAIN = join(FIXTURES, 'train');
const KINDS = ['simcse-unsup', 'simcse-sup', 'rdrop'] as const;
const sgdStep = JSON.parse(readFileSync(join(TRAIN, 'sgd_step.json'), 'utf8')) as Record<
  string,
  { loss: number; gradNorm: number }
>;

/** The float tensors of a safetensors file, `bert.` dropped from the names (as cliTrain.test.ts). */
function floatTensors(bytes: Uint8Array, file: string): Map<string, Float32Array> {
  const f = readSafetensors(bytes, file);
  const m = new Map<string, Float32Array>();
  for (const [name, entry] of f.tensors)
    if (entry.dtype.startsWith('F'))
      m.set(name.replace(/^bert\./, ''), toFloat32(entry, name, file));
  return m;
}

describe.each(['webgpu', 'wasm'] as const)('numbers on %s vs PyTorch', (backend) => {
  const base = inject('baseUrl');
  const fixtures = new URL(FIXTURES_PATH, base).href;
  let s: Session;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    s = await openBrowser();
    s.page.on('pageerror', (e) => pageErrors.push(String(e)));
    await s.page.goto(base);
    // The app's own Worker bundle, started as the app starts it; it says hello once it is up.
    const isolated = await startBenchWorker(s.page, base);
    expect(isolated).toBe(true); // WASM threads need it
  });
  afterAll(async () => {
    await s?.close();
  });

  async function run(request: NumbersRequest): Promise<NumbersResult> {
    const reply = await askBenchWorker(s.page, request);
    if (reply.type === 'error') throw new Error(reply.error);
    if (reply.type !== 'bench-result' || !reply.numbers)
      throw new Error(`the worker failed: ${'error' in reply ? reply.error : reply.type}`);
    expect(pageErrors).toEqual([]);
    // No silent fallback: the numbers below are this backend's.
    expect(reply.numbers.backend).toBe(backend);
    // On WASM the products run on the own GEMM with relaxed SIMD (Chromium has it): these are
    // its numbers (src/engine/kernels/wasmGemm.ts), not XNNPACK's.
    if (backend === 'wasm') expect(reply.numbers.wasmGemm).toBe('relaxed');
    return reply.numbers;
  }

  it(`encoder: last_hidden_state, every pooler and every hidden_act within ${TOL} of PyTorch`, async () => {
    const g = golden();
    const r = await run({
      kind: 'numbers',
      check: 'encode',
      backend,
      modelUrl: `${fixtures}model/tiny-bert`,
      batches: Object.fromEntries(Object.entries(g.batches).map(([k, b]) => [k, b.inputs])),
      activationBatch: g.activations.inputs,
      dropoutBatch: 'en',
    });
    const out = r.outputs!;
    const diffs: Record<string, number> = {};
    for (const [name, b] of Object.entries(g.batches)) {
      diffs[`${name}.last_hidden_state`] = maxAbsDiff(
        out[`${name}.last_hidden_state`]!,
        b.outputs.last_hidden_state,
      );
      for (const p of POOLINGS)
        diffs[`${name}.${p}`] = maxAbsDiff(out[`${name}.${p}`]!, b.outputs.pooled[p]!);
    }
    for (const act of HIDDEN_ACTS) {
      const a = g.activations[act]!;
      diffs[`act.${act}.last_hidden_state`] = maxAbsDiff(
        out[`act.${act}.last_hidden_state`]!,
        a.last_hidden_state,
      );
      diffs[`act.${act}.pooler_output`] = maxAbsDiff(
        out[`act.${act}.pooler_output`]!,
        a.pooler_output,
      );
    }
    const worst = Math.max(...Object.values(diffs));
    console.log(
      `${backend}${r.adapter ? ` (adapter ${r.adapter})` : ''}${r.wasmMultithread !== undefined ? ` (multi-threaded: ${r.wasmMultithread})` : ''}${r.wasmGemm ? ` (GEMM: ${r.wasmGemm})` : ''}: ${Object.keys(diffs).length} encoder outputs, max abs diff vs torch ${worst.toExponential(2)}`,
    );
    expect(Object.keys(diffs)).toHaveLength(4 * 6 + HIDDEN_ACTS.length * 2);
    for (const [k, d] of Object.entries(diffs)) expect(d, k).toBeLessThan(TOL);

    // Dropout replay: the same seed twice gives the same training-mode output, and dropout ran
    // (it differs from the eval output, golden's last_hidden_state, by far more than TOL).
    expect(maxAbsDiff(out['dropout.a']!, out['dropout.b']!)).toBe(0);
    expect(maxAbsDiff(out['dropout.a']!, g.batches.en!.outputs.last_hidden_state)).toBeGreaterThan(
      1e-2,
    );
    expect(r.tensorGrowth).toBe(0);
  });

  for (const kind of KINDS) {
    it(`one SGD step of ${kind}: loss, gradient norm and all 39 weights within ${TOL} of PyTorch`, async () => {
      const config = JSON.parse(readFileSync(join(TRAIN, `sgd-${kind}.config.json`), 'utf8'));
      config.backend = backend;
      config.encoder.source = `${fixtures}train/${config.encoder.source}`;
      config.data.train.source = `${fixtures}train/${config.data.train.source}`;
      const r = await run({ kind: 'numbers', check: 'trainStep', config });
      const want = sgdStep[kind]!;
      // The loss of the step (before the update), absolute; the global gradient norm, relative.
      const lossDiff = Math.abs(r.loss! - want.loss);
      const normRel = Math.abs(r.gradNorm! - want.gradNorm) / want.gradNorm;
      const ours = floatTensors(new Uint8Array(r.safetensors!), `${backend} ${kind} export`);
      const refFile = join(TRAIN, `sgd-${kind}.safetensors`);
      const ref = floatTensors(new Uint8Array(readFileSync(refFile)), refFile);
      let worst = 0;
      let worstName = '';
      for (const [name, w] of ref) {
        const got = ours.get(name);
        expect(got, `${name} is missing from the exported model`).toBeDefined();
        expect(got!.length, name).toBe(w.length);
        const d = maxAbsDiff(got!, Array.from(w));
        if (d > worst) [worst, worstName] = [d, name];
      }
      console.log(
        `${backend} ${kind}: loss diff ${lossDiff.toExponential(2)}, grad norm rel diff ${normRel.toExponential(2)}, worst weight diff ${worst.toExponential(2)} (${worstName})`,
      );
      expect(ref.size).toBe(39); // every BERT weight: embeddings, 2 layers, pooler
      // The step moves the weights by far more than TOL, so a step that did nothing would fail.
      const initFile = join(TRAIN, 'tiny-bert-cls', 'model.safetensors');
      const init = floatTensors(new Uint8Array(readFileSync(initFile)), initFile);
      let moved = 0;
      for (const [name, w] of ref)
        moved = Math.max(moved, maxAbsDiff(init.get(name)!, Array.from(w)));
      expect(moved).toBeGreaterThan(100 * TOL);
      expect(lossDiff).toBeLessThan(TOL);
      expect(normRel).toBeLessThan(TOL);
      expect(worst, worstName).toBeLessThan(TOL);
    });
  }
});
