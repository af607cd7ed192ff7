/**
 * `auto` as a new user meets it (issue 12): the built page opened on the default experiment in a
 * fresh Chromium profile (no cached decision), Start pressed, and the backend the probe chose read
 * from the status line with the probe's own timings in words (src/engine/backendProbe.ts). The
 * probe's cost is the page's "(probe: N s)"; the wall time from Start to the backend shown is
 * recorded beside it. `npm run bench` (full) runs it; the targets table reads it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../tests/e2e/browser.ts';

export interface AutoProbeResult {
  /** The backend the page trains on (the status line's backend cell). */
  chosen: string;
  /** The status line's reasons, verbatim ("Measured for this run's step: … → WASM (probe: 2.1 s)"). */
  reasons: string;
  /** The probe's own time, as the page states it. */
  probeSeconds: number | null;
  /** Start pressed → backend shown, wall clock. */
  startToBackendMs: number;
}

const POLL_MS = 200;

/** `origin` serves the built app (bench/browser.ts's preview server). */
export async function measureAutoProbe(
  origin: string,
  timeoutMs: number,
  log: (m: string) => void,
): Promise<AutoProbeResult> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'cplay-bench-auto-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // The default experiment, as README's first command opens it (backend "auto").
    await page.goto(`${origin}/#seed=0`, { waitUntil: 'load' });
    await page.getByTestId('start').click();
    const t0 = Date.now();
    // The backend cell and the reasons come from the same `ready` event; the reasons are read
    // first, so a decision seen there is already in the backend cell when that is read (read the
    // other way round, `ready` could land between the two reads and leave the cell's "…").
    const decided = async () => {
      // One line per reason on the page (list items): joined with a space, as a sentence each.
      const lines = await page.getByTestId('backend-reasons').locator('li').allTextContents();
      const text = lines.map((l) => l.trim()).join(' ');
      return text.includes('→') ? text : null;
    };
    let reasons: string | null = null;
    while (Date.now() - t0 < timeoutMs) {
      reasons = await decided();
      if (reasons) break;
      if (errors.length) throw new Error(`the page failed: ${errors[0]}`);
      await page.waitForTimeout(POLL_MS);
    }
    const startToBackendMs = Date.now() - t0;
    if (!reasons) throw new Error(`no backend decision within ${timeoutMs / 1000} s`);
    const chosen = ((await page.getByTestId('backend').textContent()) ?? '').trim();
    if (!/^[a-z]+$/.test(chosen))
      throw new Error(`the backend cell reads "${chosen}" after the decision "${reasons}"`);
    const probe = /\(probe: ([\d.]+) s\)/.exec(reasons);
    log(`auto → ${chosen}: ${reasons}`);
    await page.getByTestId('stop').click();
    return {
      chosen,
      reasons,
      probeSeconds: probe ? Number(probe[1]) : null,
      startToBackendMs,
    };
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
