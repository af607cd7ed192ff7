/**
 * Browser cases: the production build of the app (built into bench/tmp/dist, so the `dist/` other
 * work serves is left alone), served by `vite preview` with the app's own headers (cross-origin
 * isolation: WASM threads), headless Chromium driven by Playwright with the e2e tests' flags
 * (SwiftShader WebGPU / WebGL here). Each case loads the app in a fresh page, starts the app's
 * training Worker bundle and sends it `{ type: 'bench' }` (src/worker/bench.ts).
 * The model folder and the training text are served from /bench-files/ by the same server.
 */
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { build, type Plugin, type PreviewServer, preview } from 'vite';
import type { BenchCaseRequest, BenchCaseResult, BenchMessage } from '../src/worker/bench.ts';
import { CHROMIUM_ARGS, findChromium } from '../tests/e2e/browser.ts';
import { REPO_ROOT, TMP_DIR, TRAIN_FILE } from './prepare.ts';

export const BROWSER_DIST = join(TMP_DIR, 'dist');

/** Serves bench/tmp/models/** and the training text under /bench-files/. */
function benchFiles(): Plugin {
  const roots: Record<string, string> = { models: join(TMP_DIR, 'models') };
  return {
    name: 'cplay:bench-files',
    configurePreviewServer(server) {
      server.middlewares.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
        const url = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
        if (!url.startsWith('/bench-files/')) return next();
        const rest = url.slice('/bench-files/'.length);
        let file: string | null = null;
        if (rest === 'train.txt') file = TRAIN_FILE;
        else {
          const [top, ...path] = rest.split('/');
          const root = top ? roots[top] : undefined;
          const rel = normalize(path.join('/'));
          if (root && !rel.startsWith('..')) file = join(root, rel);
        }
        if (!file || !existsSync(file) || !statSync(file).isFile()) {
          res.statusCode = 404;
          res.end('not found');
          return;
        }
        res.setHeader(
          'Content-Type',
          file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        );
        res.setHeader('Content-Length', String(statSync(file).size));
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        res.setHeader('Cache-Control', 'no-store');
        createReadStream(file).pipe(res);
      });
    },
  };
}

/** Builds the app (the same `vite build` as `npm run build`, into bench/tmp/dist). */
export async function buildApp(): Promise<void> {
  if (!existsSync(join(REPO_ROOT, 'public', 'generated', 'builtin-vocab.txt'))) {
    throw new Error(
      'public/generated/ is missing: run `npm run assets` (or `npm run build`) first.',
    );
  }
  await build({
    root: REPO_ROOT,
    build: {
      outDir: BROWSER_DIST,
      emptyOutDir: true,
      rolldownOptions: { checks: { bundlerTimings: false } },
    },
    logLevel: 'warn',
  });
}

export interface BrowserSession {
  origin: string;
  chromium: string;
  runCase(
    request: BenchCaseRequest,
    timeoutMs: number,
    log: (m: string) => void,
  ): Promise<BenchCaseResult>;
  close(): Promise<void>;
}

export async function openBrowserSession(): Promise<BrowserSession> {
  const worker = readdirSync(join(BROWSER_DIST, 'assets')).find((f) =>
    /^trainingWorker-.*\.js$/.test(f),
  );
  if (!worker)
    throw new Error(`${BROWSER_DIST} has no trainingWorker bundle; build the app first.`);
  const server: PreviewServer = await preview({
    root: REPO_ROOT,
    build: { outDir: BROWSER_DIST },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    plugins: [benchFiles()],
    logLevel: 'warn',
  });
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('vite preview did not report a URL');
  const executable = findChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'cplay-bench-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: executable,
      headless: true,
      // The e2e tests' flags (tests/e2e/browser.ts), plus Dawn's unsafe APIs so WebGPU offers
      // timestamp queries and tf.profile can time its kernels.
      args: [...CHROMIUM_ARGS, '--enable-dawn-features=allow_unsafe_apis'],
    });
  } catch (e) {
    await server.close();
    throw e;
  }
  const origin = new URL(base).origin;
  return {
    origin,
    chromium: executable,
    async runCase(request, timeoutMs, log) {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text().slice(0, 300));
      });
      await page.exposeFunction('__cplayBenchLog', (m: string) => log(m));
      try {
        await page.goto(base, { waitUntil: 'load' });
        const run = page.evaluate(
          async ({ workerUrl, req }) => {
            const g = globalThis as unknown as { __cplayBenchLog(m: string): void };
            const w = new Worker(workerUrl, { type: 'module' });
            return await new Promise<BenchMessage | { type: 'error'; error: string }>((resolve) => {
              w.onmessage = (e: MessageEvent) => {
                const m = e.data as {
                  type: string;
                  message?: string;
                  crossOriginIsolated?: boolean;
                };
                if (m.type === 'hello') {
                  g.__cplayBenchLog(`worker up, crossOriginIsolated=${m.crossOriginIsolated}`);
                  w.postMessage({ type: 'bench', requestId: 1, request: req });
                } else if (m.type === 'bench-progress') g.__cplayBenchLog(m.message ?? '');
                else if (m.type === 'bench-result') {
                  w.terminate();
                  resolve(m as BenchMessage);
                }
              };
              w.onerror = (e) =>
                resolve({ type: 'error', error: `the worker failed: ${e.message}` });
            });
          },
          { workerUrl: `${base}assets/${worker}`, req: request },
        );
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s`)),
            timeoutMs,
          );
        });
        const reply = await Promise.race([run, timeout]).finally(() => clearTimeout(timer));
        if (reply.type === 'error') throw new Error(reply.error);
        if (reply.type !== 'bench-result') throw new Error(`unexpected reply ${reply.type}`);
        if (reply.error) throw new Error(reply.error.split('\n')[0]);
        if (!reply.result) throw new Error('no result');
        return reply.result;
      } catch (e) {
        const extra = errors.length ? ` (page: ${errors.slice(-2).join(' | ')})` : '';
        throw new Error(`${e instanceof Error ? e.message : String(e)}${extra}`);
      } finally {
        await page.close().catch(() => {});
      }
    },
    async close() {
      await context.close().catch(() => {});
      await server.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
