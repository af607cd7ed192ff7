/**
 * The page's side of faults (docs/reliability.md; the browser tests are tests/e2e/faults.e2e.ts):
 * which download failures offer Retry — told apart on the real messages the engine gives for a
 * real local server that is down, cuts a body short or answers 503 —, a full quota in plain words,
 * and the `?hub=` parameter.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNetworkFailure } from '../../../src/app/panels/runActions.ts';
import { useRunStore } from '../../../src/app/state/runStore.ts';
import { hubBaseFromSearch } from '../../../src/app/workerClient.ts';
import { download } from '../../../src/engine/data/hub.ts';
import { STORAGE_FULL, writeError } from '../../../src/worker/db.ts';
import { deviceLostMessage } from '../../../src/worker/deviceLoss.ts';
import { run, stepPoint } from './helpers.ts';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/cut') {
      res.writeHead(200, { 'Content-Length': '1000' });
      res.write(Buffer.alloc(400), () => res.destroy());
    } else if (req.url === '/busy') {
      res.writeHead(503);
      res.end('try later');
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

async function messageOf(url: string): Promise<string> {
  try {
    await download(url, {}, 'shard 1 of 1');
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${url} downloaded`);
}

describe('download failures', () => {
  it('a server that is down, a body cut short and a 503 offer Retry; a 404 does not', async () => {
    // A port nobody listens on: the server closed at once after it was given out.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const downUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/x.parquet`;
    await new Promise<void>((r) => closed.close(() => r()));

    const down = await messageOf(downUrl);
    expect(down).toMatch(/^Could not reach .* to download shard 1 of 1 \(.+\)\.$/);
    const cut = await messageOf(`${base}/cut`);
    expect(cut).toMatch(/^The download of shard 1 of 1 from .* (broke off after|stopped after) /);
    const busy = await messageOf(`${base}/busy`);
    expect(busy).toMatch(/failed with HTTP 503\.$/);
    const missing = await messageOf(`${base}/missing`);
    expect(missing).toMatch(/failed with HTTP 404: not found\.$/);

    for (const m of [down, cut, busy]) expect(isNetworkFailure(m), m).toBe(true);
    for (const m of [
      missing,
      'data.train: dev.tsv line 11 has 2 tab-separated field(s) but the header has 3.',
      'The GPU device was lost at step 3 (the device was destroyed), so training stopped.',
    ]) {
      expect(isNetworkFailure(m), m).toBe(false);
    }
  });
});

describe('plain words', () => {
  it('a full quota, whatever the browser calls it; other write errors pass through', () => {
    expect(
      writeError(new DOMException('The quota has been exceeded.', 'QuotaExceededError')),
    ).toEqual(new Error(STORAGE_FULL));
    expect(STORAGE_FULL).toMatch(/^this site's browser storage is full/);
    const other = new Error('The database connection is closing.');
    expect(writeError(other)).toBe(other);
  });

  it('a lost GPU device names the step, the reason and what Resume does', () => {
    expect(deviceLostMessage(12, 'the device was destroyed', 10)).toBe(
      'The GPU device was lost at step 13 (the device was destroyed), so training stopped. The run is kept with its checkpoint at step 10: Resume continues from it, on a new WebGPU device, or on WASM if WebGPU cannot start again.',
    );
    expect(deviceLostMessage(2, 'reason: unknown', 0)).toMatch(
      /No checkpoint had been saved yet, so Start trains it again from the beginning\.$/,
    );
  });

  it('?hub= takes an http(s) base URL and nothing else', () => {
    expect(hubBaseFromSearch('?hub=http%3A%2F%2F127.0.0.1%3A8080%2F')).toBe(
      'http://127.0.0.1:8080',
    );
    expect(hubBaseFromSearch('?hub=https://hf-mirror.example/')).toBe('https://hf-mirror.example');
    expect(hubBaseFromSearch('?hub=javascript:alert(1)')).toBeNull();
    expect(hubBaseFromSearch('?hub=not a url')).toBeNull();
    expect(hubBaseFromSearch('')).toBeNull();
  });
});

describe('a dead worker', () => {
  it('interrupts the live run it hosted, with its steps and checkpoint kept; a finished run is left as it is', () => {
    const s = useRunStore.getState();
    s.addRun(run({ id: 'done', status: 'finished' }));
    s.addRun(run({ id: 'live', status: 'running', checkpointStep: 5 }));
    for (let i = 1; i <= 7; i++) s.handle({ type: 'step', runId: 'live', ...stepPoint(i) });
    const message = 'The training worker stopped unexpectedly.';
    s.handle({ type: 'worker-lost', runId: 'live', message });
    s.handle({ type: 'worker-lost', runId: 'done', message });
    const { runs } = useRunStore.getState();
    expect(runs.live).toMatchObject({ status: 'interrupted', checkpointStep: 5 });
    expect(runs.live!.error).toEqual({ message, kind: 'internal' });
    // The buffered steps were published before the run was marked: none is lost.
    expect(runs.live!.steps.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(runs.done!.status).toBe('finished');
    expect(runs.done!.error).toBeUndefined();
    useRunStore.setState({ runs: {}, order: [], activeId: null, overlay: [] });
  });
});
