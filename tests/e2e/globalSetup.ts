import { preview } from 'vite';
import type { TestProject } from 'vitest/node';
import { REPO_ROOT } from '../helpers/paths.ts';

/** Serves the production build (`dist/`) with `vite preview` on 127.0.0.1 and a free port. */
export default async function setup(project: TestProject) {
  const server = await preview({
    root: REPO_ROOT,
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
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
