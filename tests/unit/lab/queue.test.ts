import { describe, expect, it } from 'vitest';
import {
  cancelWaiting,
  chapterRuns,
  MAX_STARTS,
  nextAction,
  type QueueItem,
  reviveItems,
} from '../../../src/app/lab/queue.ts';
import { estimateSecondsLeft, journeyRows, sweepSeries } from '../../../src/app/lab/rows.ts';
import type { RunData, RunStatus } from '../../../src/app/state/runRecord.ts';
import { parseExperiment } from '../../../src/engine/config/validate.ts';
import { chapterById, chapterConfig } from '../../../src/engine/lab/chapters.ts';

const config = parseExperiment(chapterConfig(chapterById('simcse-unsup'), 'quick'));

function item(key: string, state: QueueItem['state'], extra: Partial<QueueItem> = {}): QueueItem {
  return { key, name: key, config, state, starts: 0, ...extra };
}

function run(id: string, status: RunStatus, extra: Partial<RunData> = {}): RunData {
  return { id, name: id, config, createdAt: 0, status, steps: [], evals: [], logs: [], ...extra };
}

describe('the journey queue: what the driver does next', () => {
  it('starts the first waiting item when nothing runs', () => {
    expect(nextAction([item('a', 'done'), item('b', 'waiting'), item('c', 'waiting')], {})).toEqual(
      {
        type: 'start',
        key: 'b',
      },
    );
    expect(nextAction([item('a', 'done')], {})).toEqual({ type: 'wait' });
  });

  it('waits while its run is live, and while any other run is live', () => {
    const items = [item('a', 'running', { runId: 'r1', starts: 1 }), item('b', 'waiting')];
    for (const s of ['loading', 'running', 'paused'] as const)
      expect(nextAction(items, { r1: run('r1', s) })).toEqual({ type: 'wait' });
    // The user's own run holds the worker: the queue waits for it.
    expect(nextAction([item('b', 'waiting')], { mine: run('mine', 'running') })).toEqual({
      type: 'wait',
    });
  });

  it('moves on when the run ended, whatever the ending', () => {
    for (const s of ['finished', 'stopped', 'failed'] as const)
      expect(
        nextAction([item('a', 'running', { runId: 'r1', starts: 1 })], { r1: run('r1', s) }),
      ).toEqual({
        type: 'finish',
        key: 'a',
      });
  });

  it('after a reload: resumes an interrupted run from its checkpoint, else starts it again', () => {
    const items = [item('a', 'running', { runId: 'r1', starts: 1 })];
    const withCkpt = run('r1', 'interrupted', { checkpointStep: 25 });
    expect(nextAction(items, { r1: withCkpt })).toEqual({ type: 'resume', key: 'a', runId: 'r1' });
    expect(nextAction(items, { r1: run('r1', 'interrupted') })).toEqual({
      type: 'start',
      key: 'a',
    });
    // A deleted run is started again too; one that keeps dying is given up.
    expect(nextAction(items, {})).toEqual({ type: 'start', key: 'a' });
    const tired = [item('a', 'running', { runId: 'r1', starts: MAX_STARTS })];
    expect(nextAction(tired, { r1: run('r1', 'interrupted') })).toEqual({
      type: 'finish',
      key: 'a',
    });
  });

  it('Cancel stops the running run once it trains (not while the worker loads it), then moves on', () => {
    const [a] = cancelWaiting([item('a', 'running', { runId: 'r1', starts: 1 })]);
    expect(a!.cancel).toBe('requested');
    expect(nextAction([a!], { r1: run('r1', 'loading') })).toEqual({ type: 'wait' });
    expect(nextAction([a!], { r1: run('r1', 'running') })).toEqual({ type: 'stop', key: 'a' });
    const sent = { ...a!, cancel: 'sent' as const };
    expect(nextAction([sent], { r1: run('r1', 'running') })).toEqual({ type: 'wait' });
    expect(nextAction([sent], { r1: run('r1', 'stopped') })).toEqual({ type: 'finish', key: 'a' });
    // Cut by a reload after Cancel: it is not resumed.
    const cut = run('r1', 'interrupted', { checkpointStep: 25 });
    expect(nextAction([a!], { r1: cut })).toEqual({ type: 'finish', key: 'a' });
  });

  it('cancels what waits, keeps what runs, and revives only well-formed items', () => {
    const items = cancelWaiting([item('a', 'running'), item('b', 'waiting'), item('c', 'done')]);
    expect(items.map((i) => i.state)).toEqual(['running', 'cancelled', 'done']);
    const json = JSON.parse(
      JSON.stringify([...items, { key: 1 }, null, { ...items[0], state: 'odd' }]),
    );
    expect(reviveItems(json).map((i) => i.key)).toEqual(['a', 'b', 'c']);
    expect(reviveItems('nope')).toEqual([]);
  });
});

describe('the page table from the queue and the runs', () => {
  it('fills each queued chapter from its newest run, in the journey order', () => {
    const items = [
      item('1', 'done', { chapter: 'dropout-0', runId: 'old' }),
      item('2', 'done', { chapter: 'simcse-unsup', runId: 'u' }),
      item('3', 'running', { chapter: 'dropout-0', runId: 'new' }),
      item('4', 'waiting', { chapter: 'eda' }),
    ];
    expect([...chapterRuns(items).entries()].map(([c, i]) => [c, i.key])).toEqual([
      ['dropout-0', '3'],
      ['simcse-unsup', '2'],
      ['eda', '4'],
    ]);
    const runs = {
      u: run('u', 'finished', {
        steps: [
          {
            step: 1,
            loss: 2,
            lr: 0,
            epoch: 0,
            sentencesPerSec: 1,
            stepMs: 1,
            elapsedMs: 4000,
            tensors: 0,
            bytes: 0,
          },
        ],
        evals: [
          { step: 0, spearman: 30 },
          { step: 1, spearman: 33 },
        ],
      }),
      new: run('new', 'running'),
    };
    const rows = journeyRows(items, runs);
    expect(rows.map((r) => [r.chapter, r.status, r.start, r.end])).toEqual([
      ['eda', 'waiting', null, null],
      ['simcse-unsup', 'finished', 30, 33],
      ['dropout-0', 'running', null, null],
    ]);
    expect(rows[1]!.seconds).toBe(4);
  });

  it('plots a sweep as value → final score', () => {
    const sweep = (value: number) => ({ id: 's1', fields: ['objective.temperature'], value });
    const items = [
      item('a', 'done', { sweep: sweep(0.05), runId: 'ra' }),
      item('b', 'waiting', { sweep: sweep(1) }),
    ];
    const runs = {
      ra: run('ra', 'finished', {
        evals: [
          { step: 0, spearman: 10 },
          { step: 2, spearman: 12 },
        ],
      }),
    };
    const [s] = sweepSeries(items, runs);
    expect(s!.metric).toBe('spearman');
    expect(s!.points).toEqual([
      { value: 0.05, runId: 'ra', score: 12, status: 'finished' },
      { value: 1, score: null, status: 'waiting' },
    ]);
  });
});

describe('the time the queue still needs', () => {
  it('scales the finished runs’ time per training example to the examples left', () => {
    const stepAt = (step: number, elapsedMs: number) => ({
      step,
      loss: 1,
      lr: 0,
      epoch: 0,
      sentencesPerSec: 1,
      stepMs: 1,
      elapsedMs,
      tensors: 0,
      bytes: 0,
    });
    // Finished: 150 steps × 64 examples in 96 s → 0.01 s an example.
    const done = item('a', 'done', { runId: 'ra' });
    const big = parseExperiment({ ...chapterConfig(chapterById('gradcache'), 'quick') });
    const items = [
      done,
      item('b', 'running', { runId: 'rb' }), // 50 of 150 steps done at batch 64
      item('c', 'waiting', { config: big }), // 150 steps at batch 256
    ];
    expect(estimateSecondsLeft(items.slice(1), {})).toBeNull();
    const runs = {
      ra: run('ra', 'finished', { steps: [stepAt(150, 96_000)] }),
      rb: run('rb', 'running', { steps: [stepAt(50, 30_000)] }),
    };
    // (100 × 64 + 150 × 256) examples × 0.01 s = 64 + 384 s.
    expect(estimateSecondsLeft(items, runs)).toBeCloseTo(448, 9);
  });
});
