/**
 * The app's own training Worker bundle, started in a test page as the app starts it, and asked
 * for `{ type: 'bench' }` cases (src/worker/bench.ts): the numbers and WebGPU-count e2e tests.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { BenchMessage } from '../../src/worker/bench.ts';
import { REPO_ROOT } from '../helpers/paths.ts';

function workerBundle(): string {
  const dir = join(REPO_ROOT, 'dist', 'assets');
  const name = readdirSync(dir).find((f) => /^trainingWorker-.*\.js$/.test(f));
  if (!name) throw new Error(`${dir} has no trainingWorker bundle; run \`npx vite build\` first.`);
  return `assets/${name}`;
}

type PageWorker = { w: Worker; ready: Promise<boolean> };
export type BenchReply = BenchMessage | { type: 'error'; error: string };

/** Starts the Worker in `page` (at `base`); resolves with its hello's `crossOriginIsolated`. */
export function startBenchWorker(page: Page, base: string): Promise<boolean> {
  return page.evaluate(async (url) => {
    const w = new Worker(url, { type: 'module' });
    const g = globalThis as unknown as { __benchWorker: PageWorker };
    g.__benchWorker = {
      w,
      ready: new Promise<boolean>((resolve, reject) => {
        w.addEventListener('message', (e: MessageEvent) => {
          if (e.data?.type === 'hello') resolve(e.data.crossOriginIsolated as boolean);
        });
        w.addEventListener('error', (e) => reject(new Error(`the worker failed: ${e.message}`)));
      }),
    };
    return g.__benchWorker.ready;
  }, new URL(workerBundle(), base).href);
}

let nextId = 1;

/** One bench request to the page's Worker; its reply (or the Worker's error) as it came. */
export function askBenchWorker(page: Page, request: unknown): Promise<BenchReply> {
  return page.evaluate(
    ({ request, requestId }) => {
      const { w } = (globalThis as unknown as { __benchWorker: PageWorker }).__benchWorker;
      return new Promise<BenchReply>((resolve) => {
        const done = (m: BenchReply) => {
          w.removeEventListener('message', onMessage);
          w.removeEventListener('error', onError);
          resolve(m);
        };
        const onMessage = (e: MessageEvent) => {
          const m = e.data as BenchMessage;
          if (m.type === 'bench-result' && m.requestId === requestId) done(m);
        };
        const onError = (e: ErrorEvent) => done({ type: 'error', error: String(e.message) });
        w.addEventListener('message', onMessage);
        w.addEventListener('error', onError);
        w.postMessage({ type: 'bench', requestId, request });
      });
    },
    { request, requestId: nextId++ },
  );
}
