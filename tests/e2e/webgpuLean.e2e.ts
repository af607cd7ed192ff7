/**
 * The lean WebGPU step (issue 12, point 4), in the production build's training Worker on the
 * SwiftShader adapter here:
 *
 * 1. Same numbers as the CPU backend with dropout ON. The dropout masks are a hash of (seed, flat
 *    index) computed by each backend's own kernel (src/engine/kernels/dropoutMask.ts), so one SGD
 *    step of unsupervised SimCSE (tests/fixtures/train/tiny-bert-cls, hidden and attention dropout
 *    0.1, the same seed) on WebGPU and on the JS cpu backend, both in the browser, must agree:
 *    loss within 1e-4 abs, global gradient norm within 1e-4 relative, all 39 weights within 1e-4
 *    abs — as numbers.e2e.ts asks of WebGPU vs PyTorch with dropout off.
 * 2. What a step asks of the GPU, counted at the WebGPU API (src/worker/webgpuCounters.ts) by the
 *    bench's own case runner: one readback per step (the step's loss + gradient norm), no
 *    synchronous read; dropout costs exactly two dispatches per site (the forward kernel and its
 *    gradient, the same kernel on dy) and no upload at all (step with dropout on minus the same
 *    step with dropout off); the timed steps ask the same of the GPU, step after step; nothing
 *    larger than the batch's token ids is uploaded (no mask, no tensor of ones — both are
 *    [rows, L, H] or larger), and the only uploads of that size are the step's three inputs.
 *    What is left: 4-byte scalars (every JS number an op takes, e.g. SGD's lr per weight) and
 *    small int32 tensors (position ids, labels).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readSafetensors, toFloat32 } from '../../src/engine/weights/safetensors.ts';
import type { BenchCaseRequest, BenchCaseResult, BenchMessage } from '../../src/worker/bench.ts';
import type { NumbersResult } from '../../src/worker/benchNumbers.ts';
import { COUNT_FIELDS } from '../../src/worker/webgpuCounters.ts';
import { FIXTURES } from '../helpers/paths.ts';
import { maxAbsDiff } from '../unit/model/golden.ts';
import { askBenchWorker, startBenchWorker } from './benchWorker.ts';
import { FIXTURES_PATH, openBrowser, type Session } from './browser.ts';

const TOL = 1e-4;
const TRAIN = join(FIXTURES, 'train');
/** The tiny BERT's dropout sites: after the embeddings, and 3 per layer (2 layers). */
const SITES = 1 + 3 * 2;

function floatTensors(bytes: Uint8Array, file: string): Map<string, Float32Array> {
  const f = readSafetensors(bytes, file);
  const m = new Map<string, Float32Array>();
  for (const [name, entry] of f.tensors)
    if (entry.dtype.startsWith('F'))
      m.set(name.replace(/^bert\./, ''), toFloat32(entry, name, file));
  return m;
}

describe('the WebGPU step: CPU numbers with dropout on, and counted GPU work', () => {
  const base = inject('baseUrl');
  const fixtures = new URL(FIXTURES_PATH, base).href;
  let s: Session;
  const pageErrors: string[] = [];

  /** sgd-simcse-unsup with dropout on (0.1 both) on `backend`; sources served by the test server. */
  const config = (backend: string, dropout: number) => {
    const c = JSON.parse(readFileSync(join(TRAIN, 'sgd-simcse-unsup.config.json'), 'utf8'));
    c.backend = backend;
    c.encoder.source = `${fixtures}train/${c.encoder.source}`;
    c.encoder.hiddenDropout = dropout;
    c.encoder.attentionDropout = dropout;
    c.augment = { dropout: true, eda: null, embedding: null };
    c.data.train.source = `${fixtures}train/${c.data.train.source}`;
    return c;
  };

  beforeAll(async () => {
    s = await openBrowser();
    s.page.on('pageerror', (e) => pageErrors.push(String(e)));
    await s.page.goto(base);
    await startBenchWorker(s.page, base);
  });
  afterAll(async () => {
    await s?.close();
  });

  async function send(request: unknown): Promise<Extract<BenchMessage, { type: 'bench-result' }>> {
    const reply = await askBenchWorker(s.page, request);
    if (reply.type === 'error') throw new Error(reply.error);
    if (reply.type !== 'bench-result') throw new Error(`unexpected reply ${reply.type}`);
    if (reply.error) throw new Error(`the worker failed: ${reply.error}`);
    expect(pageErrors).toEqual([]);
    return reply;
  }

  async function trainStep(backend: string): Promise<NumbersResult> {
    const r = await send({ kind: 'numbers', check: 'trainStep', config: config(backend, 0.1) });
    const n = r.numbers!;
    expect(n.backend).toBe(backend); // no silent fallback
    expect(n.tensorGrowth).toBe(0);
    return n;
  }

  it(`one SGD step with dropout 0.1 on WebGPU equals the CPU backend's: loss, gradient norm, 39 weights within ${TOL}`, async () => {
    const gpu = await trainStep('webgpu');
    const cpu = await trainStep('cpu');
    const lossDiff = Math.abs(gpu.loss! - cpu.loss!);
    const normRel = Math.abs(gpu.gradNorm! - cpu.gradNorm!) / cpu.gradNorm!;
    const a = floatTensors(new Uint8Array(gpu.safetensors!), 'webgpu export');
    const b = floatTensors(new Uint8Array(cpu.safetensors!), 'cpu export');
    expect(b.size).toBe(39); // every BERT weight: embeddings, 2 layers, pooler
    let worst = 0;
    let worstName = '';
    for (const [name, w] of b) {
      const got = a.get(name);
      expect(got, `${name} is missing from the WebGPU export`).toBeDefined();
      const d = maxAbsDiff(got!, Array.from(w));
      if (d > worst) [worst, worstName] = [d, name];
    }
    // Dropout really ran: the loss is not the dropout-off step's (make_train.py's sgd_step.json).
    const off = JSON.parse(readFileSync(join(TRAIN, 'sgd_step.json'), 'utf8'))['simcse-unsup'];
    console.log(
      `webgpu vs cpu, dropout 0.1: loss ${gpu.loss} vs ${cpu.loss} (diff ${lossDiff.toExponential(2)}; dropout off: ${off.loss}), grad norm rel diff ${normRel.toExponential(2)}, worst weight diff ${worst.toExponential(2)} (${worstName})`,
    );
    expect(Math.abs(cpu.loss! - off.loss)).toBeGreaterThan(100 * TOL);
    expect(lossDiff).toBeLessThan(TOL);
    expect(normRel).toBeLessThan(TOL);
    expect(worst, worstName).toBeLessThan(TOL);
  });

  /** The bench's case runner (src/worker/bench.ts) on WebGPU: a first step, then 2 timed steps. */
  async function counted(dropout: number): Promise<NonNullable<BenchCaseResult['webgpu']>> {
    const request: BenchCaseRequest = {
      config: { ...config('webgpu', dropout), maxSteps: 100 },
      warmupSteps: 1,
      minSteps: 2,
      maxSteps: 2,
      stepBudgetMs: 1e12,
      profile: false,
      embedTexts: ['a short sentence', 'another one'],
      embedBatch: 2,
      embedPasses: 1,
      embedBudgetMs: 1e12,
    };
    const r = (await send(request)).result!;
    expect(r.backend).toBe('webgpu');
    expect(r.tensorGrowth).toBe(0);
    expect(r.webgpu, 'the WebGPU counts').toBeDefined();
    return r.webgpu!;
  }

  it('a step reads back once, and dropout adds 2 dispatches per site and no upload', async () => {
    const on = await counted(0.1);
    const off = await counted(0);
    console.log(`dropout 0.1, per step: ${JSON.stringify(on.steps[0])}`);
    console.log(`dropout 0, per step: ${JSON.stringify(off.steps[0])}`);
    for (const run of [on, off]) {
      expect(run.steps).toHaveLength(2);
      const [a, b] = run.steps;
      // Shapes kept few: step after step the same work, field for field.
      for (const k of COUNT_FIELDS) expect(b![k], k).toBe(a![k]);
      // The step's one read: loss and gradient norm together (step.ts applyUpdate); no dataSync.
      expect(a!.readbacks).toBe(1);
      expect(a!.readbackBytes).toBe(8);
      expect(a!.syncReadbacks).toBe(0);
      // Shapes kept few: every GPU buffer a timed step needs comes from tfjs's pool.
      expect(a!.buffersCreated).toBe(0);
      expect(a!.dispatches).toBeGreaterThan(100);
    }
    const [x, y] = [on.steps[0]!, off.steps[0]!];
    expect(x.dispatches - y.dispatches).toBe(2 * SITES);
    expect(x.uploads - y.uploads).toBe(0);
    expect(x.uploadBytes - y.uploadBytes).toBe(0);
    // The largest tensors a step needs from the CPU: input ids, attention mask, token types,
    // int32 [rows = 2 × batch, ≤ maxLength].
    const c = config('webgpu', 0.1);
    const inputBytes = 2 * c.batchSize * c.encoder.maxLength * 4;
    const sizes = Object.entries(x.uploadSizes).map(([b, n]) => [Number(b), n] as const);
    for (const [bytes, n] of sizes)
      expect(bytes, `${n} upload(s) of ${bytes} B`).toBeLessThanOrEqual(inputBytes);
    const largest = Math.max(...sizes.map(([b]) => b));
    expect(x.uploadSizes[largest], `uploads of ${largest} B`).toBe(3);
  });
});
