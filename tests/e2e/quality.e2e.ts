/**
 * The default experiment shows its effect: a run of the default's data (WordNet pairs, STS-B dev),
 * made tiny through the URL hash (hidden 32, 1 layer, 4 steps, 64 eval pairs), evaluates at step
 * 0, so the status line reads "STS-B dev <start> → <latest> (±d)" and the score chart draws the
 * start line and the bag-of-words / TF-IDF baselines. Headless Chromium, WASM, offline.
 */
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { openBrowser, type Session, screenshot } from './browser.ts';

/** Only sizes and budget change: the data and objective stay the default's. */
const TINY =
  'backend=wasm&encoder.builtin.layers=1&encoder.builtin.hidden=32&encoder.builtin.heads=2' +
  '&encoder.builtin.intermediate=64&encoder.maxLength=16&batchSize=8&maxSteps=4&evalEvery=2' +
  '&checkpointEvery=1000&data.train.limit=2000';

const POLL = { timeout: 180_000, interval: 300 };

let s: Session;
let pageErrors: string[];

beforeEach(async () => {
  s = await openBrowser();
  pageErrors = [];
  // Offline: only the app's own origin answers.
  const base = new URL(inject('baseUrl'));
  await s.context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    const own = u.host === base.host || u.protocol === 'blob:' || u.protocol === 'data:';
    return own ? route.continue() : route.abort('internetdisconnected');
  });
  s.page.on('pageerror', (e) => pageErrors.push(String(e)));
});

afterEach(async () => {
  await s.close();
});

const url = (hash: string) => `${inject('baseUrl')}#seed=0&${hash}`;

/** A score as the page prints it: one decimal. */
const SCORE = String.raw`\d+\.\d`;

describe('the default shows its effect', () => {
  it('says what to watch for on the default', async () => {
    const page = s.page;
    // Model size and budget are the user's: the default preset stays active.
    await page.goto(url(TINY));
    const watch = page.getByTestId('preset-watch');
    await expect.poll(() => watch.textContent(), POLL).toMatch(/^Watch for: .{20,}/);
    expect(await watch.isVisible()).toBe(true);
    expect(await page.locator('button.preset[aria-pressed="true"]').count()).toBe(1);
  });

  it('reads STS-B dev start → latest and draws the start and baseline lines', async () => {
    const page = s.page;
    await page.goto(url(`${TINY}&data.eval.limit=64`));
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('run-status').textContent(), POLL).toBe('finished');

    // Status line: start (the step-0 evaluation) → the latest (step 4), and the change.
    const summary = page.getByTestId('score-summary');
    const text = (await summary.textContent()) ?? '';
    const m = new RegExp(`STS-B dev (${SCORE}) → (${SCORE}) \\(([+−])(${SCORE})\\)`).exec(text);
    expect(m, text).not.toBeNull();
    const [start, latest, sign, change] = [Number(m![1]), Number(m![2]), m![3], Number(m![4])];
    expect((sign === '−' ? -1 : 1) * change).toBeCloseTo(latest - start, 5);
    const b = /bag of words (\d+\.\d) · TF-IDF (\d+\.\d)/.exec(
      (await page.getByTestId('score-baselines').textContent()) ?? '',
    );
    expect(b).not.toBeNull();

    // The chart: an eval point at steps 0, 2 and 4, and the three reference lines drawn with the
    // same numbers as the status line.
    const chart = page.getByTestId('score-chart');
    // (The charts redraw from a deferred copy of the runs: wait for it to catch up.)
    await expect.poll(() => chart.getAttribute('data-points'), POLL).toBe('3');
    expect(await chart.getAttribute('data-reference-lines')).toBe('start bag-of-words tfidf');
    // Recharts draws the labels in a layer of their own, so they are read by text.
    const labels = () => chart.locator('text.recharts-label').allTextContents();
    await expect
      .poll(labels, POLL)
      .toEqual(
        expect.arrayContaining([`start ${m![1]}`, `bag of words ${b![1]}`, `TF-IDF ${b![2]}`]),
      );
    expect(await chart.locator('.recharts-reference-line-line').count()).toBe(3);
    for (const cls of ['ref-start', 'ref-bag-of-words', 'ref-tfidf']) {
      expect(await chart.locator(`.recharts-reference-line.${cls}`).count(), cls).toBe(1);
    }
    // The step axis starts at 0, where the first point is.
    const ticks = await chart.locator('.recharts-xAxis-tick-labels text').allTextContents();
    expect(ticks[0]).toBe('0');

    await screenshot(page, 'quality-01-default-effect');
    expect(pageErrors).toEqual([]);
  });
});
