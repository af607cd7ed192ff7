/**
 * Data-parallel training (src/engine/train/parallel/): K = 2 replicas in worker_threads, on the
 * cpu backend, give the same step as one worker.
 *
 * What "the same step" is: with K workers each step's B rows are cut into K shards of B/K rows,
 * each with its own dropout seed (src/engine/train/step.ts), so the K = 2 step is the one-worker
 * step with gradCache.chunkSize = B/2 — the same chunks and dropout masks, computed on one thread
 * with GradCache. Loss, gradient norm and every weight after one AdamW step agree within 1e-5
 * (float32 rounding: the two replicas' gradients are summed in another order than one tape sums
 * them). The tests can fail: the plain one-worker step (one chunk, other masks) is also run and
 * differs by more than 1e-4.
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mergeConfig } from '../../../src/engine/config/presets.ts';
import type { ExperimentInput } from '../../../src/engine/config/schema.ts';
import { parseExperiment } from '../../../src/engine/config/validate.ts';
import { installNodeAssetLoader } from '../../../src/engine/node/assets.ts';
import { nodeDataIO } from '../../../src/engine/node/fileIO.ts';
import { folderSource } from '../../../src/engine/node/folderSource.ts';
import { nodeReplicaHost } from '../../../src/engine/node/replicaThreads.ts';
import * as tf from '../../../src/engine/tf.ts';
import type { CheckpointStore } from '../../../src/engine/train/checkpoint.ts';
import type { StepEvent, TrainEvent } from '../../../src/engine/train/events.ts';
import { resolveWorkers } from '../../../src/engine/train/parallel/plan.ts';
import type { ReplicaHost } from '../../../src/engine/train/parallel/protocol.ts';
import { Trainer } from '../../../src/engine/train/trainer.ts';
import { useNodeWasmBackend as startWasmBackend } from '../../helpers/backends.ts';
import { REPO_ROOT } from '../../helpers/paths.ts';
import { memoryStore, TINY } from './helpers.ts';

const TOL = 1e-5;
const WASM_PATHS = `${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
/** One host for the file: its threads are kept warm from one trainer to the next. */
const HOST = nodeReplicaHost({ reuse: true });

async function trainerFor(
  config: ExperimentInput,
  opts: {
    parallel?: boolean;
    /** Replicas from this host (a test's own, e.g. one that fails), not the file's warm one. */
    replicas?: ReplicaHost;
    store?: CheckpointStore;
    resume?: boolean;
    wasm?: boolean;
  } = {},
): Promise<{ trainer: Trainer; events: TrainEvent[] }> {
  installNodeAssetLoader();
  if (opts.wasm) await startWasmBackend();
  else await tf.setBackend('cpu');
  const events: TrainEvent[] = [];
  const trainer = await Trainer.create(config, {
    emit: (e) => events.push(e),
    runId: 'dp',
    io: {
      ...nodeDataIO(REPO_ROOT),
      openModel: (source: string) => folderSource(resolve(REPO_ROOT, source)),
    },
    keepBackend: true,
    ...(opts.wasm ? { backendOptions: { wasmPaths: WASM_PATHS } } : {}),
    ...(opts.parallel ? { replicas: HOST } : {}),
    ...(opts.replicas ? { replicas: opts.replicas } : {}),
    ...(opts.store ? { checkpoints: opts.store, runId: 'dp' } : {}),
    ...(opts.resume ? { resume: true } : {}),
  });
  return { trainer, events };
}

type ToReplica = Parameters<NonNullable<ReturnType<NonNullable<ReplicaHost['spawn']>>['post']>>[0];

/**
 * Real replica threads whose messages pass through `intercept` first: it gets each message,
 * the replica's number (1, 2, …) and that replica's own `post`, and sends what it likes.
 */
function interceptedHost(
  intercept: (m: ToReplica, replica: number, send: (m: ToReplica) => void) => void,
): ReplicaHost {
  const real = nodeReplicaHost();
  let spawned = 0;
  return {
    ...real,
    spawn: () => {
      const port = real.spawn!();
      const replica = ++spawned;
      return { ...port, post: (m) => intercept(m, replica, (x) => port.post(x)) };
    },
  };
}

function steps(events: TrainEvent[]): StepEvent[] {
  return events.flatMap((e) => (e.type === 'step' ? [e] : []));
}

function weights(t: Trainer): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const m of [t.bundle.model, t.bundle.mlp, t.bundle.classifier])
    for (const [k, v] of m?.variables() ?? []) out.set(k, (v.dataSync() as Float32Array).slice());
  return out;
}

/** Largest |a − b| over every weight of two models with the same variables. */
function worstWeightDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  let worst = 0;
  for (const [k, x] of a) {
    const y = b.get(k)!;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  }
  return worst;
}

const ADAMW = { optimizer: { kind: 'adamw', lr: 1e-3, weightDecay: 0.01 } } as const;
const DROPOUT = {
  augment: { dropout: true },
  encoder: { hiddenDropout: 0.1, attentionDropout: 0.1 },
};

const CASES: [string, ExperimentInput][] = [
  ['simcse-unsup (built-in corpus, B = 8)', mergeConfig(TINY, DROPOUT, ADAMW)],
  [
    'simcse-sup with a hard-negative weight (triplets, B = 4)',
    mergeConfig(TINY, DROPOUT, ADAMW, {
      objective: { kind: 'simcse-sup', hardNegativeWeight: 1 },
      data: { train: { source: 'tests/fixtures/train/triplets.tsv', kind: 'triplets' } },
      batchSize: 4,
    }),
  ],
  [
    'rdrop (classifier head, labelled sentences, B = 8)',
    mergeConfig(TINY, DROPOUT, ADAMW, {
      objective: { kind: 'rdrop', alpha: 1 },
      encoder: { mlpHead: 'none' },
      data: { train: { source: 'tests/fixtures/wiring/labeled.tsv', kind: 'labeled' } },
      batchSize: 8,
    }),
  ],
];

describe('data-parallel: the K = 2 step equals the K = 1 step (cpu, worker_threads)', () => {
  for (const [name, config] of CASES) {
    it(name, async () => {
      const B = parseExperiment(config).batchSize;
      const one = await trainerFor(
        mergeConfig(config, { workers: 1, gradCache: { chunkSize: B / 2 } }),
      );
      const two = await trainerFor(mergeConfig(config, { workers: 2 }), { parallel: true });
      const plain = await trainerFor(mergeConfig(config, { workers: 1 }));
      expect(one.trainer.workers).toBe(1);
      expect(two.trainer.workers).toBe(2);
      const start = weights(one.trainer);
      expect(worstWeightDiff(start, weights(two.trainer))).toBe(0); // the same init
      for (const t of [one, two, plain]) expect(await t.trainer.trainStep()).toBe(true);
      const [a, b, p] = [one, two, plain].map((t) => steps(t.events)[0]!) as [
        StepEvent,
        StepEvent,
        StepEvent,
      ];
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(TOL);
      expect(Math.abs(a.gradNorm! - b.gradNorm!)).toBeLessThan(TOL);
      expect(a.gradNorm!).toBeGreaterThan(0);
      const after = weights(one.trainer);
      expect(worstWeightDiff(after, weights(two.trainer))).toBeLessThan(TOL);
      // The step moved the weights (by ~lr), so a 1e-5 agreement is not the untouched init.
      expect(worstWeightDiff(start, after)).toBeGreaterThan(1e-4);
      // The dropout masks matter: one chunk draws other masks, another loss.
      expect(Math.abs(p.loss - a.loss)).toBeGreaterThan(1e-4);
      for (const t of [one, two, plain]) t.trainer.dispose();
    });
  }

  /** One step of each config (the second on 2 replicas): loss, norm and weights agree. */
  async function sameStep(oneWorker: ExperimentInput, twoWorkers: ExperimentInput): Promise<void> {
    const one = await trainerFor(mergeConfig(oneWorker, { workers: 1 }));
    const two = await trainerFor(mergeConfig(twoWorkers, { workers: 2 }), { parallel: true });
    expect(two.trainer.workers).toBe(2);
    for (const t of [one, two]) expect(await t.trainer.trainStep()).toBe(true);
    const [a, b] = [one, two].map((t) => steps(t.events)[0]!) as [StepEvent, StepEvent];
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(TOL);
    expect(Math.abs(a.gradNorm! - b.gradNorm!)).toBeLessThan(TOL);
    expect(worstWeightDiff(weights(one.trainer), weights(two.trainer))).toBeLessThan(TOL);
    for (const t of [one, two]) t.trainer.dispose();
  }

  it('GradCache on: 4 chunks of 2 rows, 2 per replica, each replica replaying its own', async () => {
    const config = mergeConfig(CASES[0]![1], { gradCache: { chunkSize: 2 } });
    await sameStep(config, config);
  });

  it('the adversarial view (FGV, R-Drop): each replica takes its own chunks’ clean gradient', async () => {
    const config = mergeConfig(CASES[2]![1], {
      augment: { embedding: { view1: null, view2: { kind: 'adversarial', epsilon: 1 } } },
    });
    await sameStep(mergeConfig(config, { gradCache: { chunkSize: 4 } }), config);
  });

  it('clipping on: the replicas’ gradient norm clips as the one-worker norm does', async () => {
    const clipNorm = 0.05;
    const config = mergeConfig(CASES[0]![1], { optimizer: { clipNorm } });
    const B = parseExperiment(config).batchSize;
    const one = await trainerFor(
      mergeConfig(config, { workers: 1, gradCache: { chunkSize: B / 2 } }),
    );
    const two = await trainerFor(mergeConfig(config, { workers: 2 }), { parallel: true });
    const free = await trainerFor(mergeConfig(CASES[0]![1], { workers: 2 }), { parallel: true });
    for (const t of [one, two, free]) expect(await t.trainer.trainStep()).toBe(true);
    const [a, b] = [one, two].map((t) => steps(t.events)[0]!) as [StepEvent, StepEvent];
    expect(b.gradNorm!).toBeGreaterThan(clipNorm * 10); // so the clip scales the update down
    expect(Math.abs(a.gradNorm! - b.gradNorm!)).toBeLessThan(TOL);
    expect(worstWeightDiff(weights(one.trainer), weights(two.trainer))).toBeLessThan(TOL);
    // Without the clip the same step lands elsewhere: the coefficient was applied.
    expect(worstWeightDiff(weights(two.trainer), weights(free.trainer))).toBeGreaterThan(1e-4);
    for (const t of [one, two, free]) t.trainer.dispose();
  });

  it('a NaN weight on 2 replicas: the divergence event, the update not applied', async () => {
    const { trainer, events } = await trainerFor(
      mergeConfig(CASES[0]![1], { workers: 2, maxSteps: 5 }),
      { parallel: true },
    );
    expect(await trainer.trainStep()).toBe(true);
    const w = trainer.bundle.model.variables().get('encoder.layer.0.output.dense.weight')!;
    w.assign(tf.fill(w.shape, Number.NaN));
    const before = weights(trainer);
    expect(await trainer.trainStep()).toBe(false);
    expect(trainer.step).toBe(1);
    expect(events.find((e) => e.type === 'error')).toMatchObject({ kind: 'divergence', step: 2 });
    // Nothing moved: every weight has the bits it had (the NaN ones stay NaN).
    const after = weights(trainer);
    for (const [k, x] of before) expect(Array.from(after.get(k)!)).toEqual(Array.from(x));
    trainer.dispose();
  });

  it('over a run: steps, a checkpoint and a resume on 2 replicas follow the one-worker run', async () => {
    const config = mergeConfig(CASES[0]![1], { maxSteps: 4 });
    const straight = await trainerFor(
      mergeConfig(config, { workers: 1, gradCache: { chunkSize: 4 } }),
    );
    await straight.trainer.run();
    const straightWeights = weights(straight.trainer);
    straight.trainer.dispose();

    const store = memoryStore();
    const first = await trainerFor(mergeConfig(config, { workers: 2 }), { parallel: true, store });
    expect(first.events).toContainEqual(
      expect.objectContaining({
        type: 'log',
        message: expect.stringMatching(/^Data-parallel: 2 replicas in worker_threads on cpu/),
      }),
    );
    const held: number[][] = [];
    for (let i = 0; i < 2; i++) {
      expect(await first.trainer.trainStep()).toBe(true);
      held.push(first.trainer.parallelTimings!.tensors);
    }
    // Each replica holds the same number of tensors after every step (its weights): none leak.
    expect(held[1]).toEqual(held[0]);
    await first.trainer.saveCheckpoint();
    first.trainer.dispose();
    const at2 = memoryStore(); // the step-2 checkpoint, for the one-worker resume below
    await at2.save('dp', (await store.load('dp'))!);

    const second = await trainerFor(mergeConfig(config, { workers: 2 }), {
      parallel: true,
      store,
      resume: true,
    });
    expect(second.trainer.step).toBe(2);
    await second.trainer.run();
    expect(second.events.find((e) => e.type === 'done')).toMatchObject({
      reason: 'finished',
      step: 4,
    });
    const want = steps(straight.events).map((s) => s.loss);
    const got = [...steps(first.events), ...steps(second.events)].map((s) => s.loss);
    expect(got).toHaveLength(4);
    for (const [i, l] of got.entries()) expect(Math.abs(l - want[i]!)).toBeLessThan(TOL);
    expect(worstWeightDiff(straightWeights, weights(second.trainer))).toBeLessThan(TOL);
    second.trainer.dispose();

    // The checkpoint of 2 replicas (moments from the sharded update) resumes on one worker, and
    // one worker's checkpoint on 2 replicas: the same run either way.
    const third = await trainerFor(
      mergeConfig(config, { workers: 1, gradCache: { chunkSize: 4 } }),
      { store: at2, resume: true },
    );
    expect(third.trainer.step).toBe(2);
    await third.trainer.run();
    const third4 = steps(third.events).map((s) => s.loss);
    for (const [i, l] of third4.entries()) expect(Math.abs(l - want[i + 2]!)).toBeLessThan(TOL);
    expect(worstWeightDiff(straightWeights, weights(third.trainer))).toBeLessThan(TOL);
    third.trainer.dispose();

    const oneStore = memoryStore();
    const single = await trainerFor(
      mergeConfig(config, { workers: 1, gradCache: { chunkSize: 4 } }),
      { store: oneStore },
    );
    for (let i = 0; i < 2; i++) expect(await single.trainer.trainStep()).toBe(true);
    await single.trainer.saveCheckpoint();
    single.trainer.dispose();
    const onTwo = await trainerFor(mergeConfig(config, { workers: 2 }), {
      parallel: true,
      store: oneStore,
      resume: true,
    });
    expect(onTwo.trainer.workers).toBe(2);
    await onTwo.trainer.run();
    const onTwoLosses = steps(onTwo.events).map((s) => s.loss);
    expect(onTwoLosses).toHaveLength(2);
    for (const [i, l] of onTwoLosses.entries())
      expect(Math.abs(l - want[i + 2]!)).toBeLessThan(TOL);
    expect(worstWeightDiff(straightWeights, weights(onTwo.trainer))).toBeLessThan(TOL);
    onTwo.trainer.dispose();
  });
});

describe('data-parallel on wasm (the own kernels; weights through the heap, table rows in place)', () => {
  afterEach(async () => {
    await tf.setBackend('cpu');
  });
  it('4 steps on 2 replicas follow the one-worker run: every loss, norm and weight', async () => {
    // Later batches look up word-table rows earlier ones did not: a replica that refreshed only
    // some rows wrongly would compute with stale ones and drift from the one-worker run.
    const config = mergeConfig(CASES[0]![1], { maxSteps: 4 });
    const one = await trainerFor(mergeConfig(config, { workers: 1, gradCache: { chunkSize: 4 } }), {
      wasm: true,
    });
    const two = await trainerFor(mergeConfig(config, { workers: 2 }), {
      parallel: true,
      wasm: true,
    });
    expect(tf.getBackend()).toBe('wasm');
    expect(two.trainer.workers).toBe(2);
    expect(two.events).toContainEqual(
      expect.objectContaining({
        type: 'log',
        message: expect.stringMatching(/^Data-parallel: 2 replicas in worker_threads on wasm/),
      }),
    );
    for (const t of [one, two]) await t.trainer.run();
    const [a, b] = [steps(one.events), steps(two.events)];
    expect(b).toHaveLength(4);
    for (const [i, s] of b.entries()) {
      expect(Math.abs(s.loss - a[i]!.loss)).toBeLessThan(TOL);
      expect(Math.abs(s.gradNorm! - a[i]!.gradNorm!)).toBeLessThan(TOL);
    }
    expect(worstWeightDiff(weights(one.trainer), weights(two.trainer))).toBeLessThan(TOL);
    // The replicas updated their shares of the weights and moments (ZeRO-1); after the run the
    // moments are back in the plain optimiser, equal to the one-worker run's.
    const [sa, sb] = await Promise.all(
      [one, two].map(async (t) => (await t.trainer.checkpoint()).optimizer),
    );
    expect(sb!.step).toBe(4);
    expect(Object.keys(sb!.variables).sort()).toEqual(Object.keys(sa!.variables).sort());
    let worst = 0;
    for (const [name, va] of Object.entries(sa!.variables)) {
      const vb = sb!.variables[name]!;
      expect(vb.step).toBe(va.step);
      for (const slot of ['exp_avg', 'exp_avg_sq']) {
        const [x, y] = [va.slots[slot]!.data, vb.slots[slot]!.data];
        for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
      }
    }
    expect(worst).toBeLessThan(TOL);
    for (const t of [one, two]) t.trainer.dispose();
  });

  it('Adam is sharded over the replicas; SGD keeps the update at the coordinator, and both match one worker', async () => {
    for (const [optimizer, sharded] of [
      [{ kind: 'adamw', lr: 1e-3, weightDecay: 0.01 }, true],
      [{ kind: 'sgd', lr: 0.5 }, false],
    ] as const) {
      const config = mergeConfig(CASES[0]![1], { optimizer });
      const one = await trainerFor(
        mergeConfig(config, { workers: 1, gradCache: { chunkSize: 4 } }),
      );
      const two = await trainerFor(mergeConfig(config, { workers: 2 }), { parallel: true });
      for (let i = 0; i < 2; i++)
        for (const t of [one, two]) expect(await t.trainer.trainStep()).toBe(true);
      const timings = two.trainer.parallelTimings!;
      // Only the sharded update spends time in the replicas' update phase.
      expect(timings.replicas.every((r) => r.update > 0 === sharded)).toBe(true);
      const [a, b] = [steps(one.events), steps(two.events)];
      for (const [i, s] of b.entries()) expect(Math.abs(s.loss - a[i]!.loss)).toBeLessThan(TOL);
      expect(worstWeightDiff(weights(one.trainer), weights(two.trainer))).toBeLessThan(TOL);
      for (const t of [one, two]) t.trainer.dispose();
    }
  });
});

describe('data-parallel: the weights go out only when the coordinator changed them', () => {
  afterEach(async () => {
    await tf.setBackend('cpu');
  });
  for (const wasm of [false, true]) {
    it(`after a sharded step they are current; a variable assigned between steps is sent (${wasm ? 'wasm: taken back in place' : 'cpu: taken back by assign'})`, async () => {
      const config = CASES[0]![1];
      const one = await trainerFor(
        mergeConfig(config, { workers: 1, gradCache: { chunkSize: 4 } }),
        { wasm },
      );
      const two = await trainerFor(mergeConfig(config, { workers: 2 }), { parallel: true, wasm });
      const sent = () => two.trainer.parallelTimings!.weightsSent;
      const both = async () => {
        for (const t of [one, two]) expect(await t.trainer.trainStep()).toBe(true);
      };
      await both();
      await both();
      // The replicas updated the shared weights themselves; the variables take them when read.
      expect(sent()).toBe(false);
      // Changed at the coordinator, as a restore or a user's edit would: the next step sends it,
      // and the replicas train from the new value (else they would drift from one worker's run).
      for (const t of [one, two]) {
        const v = t.trainer.bundle.model.variables().get('embeddings.LayerNorm.weight')!;
        v.assign(tf.tidy(() => v.mul(1.5)));
      }
      await both();
      expect(sent()).toBe(true);
      await both();
      expect(sent()).toBe(false);
      const [a, b] = [steps(one.events), steps(two.events)];
      expect(b).toHaveLength(4);
      for (const [i, s] of b.entries()) expect(Math.abs(s.loss - a[i]!.loss)).toBeLessThan(TOL);
      expect(worstWeightDiff(weights(one.trainer), weights(two.trainer))).toBeLessThan(TOL);
      for (const t of [one, two]) t.trainer.dispose();
    });
  }
});

describe('data-parallel: a replica that fails', () => {
  it('fails the run with an error event instead of leaving the others waiting at the barrier', async () => {
    // Real threads, but replica 2's step message names chunks the step does not have: it throws
    // before the barrier, where replica 1 is already waiting for its representations.
    const host = interceptedHost((m, replica, send) =>
      send(replica === 2 && m.type === 'step' ? { ...m, own: [0, 99] } : m),
    );
    const { trainer, events } = await trainerFor(mergeConfig(TINY, { workers: 2, maxSteps: 3 }), {
      replicas: host,
    });
    expect(trainer.workers).toBe(2);
    await trainer.run();
    expect(events.find((e) => e.type === 'error')).toMatchObject({
      kind: 'internal',
      message: expect.stringMatching(
        /^replica 2: its chunks \[0, 99\) are not among the step's 2$/,
      ),
    });
    expect(events.at(-1)).toMatchObject({ type: 'done', reason: 'failed', step: 0 });
    trainer.dispose();
  });
});

/** Real threads; replica 2's third step message is changed by `breakIt` (a failure there). */
function failingOnThirdStep(
  breakIt: (m: Extract<ToReplica, { type: 'step' }>) => ToReplica,
): ReplicaHost {
  let replica2Steps = 0;
  return interceptedHost((m, replica, send) => {
    const third = replica === 2 && m.type === 'step' && ++replica2Steps === 3;
    send(third && m.type === 'step' ? breakIt(m) : m);
  });
}

describe('data-parallel: the weights read in the middle of a step (an export or the projector mid-run)', () => {
  it('wait for the step and are its result; a plain read then is an error, not a half-written update', async () => {
    const config = mergeConfig(CASES[0]![1], { maxSteps: 5 });
    // Real threads; once the second step's message has gone to replica 1, the round is in flight.
    let onSecondStep: (() => void) | null = null;
    let posted = 0;
    const host = interceptedHost((m, _replica, send) => {
      send(m);
      if (m.type === 'step' && ++posted === 3) onSecondStep?.();
    });
    const { trainer } = await trainerFor(mergeConfig(config, { workers: 2 }), { replicas: host });
    expect(await trainer.trainStep()).toBe(true);
    let midStep: Promise<Map<string, Float32Array>> | null = null;
    onSecondStep = () => {
      // Step 1's update is still in shared memory only, and step 2 may be writing it now.
      expect(() => trainer.bundle).toThrow(/read while a data-parallel step was updating them/);
      midStep = trainer.currentBundle().then(() => weights(trainer));
    };
    expect(await trainer.trainStep()).toBe(true);
    expect(midStep).not.toBeNull();
    const read = await midStep!;
    const one = await trainerFor(mergeConfig(config, { workers: 1, gradCache: { chunkSize: 4 } }));
    for (let i = 0; i < 2; i++) expect(await one.trainer.trainStep()).toBe(true);
    // The read waited for step 2 and has its weights (one worker's after 2 steps, 1e-5).
    expect(worstWeightDiff(weights(one.trainer), read)).toBeLessThan(TOL);
    expect(worstWeightDiff(read, weights(trainer))).toBe(0);
    for (const t of [one.trainer, trainer]) t.dispose();
  });
});

describe('data-parallel: the weights after a replica fails mid-run (taken back when read)', () => {
  // AdamW: the replicas update the weights in shared memory and the coordinator's variables take
  // them only when read (pool.ts takeBack), so a failure must neither lose nor half-apply them.
  const config = mergeConfig(CASES[0]![1], { maxSteps: 5 });

  async function failingRun(host: ReplicaHost) {
    const { trainer, events } = await trainerFor(mergeConfig(config, { workers: 2 }), {
      replicas: host,
    });
    expect(trainer.workers).toBe(2);
    await trainer.run();
    expect(events.at(-1)).toMatchObject({ type: 'done', reason: 'failed', step: 2 });
    return { trainer, events };
  }

  it('failing before step 3’s update: the weights in memory are the 2 steps’ (one worker’s, 1e-5)', async () => {
    const { trainer, events } = await failingRun(
      failingOnThirdStep((m) => ({ ...m, own: [0, 99] })),
    );
    expect(events.find((e) => e.type === 'error')).toMatchObject({
      message: expect.stringMatching(/^replica 2: its chunks \[0, 99\) are not among/),
    });
    expect(events.some((e) => e.type === 'log' && /incomplete/.test(e.message))).toBe(false);
    const one = await trainerFor(mergeConfig(config, { workers: 1, gradCache: { chunkSize: 4 } }));
    for (let i = 0; i < 2; i++) expect(await one.trainer.trainStep()).toBe(true);
    expect(worstWeightDiff(weights(one.trainer), weights(trainer))).toBeLessThan(TOL);
    // And the export is of those weights.
    expect((await trainer.exportModel()).has('model.safetensors')).toBe(true);
    for (const t of [one.trainer, trainer]) t.dispose();
  });

  it('failing inside step 3’s update: the run says its weights in memory are incomplete, and reading them is that error', async () => {
    // Replica 2's order lacks the per-slot step counts: it throws after the update's barrier,
    // while replica 1 writes its share of the weights.
    const { trainer, events } = await failingRun(
      // A malformed message, as a broken coordinator would send: the type system is bypassed.
      failingOnThirdStep((m) => ({ ...m, update: { ...m.update!, steps: null as never } })),
    );
    const incomplete =
      /^the replicas failed while applying a step's update \(replica 2: .+\), so the run's weights in memory are incomplete; its last checkpoint holds them/;
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'log',
        level: 'warn',
        message: expect.stringMatching(incomplete),
      }),
    );
    expect(() => trainer.bundle).toThrow(incomplete);
    await expect(trainer.exportModel()).rejects.toThrow(incomplete);
    await expect(trainer.checkpoint()).rejects.toThrow(incomplete);
    await expect(trainer.trainStep()).rejects.toThrow(incomplete);
    trainer.dispose();
  });
});

describe('data-parallel: replicas that do not start', () => {
  it('the run trains on one worker and says why', async () => {
    // Real threads, but told to start a backend that does not exist.
    const host = interceptedHost((m, _replica, send) =>
      send(m.type === 'init' ? { ...m, backend: 'nope' as 'cpu' } : m),
    );
    const { trainer, events } = await trainerFor(mergeConfig(TINY, { workers: 2 }), {
      replicas: host,
    });
    expect(trainer.workers).toBe(1);
    expect(events).toContainEqual({
      type: 'log',
      level: 'warn',
      message: expect.stringMatching(
        /^The 2 replicas did not start \(replica \d: .*\)\. Training on one worker\.$/,
      ),
    });
    expect(await trainer.trainStep()).toBe(true);
    trainer.dispose();
  });
});

describe('data-parallel: where replicas cannot run, one worker, and the run says why', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('a host without replicas', async () => {
    const { trainer, events } = await trainerFor(mergeConfig(TINY, { workers: 2 }));
    expect(trainer.workers).toBe(1);
    expect(events).toContainEqual({
      type: 'log',
      level: 'warn',
      message: 'workers: 2, but this host starts no replicas. Training on one worker.',
    });
    expect(await trainer.trainStep()).toBe(true);
    trainer.dispose();
  });

  it('no SharedArrayBuffer (a page that is not cross-origin isolated), a GPU backend, a queue', () => {
    const host = nodeReplicaHost();
    const config = parseExperiment(mergeConfig(TINY, { workers: 4 }));
    expect(resolveWorkers(config, host, 'cpu').workers).toBe(4);
    expect(resolveWorkers(config, host, 'webgpu')).toEqual({
      workers: 1,
      notes: [
        {
          level: 'info',
          message:
            'workers: 4: replicas run on WASM or CPU, and this run trains on webgpu. Training on one worker.',
        },
      ],
    });
    const queued = parseExperiment(
      mergeConfig(TINY, { workers: 4, objective: { queue: { size: 1 } } }),
    );
    expect(resolveWorkers(queued, host, 'cpu').workers).toBe(1);
    // A page that is not cross-origin isolated (its Worker has no usable SharedArrayBuffer) …
    vi.stubGlobal('crossOriginIsolated', false);
    const r = resolveWorkers(config, host, 'wasm');
    expect(r.workers).toBe(1);
    expect(r.notes).toEqual([
      {
        level: 'warn',
        message:
          'workers: 4, but SharedArrayBuffer is missing here (the page is not cross-origin isolated), so replicas cannot share their gradients. Training on one worker.',
      },
    ]);
    vi.unstubAllGlobals();
    // … and a runtime without SharedArrayBuffer at all.
    vi.stubGlobal('SharedArrayBuffer', undefined);
    expect(resolveWorkers(config, host, 'cpu').notes[0]!.message).toMatch(
      /SharedArrayBuffer is missing here/,
    );
  });

  it('workers: null is one per core, with at least 8 sentences each; a count is capped by the chunks', () => {
    const host = { ...nodeReplicaHost(), cores: 16 };
    const auto = (over: ExperimentInput, cores = 16) =>
      resolveWorkers(parseExperiment(mergeConfig(TINY, over)), { ...host, cores }, 'cpu').workers;
    expect(auto({ batchSize: 64 })).toBe(8); // 64 sentences: 8 shards of 8
    expect(auto({ batchSize: 256 })).toBe(16); // every core
    expect(auto({ batchSize: 64 }, 2)).toBe(2);
    expect(auto({ batchSize: 8 })).toBe(1); // one shard's worth: no replicas, nothing to say
    expect(resolveWorkers(parseExperiment(TINY), host, 'cpu').notes).toEqual([]);
    // Asked for: honoured down to shards of one sentence, never more replicas than chunks.
    expect(auto({ batchSize: 8, workers: 4 })).toBe(4);
    expect(auto({ batchSize: 8, workers: 12 })).toBe(8);
    expect(auto({ batchSize: 8, workers: 4, gradCache: { chunkSize: 4 } })).toBe(2);
  });
});
