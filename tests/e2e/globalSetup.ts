import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, normalize } from 'node:path';
import { type Plugin, preview } from 'vite';
import type { TestProject } from 'vitest/node';
import { FIXTURES, REPO_ROOT } from '../helpers/paths.ts';
import { FIXTURES_PATH } from './browser.ts';

/** Serves tests/fixtures/** read-only under FIXTURES_PATH (404 for anything else under it). */
function testFixtures(): Plugin {
  return {
    name: 'cplay:test-fixtures',
    configurePreviewServer(server) {
      server.middlewares.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
        const url = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
        if (!url.startsWith(FIXTURES_PATH)) return next();
        const rel = normalize(url.slice(FIXTURES_PATH.length));
        const file = join(FIXTURES, rel);
        if (rel.startsWith('..') || !existsSync(file) || !statSync(file).isFile()) {
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
        if (req.method === 'HEAD') res.end();
        else createReadStream(file).pipe(res);
      });
    },
  };
}

/**
 * Serves the production build (`dist/`) with `vite preview` on 127.0.0.1 and a free port, and
 * tests/fixtures/ under /__test-fixtures/.
 */
export default async function setup(project: TestProject) {
  const server = await preview({
    root: REPO_ROOT,
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    plugins: [testFixtures()],
    logLevel: 'warn',
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  project.provide('baseUrl', url);
  return async () => {
    await server.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
