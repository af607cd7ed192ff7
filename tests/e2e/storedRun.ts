/**
 * What IndexedDB holds of the page's one run (the run record the page saves, the checkpoint the
 * worker saves), and Resume read back from the run's saved log: the browser tests' view of what
 * survives a fault or a reload.
 */

import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const POLL = { timeout: 180_000, interval: 300 };

/** The one run's record (the page's) and checkpoint (the worker's) as IndexedDB holds them. */
export function stored(page: Page) {
  return page.evaluate(
    () =>
      new Promise<{
        steps: number[];
        checkpointStep: number;
        checkpoint: number;
        logs: string[];
      }>((resolve) => {
        const none = { steps: [], checkpointStep: 0, checkpoint: 0, logs: [] };
        const open = indexedDB.open('contrastive-playground');
        open.onerror = () => resolve(none);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['runs', 'checkpoints'], 'readonly');
          const runs = tx.objectStore('runs').getAll();
          const ckpts = tx.objectStore('checkpoints').getAll();
          tx.onerror = () => resolve(none);
          tx.oncomplete = () => {
            db.close();
            const run = runs.result[0] as
              | { steps: { step: number }[]; checkpointStep?: number; logs?: string[] }
              | undefined;
            resolve({
              steps: run?.steps.map((x) => x.step) ?? [],
              checkpointStep: run?.checkpointStep ?? 0,
              checkpoint: (ckpts.result[0] as { step?: number } | undefined)?.step ?? 0,
              logs: run?.logs ?? [],
            });
          };
        };
      }),
  );
}

/** The steps of the run's "Resumed from the checkpoint at step N" log lines, as saved. */
async function resumes(page: Page): Promise<number[]> {
  return (await stored(page)).logs.flatMap((l) => {
    const m = /^Resumed from the checkpoint at step (\d+)/.exec(l);
    return m ? [Number(m[1])] : [];
  });
}

/**
 * Presses Resume and returns the N of the new "Resumed from the checkpoint at step N" line. The
 * run's saved log is read (one read per poll), not the status line's latest log, which the next
 * log line can replace at any moment.
 */
export async function resume(page: Page): Promise<number> {
  const before = (await resumes(page)).length;
  await page.getByTestId('resume').click();
  await expect.poll(async () => (await resumes(page)).length, POLL).toBeGreaterThan(before);
  return (await resumes(page))[before]!;
}
