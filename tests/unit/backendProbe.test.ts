/**
 * The backend probe behind `backend: "auto"` (src/engine/backendProbe.ts, src/engine/backend.ts).
 * Real backends: Node has cpu and wasm, so the real probe runs on those two (the candidates'
 * list is the option `candidates`; in a browser it is WebGPU and WASM). The decision rules'
 * arithmetic is checked on the pure `runProbe` with an injected clock and candidates whose
 * passes cost known times.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BackendOptions, chooseBackend } from '../../src/engine/backend.ts';
import {
  FIRST_PASS_FLOPS,
  memoryProbeCache,
  type ProbeCache,
  type ProbeCandidate,
  type ProbeRecord,
  planProbe,
  type RunShape,
  runProbe,
  runShapeOf,
  SCREEN_FLOPS,
} from '../../src/engine/backendProbe.ts';
import { parseExperiment } from '../../src/engine/config/validate.ts';
import * as tf from '../../src/engine/tf.ts';

const require = createRequire(import.meta.url);
const wasmPaths = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;

/** A small encoder where WASM's kernels are several times faster than the JS cpu backend's. */
const SMALL: RunShape = {
  layers: 1,
  hidden: 64,
  heads: 2,
  intermediate: 256,
  vocabSize: 1000,
  rows: 32,
  length: 16,
};
/** The real probes here must not be cut by the whole budget on a busy machine (rules: below). */
const UNCUT = { budgetMs: 120_000 };

function countingCache(): ProbeCache & { puts: number } {
  const inner = memoryProbeCache();
  const c = {
    puts: 0,
    get: (k: string) => inner.get(k),
    put: async (k: string, r: ProbeRecord) => {
      c.puts++;
      await inner.put(k, r);
    },
  };
  return c;
}

function auto(opts: BackendOptions) {
  return chooseBackend('auto', { wasmPaths, probeOptions: UNCUT, ...opts });
}

describe('the probe on real backends (Node: cpu and wasm)', () => {
  it('runs both, trains on the faster, and says so in words', async () => {
    const choice = await auto({
      candidates: ['cpu', 'wasm'],
      probeShape: SMALL,
      probeCache: memoryProbeCache(),
    });
    const entries = choice.probe ?? [];
    expect(entries.map((e) => e.backend)).toEqual(['cpu', 'wasm']);
    // cpu went first (no best yet), so both were measured; the chosen one has the smaller estimate.
    const measured = entries.filter((e) => e.msPerStep !== null);
    expect(measured).toHaveLength(2);
    const fastest = measured.reduce((a, b) => (a.msPerStep! <= b.msPerStep! ? a : b));
    expect(choice.name).toBe(fastest.backend);
    // WASM's XNNPACK products are several times faster than cpu's JS loops at this shape.
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const sentence = choice.reasons.at(-1)!;
    expect(sentence).toMatch(
      /^Measured for this run's step: CPU: .+\/step.* · WASM \(1 thread\): .+\/step.* → WASM \(probe: \d+\.\d s\)\.$/,
    );
    expect(choice.probeMs).toBeGreaterThan(0);
    // Every pass's tensors were freed (the probe models included).
    expect(entries.every((e) => (e.ms ?? 0) > 0)).toBe(true);
  });

  it('with the faster one first, drops the slower at its screen, before any encoder pass', async () => {
    const choice = await auto({
      candidates: ['wasm', 'cpu'],
      probeShape: SMALL,
      probeCache: memoryProbeCache(),
    });
    expect(choice.name).toBe('wasm');
    const cpu = choice.probe?.find((e) => e.backend === 'cpu');
    expect(cpu?.msPerStep).toBeNull();
    expect(cpu?.note).toMatch(/^≥ .+\/step at its matrix product's [\d.]+ GFLOP\/s: dropped$/);
  });

  it('leaves no tensors behind', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    await auto({ candidates: ['wasm', 'cpu'], probeShape: SMALL, probeCache: memoryProbeCache() });
    await tf.setBackend('wasm');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps a forced backend: no probe, even with the probe options given', async () => {
    const cpu = await chooseBackend('cpu', {
      wasmPaths,
      candidates: ['cpu', 'wasm'],
      probeShape: SMALL,
    });
    expect(cpu).toEqual({ name: 'cpu', reasons: ['CPU was chosen by the user.'] });
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await chooseBackend('wasm', { wasmPaths, candidates: ['cpu', 'wasm'] });
    expect(wasm.name).toBe('wasm');
    expect(wasm.probe).toBeUndefined();
    expect(wasm.reasons).toEqual(['WASM was chosen by the user.']);
  });

  it('caches the decision per run shape, and measures again for another shape', async () => {
    const cache = countingCache();
    const first = await auto({ candidates: ['wasm', 'cpu'], probeShape: SMALL, probeCache: cache });
    expect(cache.puts).toBe(1);
    expect(first.probeCached).toBeUndefined();
    await tf.setBackend('cpu');
    const again = await auto({ candidates: ['wasm', 'cpu'], probeShape: SMALL, probeCache: cache });
    expect(cache.puts).toBe(1); // nothing measured, nothing stored
    expect(again.probeCached).toBe(true);
    expect(again.name).toBe(first.name);
    expect(tf.getBackend()).toBe(first.name); // the cached choice is started, not only named
    expect(again.probe).toEqual(first.probe);
    expect(again.reasons.at(-1)).toMatch(/\(measured on this device on \d{4}-\d\d-\d\d, kept\)\.$/);
    await auto({
      candidates: ['wasm', 'cpu'],
      probeShape: { ...SMALL, rows: 16 },
      probeCache: cache,
    });
    expect(cache.puts).toBe(2);
  });

  it('measures again when the cached choice is not among the backends that start', async () => {
    const cache = countingCache();
    const stale: ProbeRecord = { chosen: 'webgl', entries: [], probeMs: 1, at: 0 };
    const choice = await auto({
      candidates: ['wasm', 'cpu'],
      probeShape: SMALL,
      probeCache: { get: async () => stale, put: cache.put },
    });
    expect(choice.probeCached).toBeUndefined();
    expect(choice.name).toBe('wasm');
    expect(cache.puts).toBe(1);
  });
});

/** A candidate whose work costs known times on a fake clock. */
function fakeCandidate(
  clock: { t: number },
  name: string,
  cost: { msPerRow: number; overheadMs?: number; warmupMs?: number; screenMs?: number },
  log: string[],
): ProbeCandidate & { passes: number[] } {
  const passes: number[] = [];
  return {
    name,
    passes,
    label: () => name.toUpperCase(),
    start: async () => {
      log.push(`${name} start`);
      return null;
    },
    ...(cost.screenMs !== undefined
      ? {
          screen: async () => {
            clock.t += 3 * cost.screenMs!;
            return cost.screenMs!;
          },
        }
      : {}),
    pass: async (rows: number) => {
      clock.t +=
        (cost.overheadMs ?? 0) +
        rows * cost.msPerRow +
        (passes.length === 0 ? (cost.warmupMs ?? 0) : 0);
      passes.push(rows);
    },
    release: () => log.push(`${name} release`),
  };
}

describe('runProbe: the decision rules (injected clock)', () => {
  // 64 rows of a 1-layer, hidden-32 encoder: small enough that the first pass is all 64 rows.
  const plan = planProbe({ ...SMALL, hidden: 32, intermediate: 64, rows: 64 });

  it('times passes after a warm-up, extrapolates a line to the full batch, and picks the faster', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const small = planProbe({ ...SMALL, rows: 4096 }); // first pass of a few rows, a ladder after
    // A: 2 ms fixed + 1 ms a row; B: 0.5 ms a row. Warm-ups add 50 ms (not part of the estimate).
    const a = fakeCandidate(clock, 'a', { msPerRow: 1, overheadMs: 2, warmupMs: 50 }, log);
    const b = fakeCandidate(clock, 'b', { msPerRow: 0.5, warmupMs: 50 }, log);
    const out = await runProbe([a, b], small, {
      now: () => clock.t,
      budgetMs: 1e9,
      perBackendMs: 1e9,
    });
    expect(out.chosen).toBe('b');
    // Both climbed to the full 4096 rows (unbounded shares): the estimate is the full pass itself.
    expect(a.passes.at(-1)).toBe(4096);
    // Time per step = 2 + 4096 × 1 ms for A, 4096 × 0.5 ms for B, exactly (the model is linear).
    expect(out.entries.map((e) => e.msPerStep)).toEqual([2 + 4096, 2048]);
    expect(log).toEqual(['a start', 'a release', 'b start', 'b release']);
  });

  it('extrapolates the line through the last two rungs when the share stops the ladder', async () => {
    const clock = { t: 0 };
    const big = planProbe({ ...SMALL, rows: 4096 });
    const a = fakeCandidate(clock, 'a', { msPerRow: 1, overheadMs: 10 }, []);
    const out = await runProbe([a], big, { now: () => clock.t, budgetMs: 1e9, perBackendMs: 300 });
    const top = Math.max(...a.passes);
    expect(top).toBeLessThan(4096);
    // 10 ms + 1 ms a row is a line: two rungs recover it exactly → 10 + 4096.
    expect(out.entries[0]!.msPerStep).toBeCloseTo(10 + 4096, 6);
    expect(out.entries[0]!.note).toBe(`from ${top} of 4096 rows`);
    // Bounded: after the two first passes, the rest of the ladder stayed within the 300 ms share.
    const [r0] = a.passes;
    const firstTwo = 2 * (10 + r0!);
    expect(clock.t - firstTwo).toBeLessThanOrEqual(300);
  });

  it('drops a candidate whose warm-up pass alone outlasts the best probe, after that one pass', async () => {
    const clock = { t: 0 };
    const fast = fakeCandidate(clock, 'fast', { msPerRow: 0.1 }, []);
    const slow = fakeCandidate(clock, 'slow', { msPerRow: 0.1, warmupMs: 5000 }, []);
    const out = await runProbe([fast, slow], plan, { now: () => clock.t });
    expect(out.chosen).toBe('fast');
    expect(slow.passes).toHaveLength(1);
    const fastTotal = fast.passes.reduce((s, r) => s + r * 0.1, 0);
    expect(out.entries[1]).toMatchObject({
      backend: 'slow',
      msPerStep: null,
      note: `dropped: its first pass took 5.0 s, longer than all of FAST's probe (${Math.round(fastTotal)} ms)`,
    });
  });

  it('drops at the screen when the step at the product speed exceeds twice the best, before any pass', async () => {
    const clock = { t: 0 };
    const best = fakeCandidate(clock, 'best', { msPerRow: 1, screenMs: 1 }, []);
    // 40× slower products: the step at that speed is far above 2 × best's step.
    const slow = fakeCandidate(clock, 'slow', { msPerRow: 40, screenMs: 40 }, []);
    const close = fakeCandidate(clock, 'close', { msPerRow: 1.5, screenMs: 1.5 }, []);
    const out = await runProbe([best, slow, close], plan, { now: () => clock.t, budgetMs: 1e9 });
    expect(slow.passes).toEqual([]);
    expect(out.entries[1]!.msPerStep).toBeNull();
    expect(out.entries[1]!.note).toMatch(/: dropped$/);
    // 1.5× slower products are within the margin: measured, and not chosen.
    expect(close.passes.length).toBeGreaterThanOrEqual(2);
    expect(out.entries[2]!.msPerStep).toBeGreaterThan(out.entries[0]!.msPerStep!);
    expect(out.chosen).toBe('best');
  });

  it('does not start a candidate once the budget is spent; keeps going past one that cannot start', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const broken: ProbeCandidate = {
      name: 'broken',
      label: () => 'BROKEN',
      start: async () => 'BROKEN: no adapter.',
      pass: async () => {
        throw new Error('never called');
      },
      release: () => {},
    };
    const a = fakeCandidate(clock, 'a', { msPerRow: 100 }, log);
    const late = fakeCandidate(clock, 'late', { msPerRow: 0.001 }, log);
    const out = await runProbe([broken, a, late], plan, {
      now: () => clock.t,
      budgetMs: 1000,
    });
    expect(out.entries[0]).toMatchObject({ msPerStep: null, note: 'BROKEN: no adapter.' });
    expect(out.chosen).toBe('a');
    expect(log).not.toContain('late start');
    expect(out.entries[2]).toMatchObject({
      backend: 'late',
      msPerStep: null,
      note: "not measured: the probe's time budget was spent",
    });
  });

  it('reports a pass that throws, and chooses nothing when nothing was measured', async () => {
    const failing: ProbeCandidate = {
      name: 'x',
      label: () => 'X',
      start: async () => null,
      pass: async () => {
        throw new Error('kernel missing');
      },
      release: () => {},
    };
    const out = await runProbe([failing], plan);
    expect(out.chosen).toBeNull();
    expect(out.entries[0]!.note).toBe('its probe pass failed (Error: kernel missing)');
  });
});

describe('the probe shape', () => {
  it('keeps the first pass small for a large model (rows, then layers, then tokens)', () => {
    // bert-base at batch 64 × 2 views × 128 tokens.
    const base: RunShape = {
      layers: 12,
      hidden: 768,
      heads: 12,
      intermediate: 3072,
      vocabSize: 30522,
      rows: 128,
      length: 128,
    };
    const p = planProbe(base);
    expect(p.firstRows).toBe(2);
    expect(p.layers).toBe(1);
    expect(p.length).toBe(8); // the floor: one row of 8 tokens through one layer is the least
    expect(p.vocabSize).toBe(8192);
    expect(p.scale).toBe(12 * 16); // 12 layers / 1 × 128 tokens / 8
    expect(p.screenFlops).toBeLessThanOrEqual(SCREEN_FLOPS);
    // The built-in default's first pass fits the cap without touching layers or length.
    const d = planProbe({
      ...SMALL,
      layers: 2,
      hidden: 128,
      intermediate: 512,
      rows: 128,
      length: 32,
    });
    expect([d.layers, d.length, d.scale]).toEqual([2, 32, 1]);
    expect(d.firstRows * d.rowFlops).toBeLessThanOrEqual(FIRST_PASS_FLOPS);
  });

  it("reads the run's rows (batch × views) and the encoder from the config or the model's config.json", async () => {
    const unsup = parseExperiment({ batchSize: 16 });
    expect(await runShapeOf(unsup, {})).toEqual({
      layers: 2,
      hidden: 128,
      heads: 2,
      intermediate: 512,
      vocabSize: 8000,
      rows: 32, // 16 sentences × 2 dropout views
      length: 32,
    });
    const sup = parseExperiment({
      batchSize: 8,
      objective: { kind: 'simcse-sup' },
      data: { train: { source: 'x.tsv', kind: 'triplets' } },
      encoder: { source: 'picked-folder', maxLength: 64 },
    });
    const config = {
      num_hidden_layers: 4,
      hidden_size: 256,
      num_attention_heads: 4,
      intermediate_size: 1024,
      vocab_size: 30522,
    };
    const io = {
      openModel: () => ({
        describe: 'a picked folder',
        read: async (path: string) =>
          path === 'config.json' ? new TextEncoder().encode(JSON.stringify(config)) : null,
      }),
    };
    expect(await runShapeOf(sup, io)).toEqual({
      layers: 4,
      hidden: 256,
      heads: 4,
      intermediate: 1024,
      vocabSize: 30522,
      rows: 24, // 8 triplets: anchor, positive, hard negative
      length: 64,
    });
    // An unreadable folder gives no shape (the load after it says what is wrong).
    expect(
      await runShapeOf(sup, { openModel: () => ({ describe: 'empty', read: async () => null }) }),
    ).toBeNull();
  });
});
