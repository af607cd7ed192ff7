/**
 * The journey lab in headless Chromium: Run all (every chapter, 2 steps each, a tiny random-init
 * encoder and small slices of the data through the test-only `?labSet=` link overrides), a reload
 * in the middle of the queue the instant a chapter finishes (it resumes by itself), the table
 * exported as Markdown, a sweep (value → final score chart, runs overlaid) and the run list's
 * Changes column; Cancel.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { CHAPTER_IDS } from '../../src/engine/lab/chapters.ts';
import { openBrowser, type Session, screenshot } from './browser.ts';

/** Over every chapter: hidden 32, one layer, 300 training rows, 40 eval pairs, 2 steps, wasm. */
const LAB_SET = [
  'encoder.source=builtin',
  'encoder.builtin={"layers":1,"hidden":32,"heads":2,"intermediate":64}',
  'encoder.maxLength=16',
  'data.train.limit=300',
  'data.eval.limit=40',
  'maxSteps=2',
  'backend=wasm',
];
const QUERY = LAB_SET.map((s) => `labSet=${encodeURIComponent(s)}`).join('&');

/** The controls' config for the sweep: the default recipe, tiny. */
const TINY_HASH =
  'seed=0&encoder.builtin.layers=1&encoder.builtin.hidden=32&encoder.builtin.heads=2&encoder.builtin.intermediate=64' +
  '&encoder.maxLength=16&batchSize=8&data.train.limit=200&data.eval.limit=40&maxSteps=2&evalEvery=1&backend=wasm';

const POLL = { timeout: 200_000, interval: 500 };

let s: Session;
let pageErrors: string[];

beforeEach(async () => {
  s = await openBrowser();
  pageErrors = [];
  const base = new URL(inject('baseUrl'));
  await s.context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.host === base.host || url.protocol === 'blob:' || url.protocol === 'data:')
      return route.continue();
    return route.abort('internetdisconnected');
  });
  s.page.on('pageerror', (e) => pageErrors.push(String(e)));
});

afterEach(async () => {
  await s.close();
});

async function openJourney(page: Page): Promise<void> {
  await page.getByTestId('journey').locator('summary').click();
  await expect.poll(() => page.getByTestId('lab-run-all').isEnabled(), POLL).toBe(true);
}

async function rowStatuses(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('[data-testid^="lab-row-"]')].map((r) => [
        r.getAttribute('data-testid')!.slice('lab-row-'.length),
        r.getAttribute('data-status') ?? '',
      ]),
    ),
  );
}

async function runNames(page: Page): Promise<string[]> {
  return page.getByTestId('run-show').allTextContents();
}

describe('the journey lab', () => {
  it('Run all fills every chapter row, a reload mid-queue resumes it, and the table exports', async () => {
    const page = s.page;
    await page.goto(`${inject('baseUrl')}?${QUERY}#seed=0`);
    await openJourney(page);
    expect(await page.getByTestId('lab-overrides').textContent()).toContain('maxSteps=2');
    await page.getByTestId('lab-run-all').click();
    expect(Object.keys(await rowStatuses(page))).toEqual([...CHAPTER_IDS]);

    // Mid-queue, under a slow disk: from the moment the third chapter starts, IndexedDB's 'runs'
    // store is held by a transaction that never ends (every run write waits behind it, as under
    // heavy load), and the instant its row shows its run ended the page reloads. That ending is
    // then not saved: the queue must not have moved past it (its row once read "stopped").
    await page.evaluate((third) => {
      (window as { journeyBeforeReload?: boolean }).journeyBeforeReload = true;
      const status = () =>
        document.querySelector(`[data-testid="lab-row-${third}"]`)?.getAttribute('data-status');
      let held = false;
      const holdRunWrites = () => {
        const open = indexedDB.open('contrastive-playground');
        open.onsuccess = () => {
          const store = open.result.transaction('runs', 'readwrite').objectStore('runs');
          const spin = () => {
            store.count().onsuccess = spin;
          };
          spin();
        };
      };
      const check = () => {
        const now = status();
        if (!held && now === 'running') {
          held = true;
          holdRunWrites();
        }
        if (held && (now === 'finished' || now === 'stopped' || now === 'failed')) {
          watch.disconnect();
          location.reload();
        }
      };
      const watch = new MutationObserver(check);
      watch.observe(document.body, { subtree: true, childList: true, attributes: true });
      check();
    }, CHAPTER_IDS[2]);
    // Until the new document is up; a timeout shows the rows the old one was at.
    await expect
      .poll(
        () =>
          page
            .evaluate(() =>
              'journeyBeforeReload' in window
                ? [...document.querySelectorAll('[data-testid^="lab-row-"]')]
                    .map((r) => `${r.getAttribute('data-testid')}=${r.getAttribute('data-status')}`)
                    .join(' ')
                : 'reloaded',
            )
            .catch(() => 'navigating'),
        POLL,
      )
      .toBe('reloaded');
    await openJourney(page);
    // Wait until no row is waiting or running, then every row must have finished (a failure
    // names the row and its status).
    await expect
      .poll(
        async () =>
          Object.values(await rowStatuses(page)).filter((x) => x === 'running' || x === 'waiting')
            .length,
        POLL,
      )
      .toBe(0);
    expect(await rowStatuses(page)).toEqual(
      Object.fromEntries(CHAPTER_IDS.map((id) => [id, 'finished'])),
    );
    await screenshot(page, 'journey-01-run-all');

    // Every row holds its run's own start → end score; every ordering is decided (yes or no).
    const scores = await page.getByTestId('lab-score').allTextContents();
    expect(scores).toHaveLength(CHAPTER_IDS.length);
    for (const t of scores) expect(t).toMatch(/^-?\d+\.\d → -?\d+\.\d$/);
    const agrees = await page.getByTestId('lab-agrees').allTextContents();
    expect(agrees.length).toBeGreaterThanOrEqual(5);
    for (const a of agrees) expect(['yes', 'no']).toContain(a);
    expect(await page.getByTestId('lab-status').textContent()).toMatch(/^Queue finished/);

    // Each chapter is an ordinary run in the list (the run cut by the reload is kept there too).
    const journeyRuns = (await runNames(page)).filter((n) => n.startsWith('Journey: '));
    expect(journeyRuns.length).toBeGreaterThanOrEqual(CHAPTER_IDS.length);
    expect(journeyRuns.length).toBeLessThanOrEqual(CHAPTER_IDS.length + 1);

    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('lab-export-md').click(),
    ]);
    const md = readFileSync((await dl.path()) as string, 'utf8');
    const lines = md.split('\n');
    for (const id of CHAPTER_IDS) expect(lines.some((l) => l.startsWith(`| ${id} (`))).toBe(true);
    expect(md).toContain('| simcse-unsup > dropout-0 |');
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('lab-export-csv').click(),
    ]);
    expect(
      readFileSync((await csv.path()) as string, 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(1 + CHAPTER_IDS.length);
    expect(pageErrors).toEqual([]);
  });

  it('a sweep queues one run per value, overlays them, plots value → score; Changes names the field', async () => {
    const page = s.page;
    await page.goto(`${inject('baseUrl')}#${TINY_HASH}`);
    await openJourney(page);
    await page.getByTestId('sweep-field').fill('encoder.pooling');
    await page.getByTestId('sweep-run').click();
    expect(await page.getByTestId('sweep-error').textContent()).toMatch(
      /encoder\.pooling is not a numeric config field/,
    );
    await page.getByTestId('sweep-field').fill('objective.temperature');
    await page.getByTestId('sweep-values').fill('0.05, 1');
    await page.getByTestId('sweep-run').click();
    await expect
      .poll(() => page.getByTestId('sweep-chart').getAttribute('data-points'), POLL)
      .toBe('2');
    await screenshot(page, 'journey-02-sweep');
    const names = await runNames(page);
    expect(names.filter((n) => n.startsWith('Sweep: objective.temperature = '))).toHaveLength(2);

    // The active run is the last (τ = 1); the other differs from it in τ only, and is overlaid.
    const rows = page.getByTestId('run-list').locator('li');
    const other = rows.filter({ hasText: 'Sweep: objective.temperature = 0.05' });
    expect(await other.getByTestId('run-changes').textContent()).toBe(
      'Changes: objective.temperature 0.05 (vs 1)',
    );
    expect(await other.getByTestId('run-overlay').isChecked()).toBe(true);
    const active = rows.filter({ hasText: 'Sweep: objective.temperature = 1' });
    expect(await active.getByTestId('run-changes').textContent()).toBe(
      'Changes: (the compared run)',
    );
    expect(pageErrors).toEqual([]);
  });

  it('the encoder field refuses what is not a Hub id, in words, and queues nothing', async () => {
    const page = s.page;
    await page.goto(`${inject('baseUrl')}?${QUERY}#seed=0`);
    await openJourney(page);
    await page.getByTestId('lab-encoder').fill('a/b/c');
    await page.getByTestId('lab-run-all').click();
    await expect
      .poll(() => page.getByTestId('lab-error').textContent(), POLL)
      .toMatch(/^Encoder: "a\/b\/c" is not a Hub model id; give owner\/name/);
    expect(await page.getByTestId('lab-status').textContent()).toBe('Nothing queued.');
    expect((await runNames(page)).filter((n) => n.startsWith('Journey: '))).toHaveLength(0);
  });

  it('Cancel stops the running chapter and starts nothing else', async () => {
    const page = s.page;
    await page.goto(
      `${inject('baseUrl')}?${QUERY.replace('maxSteps%3D2', 'maxSteps%3D400')}#seed=0`,
    );
    await openJourney(page);
    await page.getByTestId('lab-run-all').click();
    await expect.poll(async () => (await rowStatuses(page)).eda, POLL).toBe('running');
    await page.getByTestId('lab-cancel').click();
    await expect
      .poll(() => page.getByTestId('lab-status').textContent(), POLL)
      .toBe('Queue finished: 1 run.');
    const st = await rowStatuses(page);
    expect(Object.keys(st)).toEqual(['eda']);
    // Stopped, not run to its 400 steps (a stop sent while the run loads would be lost).
    expect(st.eda).toBe('stopped');
    expect((await runNames(page)).filter((n) => n.startsWith('Journey: '))).toHaveLength(1);
  });
});
