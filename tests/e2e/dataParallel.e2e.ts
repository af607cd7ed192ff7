/**
 * Data-parallel training in the browser (issue 12): `workers=2` on WASM trains on two replica
 * Web Workers started by the training Worker, sharing weights, representations and gradients in
 * SharedArrayBuffers (the page is cross-origin isolated). The run says so in its log, trains (the
 * loss chart grows) and stops cleanly, with no page error. The exactness of the step (K = 2 equals
 * K = 1) is shown in Node by tests/unit/train/dataParallel.test.ts; here, that it runs.
 */
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { openBrowser, type Session } from './browser.ts';

const TINY =
  'encoder.builtin.layers=1&encoder.builtin.hidden=32&encoder.builtin.heads=2&encoder.builtin.intermediate=64' +
  '&encoder.maxLength=16&batchSize=16&maxSteps=100000&evalEvery=1000&optimizer.lr=0.001&checkpointEvery=1000';

let s: Session;
beforeEach(async () => {
  s = await openBrowser();
});
afterEach(async () => {
  await s.close();
});

describe('data-parallel in the browser', () => {
  it('workers=2 on WASM trains on two replica Web Workers', async () => {
    const page = s.page;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${inject('baseUrl')}#seed=0&backend=wasm&workers=2&${TINY}`);
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    // Every line the status bar's log shows, in order (a later line replaces the shown one).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenLogs: string[] }).seenLogs = seen;
      new MutationObserver(() => {
        const t = document.querySelector('[data-testid=last-log]')?.textContent;
        if (t && seen[seen.length - 1] !== t) seen.push(t);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId('start').click();
    const points = async () =>
      Number((await page.getByTestId('loss-chart').getAttribute('data-points')) ?? 0);
    await expect.poll(points, { timeout: 180_000, interval: 500 }).toBeGreaterThanOrEqual(3);
    const logs = await page.evaluate(() => (window as unknown as { seenLogs: string[] }).seenLogs);
    expect(logs).toContain(
      "Data-parallel: 2 replicas in Web Workers on wasm; each step's 16 rows are cut into 2 shards of 8 with dropout masks drawn per shard (the same step as gradCache.chunkSize 8 on one worker).",
    );
    expect(await page.getByTestId('backend').textContent()).toBe('wasm');
    await page.getByTestId('stop').click();
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 })
      .toBe('stopped');
    expect(errors).toEqual([]);
  });
});
