import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { openBrowser, type Session, screenshot } from './browser.ts';

/**
 * Tiny encoder so SwiftShader WebGPU (~50x slower than a real GPU) stays quick; a run the test
 * stops, too long to finish before Stop is clicked.
 */
const TINY =
  'encoder.builtin.layers=1&encoder.builtin.hidden=32&encoder.builtin.heads=2&encoder.builtin.intermediate=64' +
  '&encoder.maxLength=16&batchSize=8&maxSteps=100000&evalEvery=1000&optimizer.lr=0.001&checkpointEvery=1000';

let s: Session;
beforeEach(async () => {
  s = await openBrowser();
});
afterEach(async () => {
  await s.close();
});

async function lossPoints(): Promise<number> {
  const v = await s.page.getByTestId('loss-chart').getAttribute('data-points');
  return Number(v ?? 0);
}

async function trainAndCheck(backend: 'webgpu' | 'wasm', shot: string) {
  const page = s.page;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${inject('baseUrl')}#seed=0&backend=${backend}&${TINY}`);
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  await page.getByTestId('start').click();
  await expect
    .poll(() => page.getByTestId('backend').textContent(), { timeout: 120_000 })
    .toBe(backend);
  await expect.poll(lossPoints, { timeout: 120_000, interval: 500 }).toBeGreaterThanOrEqual(3);
  const first = await lossPoints();
  // The page stays responsive because training is not on its thread: the main thread never
  // started a TF.js engine (tfjs-core keeps it in the global `_tfengine`); the Worker has it.
  // (A timer-gap bound would measure the machine's load, not the design: it is reported only.)
  expect(await page.evaluate(() => '_tfengine' in globalThis)).toBe(false);
  const worstGapMs = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let last = performance.now();
        let worst = 0;
        const end = last + 2000;
        const tick = () => {
          const now = performance.now();
          worst = Math.max(worst, now - last);
          last = now;
          if (now < end) setTimeout(tick, 10);
          else resolve(worst);
        };
        setTimeout(tick, 10);
      }),
  );
  console.log(
    `${backend}: worst main-thread timer gap over 2 s while training: ${worstGapMs.toFixed(0)} ms`,
  );
  await expect.poll(lossPoints, { timeout: 60_000 }).toBeGreaterThan(first);
  await screenshot(page, shot);
  await page.getByTestId('stop').click();
  await expect
    .poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 })
    .toBe('stopped');
  expect(errors).toEqual([]);
}

describe('foundation: the worker trains and the loss chart grows live', () => {
  // `auto` measures and picks WASM here (tests/e2e/backendChoice.e2e.ts): WebGPU runs when forced.
  it('runs forced to WebGPU (SwiftShader adapter) in headless Chromium', async () => {
    await trainAndCheck('webgpu', 'foundation-webgpu');
    expect(await s.page.getByTestId('backend-reasons').textContent()).toBe(
      'WebGPU was chosen by the user.',
    );
  });

  it('runs forced to WASM with threads (the page is cross-origin isolated)', async () => {
    await trainAndCheck('wasm', 'foundation-wasm');
    // The threaded WASM build runs in the minified production build (its pthread workers start).
    expect(await s.page.getByTestId('wasm-threads').textContent()).toBe(
      ' (multi-threaded SIMD build)',
    );
  });
});
