/**
 * `backend: "auto"` measures (src/engine/backendProbe.ts): on this machine WebGPU is SwiftShader,
 * a GPU emulated on the CPU, and the built page with the default experiment must train on WASM
 * and say why in words. The probe's cost is read from the page and reported, not asserted (no
 * timed asserts); the choice and the words are asserted.
 */
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { openBrowser, type Session, screenshot } from './browser.ts';

const POLL = { timeout: 180_000, interval: 300 };

let s: Session;
beforeEach(async () => {
  s = await openBrowser();
});
afterEach(async () => {
  await s.close();
});

describe('auto picks the backend by measuring this run', () => {
  it('lands on WASM here (SwiftShader WebGPU is slower), says why, and keeps the decision', async () => {
    const page = s.page;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // The default experiment: built-in encoder (2 layers, hidden 128), batch 64 × 2 views × 32.
    await page.goto(`${inject('baseUrl')}#seed=0`);
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('backend').textContent(), POLL).toBe('wasm');
    const reasons = (await page.getByTestId('backend-reasons').textContent()) ?? '';
    // Both were measured or screened, in words, and the arrow names the winner.
    expect(reasons).toMatch(/Measured for this run's step: /);
    expect(reasons).toMatch(/WASM \(\d+ threads?\): [\d.]+ m?s\/step/);
    expect(reasons).toMatch(
      /WebGPU \(SwiftShader, emulated\): (≥ [\d.]+ m?s\/step at its matrix product's [\d.]+ GFLOP\/s: dropped|dropped: |[\d.]+ m?s\/step)/,
    );
    expect(reasons).toMatch(/→ WASM \(probe: [\d.]+ s\)/);
    const probeS = Number(/\(probe: ([\d.]+) s\)/.exec(reasons)?.[1]);
    // Reported, not asserted (the goal is < 5 s on this machine; see the report line below).
    console.log(`backend probe on this machine: ${probeS} s — ${reasons}`);
    await screenshot(page, 'backend-choice-probe');
    await page.getByTestId('stop').click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), POLL).toBe('stopped');

    // A second run of the same shape on this device reads the decision from IndexedDB.
    await page.getByTestId('start').click();
    await expect
      .poll(() => page.getByTestId('backend-reasons').textContent(), POLL)
      .toMatch(/→ WASM \(measured on this device on \d{4}-\d\d-\d\d, kept\)\.$/);
    expect(await page.getByTestId('backend').textContent()).toBe('wasm');
    await page.getByTestId('stop').click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), POLL).toBe('stopped');
    expect(errors).toEqual([]);
  });
});
