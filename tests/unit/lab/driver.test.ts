/**
 * The journey queue across a reload, deterministically. A page is the real lab store (writing the
 * queue to localStorage at once, here an in-memory Storage), the real run store fed the worker's
 * events, and the real driver; the worker is a script of the events a 4-step run sends. IndexedDB
 * is a map a write reaches only when the test commits it. A reload keeps what a real one keeps
 * (localStorage, and the IndexedDB writes that committed), then a fresh page runs the queue out.
 *
 * Every interleaving of (reload moment) × (worker events vs IndexedDB commits) × (how far the run
 * store's own saving, state/persistence.ts, had got) × (driver or saved runs first at boot) must
 * end with every chapter row finished, one worker run at a time, at most one run cut.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SaveRun, startLabDriver } from '../../../src/app/lab/driver.ts';
import { LAB_STORAGE_KEY, useLabStore } from '../../../src/app/lab/labStore.ts';
import { nextAction, type QueueItem, reviveItems } from '../../../src/app/lab/queue.ts';
import { journeyRows } from '../../../src/app/lab/rows.ts';
import { fromRecord, type RunData, toRecord } from '../../../src/app/state/runRecord.ts';
import { useRunStore } from '../../../src/app/state/runStore.ts';
import type { WorkerClient } from '../../../src/app/workerClient.ts';
import { parseExperiment } from '../../../src/engine/config/validate.ts';
import { chapterById, chapterConfig } from '../../../src/engine/lab/chapters.ts';
import type { Command, WorkerMessage } from '../../../src/worker/protocol.ts';
import { stepPoint } from '../app/helpers.ts';

class MemoryStorage {
  private m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, String(v));
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  clear() {
    this.m.clear();
  }
}

const CHAPTERS = ['eda', 'consert', 'wordnet'] as const;
/** Steps per run; the worker checkpoints at steps 2 and 4 and evaluates at 0, 2 and 4. */
const TOTAL = 4;

function queue(): QueueItem[] {
  return CHAPTERS.map((c) => ({
    key: `item-${c}`,
    chapter: c,
    length: 'quick',
    name: `Journey: ${c}`,
    config: parseExperiment(chapterConfig(chapterById(c), 'quick')),
    state: 'waiting',
    starts: 0,
  }));
}

/** What the worker sends for one run, in the trainer's order (a resumed run starts at `from`). */
function runEvents(runId: string, from: number): WorkerMessage[] {
  const ready = {
    type: 'ready' as const,
    backend: 'cpu' as const,
    reasons: [],
    parameters: 1,
    trainExamples: 10,
    evalExamples: 2,
    totalSteps: TOTAL,
    startStep: from,
    dataReport: '',
    setupMs: 1,
  };
  const ev: WorkerMessage[] = [
    { type: 'state', state: 'loading', step: from, runId },
    { ...ready, runId },
    { type: 'state', state: 'running', step: from, runId },
  ];
  if (from === 0) ev.push({ type: 'eval', step: 0, spearman: 10, runId });
  for (let s = from + 1; s <= TOTAL; s++) {
    ev.push({ type: 'step', runId, ...stepPoint(s) });
    if (s % 2 === 0) {
      ev.push({ type: 'eval', step: s, spearman: 10 + s, runId });
      ev.push({ type: 'checkpoint', step: s, runId });
    }
  }
  ev.push({ type: 'state', state: 'finished', step: TOTAL, runId });
  ev.push({ type: 'done', step: TOTAL, reason: 'finished', runId });
  return ev;
}

/** How far the run store's own IndexedDB saving had got when the page went away. */
type Persisted = 'nothing' | 'record-at-training-start' | 'everything';
/** Between worker events, whether a pending IndexedDB write commits first or the events go on. */
type Commits = 'writes-first' | 'events-first';
/** At boot: the driver subscribes before the saved runs are read back, or after. */
type Boot = 'driver-first' | 'runs-first';

interface World {
  /** The worker of the current page: the run it hosts and the events still to send. */
  hosted: { runId: string; events: WorkerMessage[] } | null;
  /** Checkpoints the worker saved (IndexedDB, written before it reports them). */
  ckpts: Map<string, number>;
  /** Committed run records, and writes the page issued that have not committed. */
  idb: Map<string, unknown>;
  writes: (() => void)[];
  /** Each run's record as the run store saved it when its training began. */
  atStart: Map<string, unknown>;
  starts: number;
  problems: string[];
  stopDriver: () => void;
}

let storage: MemoryStorage;
let w: World;
/** Starts that resumed from a checkpoint, over all the worlds of a test. */
let resumes = 0;

const client = {
  send(cmd: Command) {
    if (cmd.type !== 'start') return;
    // The worker trains one run at a time: a start while one still trains would stop it.
    const trains = w.hosted?.events.some((e) => e.type === 'state' && e.state === 'finished');
    if (trains) w.problems.push(`start ${cmd.runId} while ${w.hosted!.runId} trains`);
    w.starts += 1;
    if (cmd.resume) resumes += 1;
    const from = cmd.resume ? (w.ckpts.get(cmd.runId) ?? 0) : 0;
    // What the worker already posted for the previous run (its 'done') still arrives first.
    const before = w.hosted?.events ?? [];
    w.hosted = { runId: cmd.runId, events: [...before, ...runEvents(cmd.runId, from)] };
  },
} as unknown as WorkerClient;

const saveRun: SaveRun = (run: RunData) =>
  new Promise((resolve) => {
    const page = w;
    page.writes.push(() => {
      page.idb.set(run.id, structuredClone(toRecord(run)));
      resolve();
    });
  });

const settle = () => new Promise<void>((r) => setImmediate(r));

/** A page boots: the queue from localStorage, the runs from the committed records. */
function boot(records: Map<string, unknown>, order: Boot): void {
  useRunStore.setState({ runs: {}, order: [], activeId: null, overlay: [], hydrated: false });
  useLabStore.setState({
    items: reviveItems(JSON.parse(storage.getItem(LAB_STORAGE_KEY) ?? '[]')),
  });
  w.hosted = null;
  w.idb = records;
  w.writes = [];
  w.atStart = new Map();
  const runs = [...records.values()].map(fromRecord).filter((r): r is RunData => r !== null);
  if (order === 'driver-first') {
    w.stopDriver = startLabDriver(client, saveRun);
    useRunStore.getState().hydrate(runs);
  } else {
    useRunStore.getState().hydrate(runs);
    w.stopDriver = startLabDriver(client, saveRun);
  }
}

/** The page goes away: what survives is localStorage and the committed IndexedDB writes. */
function reload(persisted: Persisted, order: Boot): void {
  useRunStore.getState().publish(); // pagehide
  w.stopDriver();
  const records = new Map(w.idb);
  if (persisted === 'everything') {
    for (const r of Object.values(useRunStore.getState().runs))
      records.set(r.id, structuredClone(toRecord(r)));
  } else if (persisted === 'record-at-training-start') {
    // Older than any write the driver committed for the same run (IndexedDB keeps write order).
    for (const [id, rec] of w.atStart) if (!w.idb.has(id)) records.set(id, rec);
  }
  boot(records, order);
}

/** One thing happens: an IndexedDB write commits or the worker sends its next event. */
async function advance(commits: Commits): Promise<boolean> {
  const events = w.hosted?.events ?? [];
  if (w.writes.length && (commits === 'writes-first' || events.length === 0)) {
    w.writes.shift()!();
  } else if (events.length) {
    const e = events.shift()!;
    if (e.type === 'checkpoint') w.ckpts.set(e.runId, e.step);
    useRunStore.getState().handle(e);
    const run = 'runId' in e ? useRunStore.getState().runs[e.runId] : undefined;
    if (run && e.type === 'state' && e.state === 'running')
      w.atStart.set(run.id, structuredClone(toRecord(run)));
  } else {
    return false;
  }
  await settle();
  return true;
}

function freshWorld(): void {
  w?.stopDriver();
  storage.clear();
  w = {
    hosted: null,
    ckpts: new Map(),
    idb: new Map(),
    writes: [],
    atStart: new Map(),
    starts: 0,
    problems: [],
    stopDriver: () => {},
  };
  useLabStore.setState({ items: [] });
  useLabStore.getState().enqueue(queue()); // Run all
  boot(new Map(), 'driver-first');
}

beforeEach(() => {
  storage = new MemoryStorage();
  Object.defineProperty(globalThis, 'localStorage', {
    value: storage,
    configurable: true,
    writable: true,
  });
});

afterEach(() => {
  w?.stopDriver();
  Reflect.deleteProperty(globalThis, 'localStorage');
});

const statuses = () =>
  Object.fromEntries(
    journeyRows(useLabStore.getState().items, useRunStore.getState().runs).map((r) => [
      r.chapter,
      r.status,
    ]),
  );

describe('the journey queue across a reload', () => {
  it('a reload between a run\'s end and its record reaching IndexedDB does not leave the chapter "stopped"', async () => {
    freshWorld();
    // The first chapter trains to its last step; its record as of its start is saved.
    while (w.hosted?.events[0]?.type !== 'state' || w.hosted.events[0].state !== 'finished')
      await advance('writes-first');
    await advance('events-first'); // 'state: finished'; its record is not committed yet
    expect(statuses().eda).toBe('finished'); // what the page shows at this moment
    reload('record-at-training-start', 'driver-first');
    // The saved run says "running" (so interrupted): the queue must still hold eda, and run it
    // again, rather than have marked it done (its row would read "stopped" for good).
    const items = useLabStore.getState().items;
    expect(items.map((i) => i.state)).toEqual(['running', 'waiting', 'waiting']);
    expect(items[0]!.starts).toBe(2); // started again (its only checkpoint was its last step)
    expect(statuses()).toEqual({ eda: 'running', consert: 'waiting', wordnet: 'waiting' });
    while (await advance('writes-first'));
    expect(statuses()).toEqual({ eda: 'finished', consert: 'finished', wordnet: 'finished' });
    expect(w.problems).toEqual([]);
  });

  it("no item is marked done before its run's ending is committed, and nothing starts meanwhile", async () => {
    freshWorld();
    while (w.hosted?.events.length) await advance('events-first');
    // The worker said finished and done; the record's write is pending.
    expect(useRunStore.getState().runs[w.hosted!.runId]!.status).toBe('finished');
    expect(useLabStore.getState().items[0]!.state).toBe('running');
    expect(w.starts).toBe(1);
    expect(w.writes).toHaveLength(1);
    await advance('writes-first');
    expect(useLabStore.getState().items.map((i) => i.state)).toEqual([
      'done',
      'running',
      'waiting',
    ]);
    expect(w.starts).toBe(2);
  });

  it('every reload moment × commit order × saved progress × boot order: every row finishes', async () => {
    const failures: string[] = [];
    let cases = 0;
    resumes = 0;
    for (const persisted of ['nothing', 'record-at-training-start', 'everything'] as const)
      for (const commits of ['writes-first', 'events-first'] as const)
        for (const order of ['driver-first', 'runs-first'] as const) {
          // How many things happen in a queue with no reload.
          freshWorld();
          let moments = 0;
          while (await advance(commits)) moments++;
          expect(statuses()).toEqual({ eda: 'finished', consert: 'finished', wordnet: 'finished' });
          for (let k = 0; k <= moments; k++) {
            cases++;
            freshWorld();
            for (let i = 0; i < k; i++) await advance(commits);
            reload(persisted, order);
            let guard = 0;
            while ((await advance(commits)) && guard++ < 500);
            const st = statuses();
            const items = useLabStore.getState().items;
            const runs = Object.keys(useRunStore.getState().runs).length;
            const bad =
              Object.values(st).some((s) => s !== 'finished') ||
              Object.keys(st).length !== CHAPTERS.length ||
              items.some((i) => i.state !== 'done') ||
              nextAction(items, useRunStore.getState().runs).type !== 'wait' ||
              runs > CHAPTERS.length + 1 ||
              w.problems.length > 0;
            if (bad)
              failures.push(
                `${persisted}/${commits}/${order} reload after ${k}: ${JSON.stringify(st)}, ${runs} runs${w.problems.length ? `, ${w.problems.join('; ')}` : ''}`,
              );
          }
        }
    expect(failures).toEqual([]);
    // 12 combinations × (about 40 moments + 1): each moment of the queue was a reload point.
    expect(cases).toBeGreaterThan(12 * 30);
    // Some reloads came after the step-2 checkpoint was recorded: those runs resumed from it.
    expect(resumes).toBeGreaterThan(0);
  });
});
