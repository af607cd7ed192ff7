/**
 * The speed-target rows (bench/targets.ts) read off a bench record: the WASM ratio is judged on
 * the default a run gets (one replica per core, the case with the most workers) against the faster
 * PyTorch of the same run, with the one-worker step beside it; a record without a workers case
 * (older results files) is judged on its one-worker step. Synthetic records, exact arithmetic.
 */
import { describe, expect, it } from 'vitest';
import type { CaseRecord, RunRecord } from '../../../bench/report.ts';
import { rowsOf } from '../../../bench/report.ts';
import { targetRows } from '../../../bench/targets.ts';

const result = (stepMs: number, workers = 1) =>
  ({
    backend: 'wasm',
    workers,
    parameters: 1,
    setupMs: 0,
    firstStepMs: stepMs,
    timeToFirstStepMs: stepMs,
    stepMs: [stepMs, stepMs, stepMs],
    losses: [1, 1, 1],
    batchSize: 64,
    tensorGrowth: 0,
    memory: {},
    embed: { sentences: 64, lengths: [32], warmupMs: 0, passMs: [100] },
    wasmMultithread: true,
    wasmThreads: 1,
    wasmGemm: 'relaxed',
  }) as unknown as CaseRecord['result'];

const torch = (backend: string, stepMs: number, threads: number): CaseRecord => ({
  host: 'torch',
  backend,
  shape: 'tiny',
  load: [0, 0],
  wallMs: 0,
  result: { ...(result(stepMs) as object), threads } as unknown as CaseRecord['result'],
});

function record(cases: CaseRecord[]): RunRecord {
  return {
    date: '2026-12-03T00:00:00.000Z',
    mode: 'quick',
    argv: [],
    machine: {} as RunRecord['machine'],
    settings: {},
    cases,
  };
}

describe('bench targets: the WASM step ratio', () => {
  it('is judged on the default workers case, with the one-worker step beside it', () => {
    const run = record([
      torch('torch', 300, 2),
      torch('torch-1t', 200, 1), // the faster PyTorch: 200 ms
      {
        host: 'browser',
        backend: 'wasm',
        shape: 'tiny',
        load: [0, 0],
        wallMs: 0,
        result: result(500),
      },
      {
        host: 'browser',
        backend: 'wasm',
        shape: 'tiny',
        workers: 2,
        load: [0, 0],
        wallMs: 0,
        result: result(320, 2),
      },
    ]);
    const rows = rowsOf(run).filter((r) => r.host === 'browser');
    expect(rows.map((r) => r.workers)).toEqual([1, 2]);
    expect(rows[1]!.label).toContain('2 workers');
    expect(rows[1]!.label).toContain('relaxed-SIMD GEMM');
    const t = targetRows(run).find((r) => r.target.startsWith('Chromium WASM, bert-tiny'))!;
    // 200 / 320 = 0.625 with two workers; 200 / 500 = 0.40 with one.
    expect(t.measured).toBe(
      '0.63× (320 ms/step) with 2 workers (the default: one per core); one worker: 0.40× (500 ms/step)',
    );
    expect(t.met).toBe(true);
  });

  it('a run asked for K workers that got fewer says so; an old record is judged on one worker', () => {
    const short = record([
      torch('torch-1t', 200, 1),
      {
        host: 'node',
        backend: 'wasm',
        shape: 'tiny',
        workers: 2,
        load: [0, 0],
        wallMs: 0,
        result: result(450, 1),
      },
    ]);
    const row = rowsOf(short).find((r) => r.host === 'node')!;
    expect(row.workers).toBe(1);
    expect(row.note).toBe('asked for 2 workers, ran on 1');

    const old = record([
      torch('torch-1t', 200, 1),
      {
        host: 'node',
        backend: 'wasm',
        shape: 'tiny',
        load: [0, 0],
        wallMs: 0,
        result: result(500),
      },
    ]);
    const t = targetRows(old).find((r) => r.target.startsWith('Node'))!;
    expect(t.measured).toBe('0.40× (500 ms/step), one worker');
    expect(t.met).toBe(false);
  });

  it('the K = 2 row: the speedup, the machine’s ceilings and how its threads scale beside it', () => {
    const run = {
      ...record([]),
      scaling: {
        shape: 'tiny',
        backend: 'wasm',
        parameters: 1,
        wasmThreads: 1,
        cores: 2,
        load1: 1.5,
        warmup: 2,
        timed: 8,
        model: null,
        results: [
          { workers: 1, stepMs: 500, sentencesPerSec: 128, loss: [] },
          { workers: 2, stepMs: 400, sentencesPerSec: 160, loss: [] },
        ],
        ceiling: [
          { processes: 2, batchPerProcess: 32, stepMs: [300, 340], aloneMs: 450, speedup: 1.41 },
        ],
        threads: {
          threads: 2,
          alu: { aloneMs: 100, togetherMs: [100, 100], scaling: 2 },
          memory: { aloneMs: 100, togetherMs: [150, 154], scaling: 1.3 },
        },
      },
    };
    const row = targetRows(run).find((r) => r.target.startsWith('K = 2'))!;
    expect(row.measured).toBe(
      '1.25× (500 → 400 ms/step; load 1.5 on 2 cores); 2 independent processes of 32 sentences each (what the replicas do) at once: 1.41× (300 and 340 ms/step); 2 threads here scale 2.00× on ALU-bound work and 1.30× on memory-bound work',
    );
    expect(row.met).toBe(false);
    // Measured in turn (1, 2, 1, 2): the median of the pairs' ratios, each pair shown.
    const twice = {
      ...run,
      scaling: {
        ...run.scaling,
        ceiling: [],
        threads: undefined,
        results: [500, 400, 600, 360].map((stepMs, i) => ({
          workers: (i % 2) + 1,
          stepMs,
          sentencesPerSec: 0,
          loss: [],
        })),
      },
    };
    const paired = targetRows(twice).find((r) => r.target.startsWith('K = 2'))!;
    expect(paired.measured).toBe(
      '1.46× (median of 2 interleaved pairs: 1.25×, 1.67×; 500 → 400, 600 → 360 ms/step; load 1.5 on 2 cores)',
    );
    expect(paired.met).toBe(false);
    // With the run's WASM cases at one and two workers, their ratio per host and shape beside it.
    const withCases = {
      ...run,
      cases: [1, 2].map(
        (workers): CaseRecord => ({
          host: 'node',
          backend: 'wasm',
          shape: 'mini',
          workers,
          load: [0, 0],
          wallMs: 0,
          result: result(workers === 1 ? 1800 : 1000, workers),
        }),
      ),
    };
    const more = targetRows(withCases).find((r) => r.target.startsWith('K = 2'))!;
    expect(
      more.measured.endsWith("; the run's WASM cases, 2 workers ÷ one worker: Node mini 1.80×"),
    ).toBe(true);
  });
});
