import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared real-data folder beside the checkout (`../shared/data`), or $CPLAY_SHARED_DATA. */
export const SHARED_DATA =
  process.env.CPLAY_SHARED_DATA ?? resolve(REPO_ROOT, '..', 'shared', 'data');

export function sharedData(...parts: string[]): string {
  const p = join(SHARED_DATA, ...parts);
  if (!existsSync(p)) {
    throw new Error(`Real test data ${p} is missing: the checkout needs ../shared/data beside it.`);
  }
  return p;
}

export const FIXTURES = join(REPO_ROOT, 'tests', 'fixtures');
