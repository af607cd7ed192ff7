/**
 * The journeys a new user takes through the playground, in headless Chromium (`auto` measures the
 * backends and lands on WASM here: SwiftShader's WebGPU is slower), with a tiny encoder (hidden
 * 32, 1 layer, maxLength 16, batch 8) set through the URL hash, on the default's data (WordNet
 * pairs, STS-B dev). Screenshots of the main states go to test-results/ (not committed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES } from '../helpers/paths.ts';
import { ARTIFACTS, openBrowser, type Session, screenshot as save } from './browser.ts';
import { resume, stored as storedRun } from './storedRun.ts';

/** Tiny encoder and a small slice of the default's training pairs (WordNet). */
const TINY =
  'encoder.builtin.layers=1&encoder.builtin.hidden=32&encoder.builtin.heads=2&encoder.builtin.intermediate=64' +
  '&encoder.maxLength=16&batchSize=8&data.train.limit=400&optimizer.lr=0.001&optimizer.warmupSteps=0';

const POLL = { timeout: 120_000, interval: 300 };

/**
 * A run that a test stops: at the tiny encoder's few ms a step it cannot reach its last step
 * before the test's own timeout, so Stop always finds it running (a finite run of a few hundred
 * steps finished before the click in CI, with two replicas training).
 */
const UNTIL_STOPPED = 'maxSteps=100000';

let s: Session;
let pageErrors: string[];
let external: string[];
let cspViolations: string[];

beforeEach(async () => {
  s = await openBrowser();
  pageErrors = [];
  external = [];
  // Offline: nothing but the app's own origin is reachable (and any attempt is recorded).
  const base = new URL(inject('baseUrl'));
  await s.context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.host === base.host || url.protocol === 'blob:' || url.protocol === 'data:') {
      return route.continue();
    }
    external.push(url.href);
    return route.abort('internetdisconnected');
  });
  cspViolations = [];
  s.page.on('pageerror', (e) => pageErrors.push(String(e)));
  s.page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
  });
});

afterEach(async () => {
  await s.close();
});

/** A full-page screenshot from the top (the settings column is sticky while scrolling). */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await save(page, name);
}

function url(hash: string): string {
  return `${inject('baseUrl')}#seed=0&${hash}`;
}

async function num(page: Page, testId: string, attr = 'data-points'): Promise<number> {
  const v = await page.getByTestId(testId).first().getAttribute(attr);
  return Number(v ?? 0);
}

/** The step shown in the status bar ("step 12 / 200"). */
async function progressStep(page: Page): Promise<number> {
  const t = (await page.getByTestId('progress-step').textContent()) ?? '';
  return Number(/step (\d+)/.exec(t)?.[1] ?? -1);
}

async function status(page: Page): Promise<string> {
  return (await page.getByTestId('run-status').textContent()) ?? '';
}

/** The last checkpoint's step shown in the status bar (0 before the first). */
async function checkpointStep(page: Page): Promise<number> {
  const el = page.getByTestId('checkpoint-step');
  return (await el.count()) ? Number(await el.textContent()) : 0;
}

async function startAndWaitForSteps(page: Page, steps: number): Promise<void> {
  await page.getByTestId('start').click();
  await expect.poll(() => status(page), POLL).toBe('running');
  await expect.poll(() => progressStep(page), POLL).toBeGreaterThanOrEqual(steps);
}

async function stopRun(page: Page): Promise<void> {
  await page.getByTestId('stop').click();
  await expect.poll(() => status(page), POLL).toBe('stopped');
}

describe('the playground UI', () => {
  it('opens offline, trains the default and draws loss, alignment, uniformity, heatmap and projection', async () => {
    const page = s.page;
    await page.goto(url(`${TINY}&${UNTIL_STOPPED}&evalEvery=4&checkpointEvery=100`));
    await expect
      .poll(() => page.getByTestId('preset-default').getAttribute('aria-pressed'))
      .toBe('true');
    await screenshot(page, 'ui-01-opened');
    await page.getByTestId('start').click();
    // auto measured the backends: SwiftShader's emulated WebGPU is slower than WASM here.
    await expect.poll(() => page.getByTestId('backend').textContent(), POLL).toBe('wasm');
    await expect.poll(() => num(page, 'loss-chart'), POLL).toBeGreaterThanOrEqual(3);
    await expect.poll(() => num(page, 'au-chart'), POLL).toBeGreaterThanOrEqual(2);
    await expect.poll(() => num(page, 'au-plane'), POLL).toBeGreaterThanOrEqual(2);
    // The default evaluates on STS-B dev: alignment's positives are its pairs with gold > 4.
    expect(await page.getByTestId('au-chart').textContent()).toMatch(/STS pairs with gold > 4/);
    expect(await num(page, 'cosine-heatmap', 'data-size')).toBeGreaterThanOrEqual(2);
    expect(await num(page, 'projection-chart')).toBeGreaterThanOrEqual(2);
    // The lines are drawn (not just counted).
    expect(
      await page.locator('[data-testid="loss-chart"] .recharts-line-curve').count(),
    ).toBeGreaterThanOrEqual(2);
    expect(
      await page.locator('[data-testid="cosine-heatmap"] rect').count(),
    ).toBeGreaterThanOrEqual(4);
    // Hovering a projection point shows its sentence as text.
    const dot = page.locator('[data-testid="projection-chart"] .recharts-scatter-symbol').first();
    await dot.hover();
    await expect.poll(() => page.getByTestId('projection-tip').count(), { timeout: 5000 }).toBe(1);
    expect(((await page.getByTestId('projection-tip').textContent()) ?? '').length).toBeGreaterThan(
      3,
    );
    await expect.poll(() => page.getByTestId('speed').count()).toBe(1);
    await screenshot(page, 'ui-02-training-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(400);
    // Phone width: one column, nothing wider than the screen; the charts as a phone shows them.
    const wide = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      // What sticks out, so a failure names the element.
      out: [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > 391)
        .slice(0, 8)
        .map((el) => `${el.tagName}.${el.className} [${el.getAttribute('data-testid')}]`),
    }));
    expect(wide.scrollWidth, wide.out.join(', ')).toBeLessThanOrEqual(390);
    await page.getByTestId('status').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'ui-03-training-phone.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    await stopRun(page);
    // Every control has a name a screen reader can say, and Tab reaches the run buttons.
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button')]
        .filter((el) => {
          const e = el as HTMLInputElement;
          const named =
            (e.labels?.length ?? 0) > 0 ||
            e.getAttribute('aria-label') ||
            (e.tagName === 'BUTTON' && e.textContent?.trim());
          return !named;
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    // Clicking the title moves the keyboard's starting point to the top of the page.
    await page.locator('header.top h1').click();
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(
        () => document.activeElement?.getAttribute('data-testid') === 'start',
      );
    }
    expect(reached).toBe(true);
    expect(external).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('a preset changes the URL and a reload restores it', async () => {
    const page = s.page;
    await page.goto(url(TINY));
    const before = page.url();
    await page.getByTestId('preset-eda').click();
    await expect
      .poll(() => page.getByTestId('preset-eda').getAttribute('aria-pressed'))
      .toBe('true');
    const after = page.url();
    expect(after).not.toBe(before);
    expect(decodeURIComponent(after)).toMatch(/augment\.eda\.synonymReplacement=0\.1/);
    expect(decodeURIComponent(after)).toMatch(/augment\.dropout=false/);
    // EDA fine-tunes the pretrained built-in encoder; the machine settings are kept.
    expect(decodeURIComponent(after)).toMatch(/encoder\.source=builtin:bert-tiny-en/);
    expect(after).toMatch(/batchSize=8/);
    expect(await page.getByTestId('preset-watch').textContent()).toMatch(/我不会再爱你/);
    await page.reload();
    await expect
      .poll(() => page.getByTestId('preset-eda').getAttribute('aria-pressed'))
      .toBe('true');
    expect(await page.getByTestId('eda-on').isChecked()).toBe(true);
    expect(await page.getByTestId('cfg-augment.dropout').isChecked()).toBe(false);
    // Back to the default: the random-init built-in encoder returns with the size the link set.
    await page.getByTestId('preset-default').click();
    await expect
      .poll(() => page.getByTestId('preset-default').getAttribute('aria-pressed'))
      .toBe('true');
    expect(await page.getByTestId('cfg-encoder.builtin.hidden').inputValue()).toBe('32');
    // A field edit also lands in the URL, and an invalid value is named next to its field.
    await page.getByTestId('cfg-encoder.builtin.heads').fill('3');
    await expect.poll(() => page.getByTestId('start').isDisabled()).toBe(true);
    expect(await page.getByTestId('config-invalid').textContent()).toMatch(/multiple of heads/);
    expect(await page.getByTestId('cfg-encoder.builtin.hidden').getAttribute('aria-invalid')).toBe(
      'true',
    );
    await page.getByTestId('cfg-encoder.builtin.heads').fill('4');
    await expect.poll(() => page.getByTestId('start').isDisabled()).toBe(false);
    expect(page.url()).toMatch(/encoder\.builtin\.heads=4/);
    // A hand-broken link keeps the page up and says what was ignored.
    await page.goto(url(`${TINY}&objective.kind=nonsense`));
    await page.reload();
    await expect.poll(() => page.getByTestId('config-error').count()).toBe(1);
    expect(await page.getByTestId('config-error').textContent()).toMatch(/objective\.kind/);
    await screenshot(page, 'ui-04-preset-restored');
    expect(pageErrors).toEqual([]);
  });

  it('the EDA preview marks the edits of the Chinese example', async () => {
    const page = s.page;
    await page.goto(url(TINY));
    await page.getByTestId('preset-eda').click();
    await page.getByTestId('preview-example-chinese').click();
    expect(await page.getByTestId('preview-text').inputValue()).toBe('我不会再爱你');
    const marks = () => num(page, 'preview-views', 'data-marks');
    // Each view draws one EDA operation; regenerate until an edit shows (a few tries at most).
    for (let i = 0; i < 12; i++) {
      await expect
        .poll(async () => (await page.getByTestId('preview-views').textContent()) ?? '', {
          timeout: 20_000,
        })
        .toMatch(/爱/);
      if ((await marks()) > 0) break;
      await page.getByTestId('preview-regenerate').click();
      await page.waitForTimeout(500);
    }
    expect(await marks()).toBeGreaterThan(0);
    const marked = page.locator('[data-testid="preview-views"] .tok:not([data-mark="kept"])');
    expect(await marked.count()).toBeGreaterThan(0);
    // Chinese stays Chinese: the views are made of the sentence's own characters.
    const text =
      (await page.getByTestId('preview-view-1').locator('p.tokens').first().textContent()) ?? '';
    expect(text).toMatch(/[我不会再爱你]/);
    await screenshot(page, 'ui-05-eda-preview-chinese');
    expect(pageErrors).toEqual([]);
  });

  it('pause, step and resume', async () => {
    const page = s.page;
    await page.goto(url(`${TINY}&${UNTIL_STOPPED}&evalEvery=1000&checkpointEvery=1000`));
    await startAndWaitForSteps(page, 3);
    await page.getByTestId('pause').click();
    await expect.poll(() => status(page), POLL).toBe('paused');
    await page.waitForTimeout(600);
    const paused = await progressStep(page);
    await page.waitForTimeout(1500);
    expect(await progressStep(page)).toBe(paused);
    await page.getByTestId('step').click();
    await expect.poll(() => progressStep(page), POLL).toBe(paused + 1);
    await page.waitForTimeout(1500);
    expect(await progressStep(page)).toBe(paused + 1);
    expect(await status(page)).toBe('paused');
    await screenshot(page, 'ui-06-paused');
    await page.getByTestId('resume').click();
    await expect.poll(() => status(page), POLL).toBe('running');
    await expect.poll(() => progressStep(page), POLL).toBeGreaterThan(paused + 2);
    await stopRun(page);
    expect(pageErrors).toEqual([]);
  });

  it('an uploaded TSV with a bad column gets a clear message next to the training set', async () => {
    const page = s.page;
    await page.goto(url(TINY));
    await page.getByTestId('data-train-mode').selectOption('upload');
    const tsv = 'id\tsentence\n1\tA man plays a guitar.\n2\tA woman reads a book.\n';
    await page.getByTestId('data-train-file').setInputFiles({
      name: 'my-sentences.tsv',
      mimeType: 'text/tab-separated-values',
      buffer: Buffer.from(tsv),
    });
    await expect
      .poll(() => decodeURIComponent(page.url()))
      .toMatch(/data\.train\.source=upload:my-sentences\.tsv/);
    await page.locator('[data-testid="dataset-train"] details.columns summary').click();
    await page.getByTestId('cfg-data.train.columns.text').fill('text_column');
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('error-data.train').count(), POLL).toBe(1);
    const msg = (await page.getByTestId('error-data.train').textContent()) ?? '';
    expect(msg).toMatch(/text_column/);
    expect(await status(page)).toBe('failed');
    await page.getByTestId('error-data.train').scrollIntoViewIfNeeded();
    await screenshot(page, 'ui-07-bad-column');
    expect(pageErrors).toEqual([]);
  });

  it('trains a model folder picked from disk, and says why a pickle-only folder cannot load', async () => {
    const page = s.page;
    await page.goto(url(`${TINY}&maxSteps=3&evalEvery=1000&checkpointEvery=1000`));
    await page.getByTestId('encoder-mode').selectOption('folder');
    await page.getByTestId('encoder-folder').setInputFiles(join(FIXTURES, 'model', 'tiny-bert'));
    await expect
      .poll(() => decodeURIComponent(page.url()))
      .toMatch(/encoder\.source=upload:tiny-bert/);
    await page.getByTestId('start').click();
    await expect.poll(() => status(page), POLL).toBe('finished');
    expect(await num(page, 'loss-chart')).toBe(3);
    expect(await page.getByTestId('data-report').textContent()).toMatch(/parameters/);

    await page.getByTestId('encoder-folder').setInputFiles(join(FIXTURES, 'model', 'pickle-only'));
    await expect
      .poll(() => decodeURIComponent(page.url()))
      .toMatch(/encoder\.source=upload:pickle-only/);
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('error-encoder.source').count(), POLL).toBe(1);
    expect(await page.getByTestId('error-encoder.source').textContent()).toMatch(
      /pytorch_model\.bin|pickle/i,
    );
    await page.getByTestId('error-encoder.source').scrollIntoViewIfNeeded();
    await save(page, 'ui-12-model-folder-error');
    expect(pageErrors).toEqual([]);
  });

  it('exports the model as a zip Python loads, metrics as CSV and embeddings for the Projector', async () => {
    const page = s.page;
    await page.goto(url(`${TINY}&maxSteps=6&evalEvery=3&checkpointEvery=100`));
    await page.getByTestId('start').click();
    await expect.poll(() => status(page), POLL).toBe('finished');

    const [zipDl] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByTestId('export-model').click(),
    ]);
    expect(zipDl.suggestedFilename()).toMatch(/-model\.zip$/);
    const files = unzipSync(new Uint8Array(readFileSync((await zipDl.path()) as string)));
    const names = Object.keys(files);
    for (const f of ['config.json', 'model.safetensors', 'modules.json', 'tokenizer_config.json']) {
      expect(names, f).toContain(f);
    }
    expect(names.some((n) => n === 'vocab.txt' || n === 'tokenizer.json')).toBe(true);
    const text = (n: string) => new TextDecoder().decode(files[n]);
    const config = JSON.parse(text('config.json'));
    expect(config.hidden_size).toBe(32);
    expect(config.num_hidden_layers).toBe(1);
    expect(Array.isArray(JSON.parse(text('modules.json')))).toBe(true);
    // safetensors: u64 header length, a JSON header, then every tensor's bytes, nothing more.
    const st = files['model.safetensors']!;
    const n = Number(new DataView(st.buffer, st.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(st.subarray(8, 8 + n)));
    expect(header.__metadata__?.format).toBe('pt');
    const bytesOf: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 };
    let end = 0;
    for (const [k, v] of Object.entries(header) as [
      string,
      { dtype: string; shape: number[]; data_offsets: [number, number] },
    ][]) {
      if (k === '__metadata__') continue;
      const size = v.shape.reduce((a, b) => a * b, 1) * (bytesOf[v.dtype] ?? 0);
      expect(v.data_offsets[1] - v.data_offsets[0], k).toBe(size);
      end = Math.max(end, v.data_offsets[1]);
    }
    expect(8 + n + end).toBe(st.length);
    expect(Object.keys(header).some((k) => k.includes('embeddings.word_embeddings.weight'))).toBe(
      true,
    );

    const [csvDl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-csv').click(),
    ]);
    const csv = readFileSync((await csvDl.path()) as string, 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toMatch(/^step,epoch,loss,lr/);
    // The header, the step-0 evaluation (before any training), then one row per step.
    expect(csv).toHaveLength(1 + 1 + 6);
    expect(csv.slice(1).map((l) => Number(l.split(',')[0]))).toEqual([0, 1, 2, 3, 4, 5, 6]);

    await page.getByTestId('export-embeddings').click();
    await expect.poll(() => page.getByTestId('projector-files').count(), POLL).toBe(1);
    const [vecDl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-vectors').click(),
    ]);
    const [metaDl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-metadata').click(),
    ]);
    const vectors = readFileSync((await vecDl.path()) as string, 'utf8')
      .trimEnd()
      .split('\n');
    const meta = readFileSync((await metaDl.path()) as string, 'utf8')
      .trimEnd()
      .split('\n');
    expect(meta[0]).toBe('text\tgroup');
    expect(vectors.length).toBe(meta.length - 1);
    expect(vectors[0]!.split('\t').length).toBeGreaterThanOrEqual(32);
    await screenshot(page, 'ui-08-exported');
    expect(pageErrors).toEqual([]);
  });

  it('a reload mid-run keeps the run and Resume continues from the saved step', async () => {
    const page = s.page;
    /** The step of the run's record (the page's) and of its checkpoint (the worker's) in IndexedDB. */
    const stored = async () => {
      const r = await storedRun(page);
      return { record: r.checkpointStep, checkpoint: r.checkpoint };
    };
    // No evaluation set: the held-out sentences are evaluated, quickly, every 5 steps.
    await page.goto(url(`${TINY}&data.eval=null&${UNTIL_STOPPED}&evalEvery=5&checkpointEvery=5`));
    await page.getByTestId('start').click();
    await expect.poll(() => checkpointStep(page), POLL).toBeGreaterThanOrEqual(10);
    // The page saves a run at once when a checkpoint lands (with its metrics up to that step):
    // wait until IndexedDB holds a record with such a checkpoint.
    await expect.poll(async () => (await stored()).record, POLL).toBeGreaterThanOrEqual(10);
    // Watch the reloaded page from its first DOM mutation: at the first moment the run shows as
    // interrupted, record what the loss chart and the note say in that same frame.
    await page.addInitScript(() => {
      const w = window as unknown as { firstInterrupted?: Record<string, string | null> };
      const by = (id: string) => document.querySelector(`[data-testid="${id}"]`);
      const seen = new MutationObserver(() => {
        if (w.firstInterrupted || by('run-status')?.textContent !== 'interrupted') return;
        w.firstInterrupted = {
          points: by('loss-chart')?.getAttribute('data-points') ?? null,
          checkpoint: by('checkpoint-step')?.textContent ?? null,
          note: by('interrupted')?.textContent ?? null,
        };
        seen.disconnect();
      });
      seen.observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.reload();
    await expect.poll(() => status(page), POLL).toBe('interrupted');
    const first = await page.evaluate(
      () =>
        (window as unknown as { firstInterrupted?: Record<string, string | null> })
          .firstInterrupted,
    );
    // The run is never shown interrupted over a chart that has not loaded its metrics: in that
    // first frame the chart already has a point per step up to the checkpoint.
    const saved = Number(first?.checkpoint);
    expect(saved).toBeGreaterThanOrEqual(10);
    expect(Number(first?.points)).toBeGreaterThanOrEqual(saved);
    expect(first?.note).toMatch(new RegExp(`step ${saved}`));
    expect(await checkpointStep(page)).toBe(saved);
    expect(await num(page, 'loss-chart')).toBeGreaterThanOrEqual(saved);
    // The worker may have saved a newer checkpoint than the run record names (the page went
    // away in between): Resume continues from the newest, the one in IndexedDB.
    const newest = (await stored()).checkpoint;
    expect(newest).toBeGreaterThanOrEqual(saved);
    await screenshot(page, 'ui-09-interrupted');
    const resumedAt = await resume(page);
    await expect.poll(() => status(page), POLL).toBe('running');
    expect(resumedAt).toBe(newest);
    await expect.poll(() => progressStep(page), POLL).toBeGreaterThan(resumedAt + 2);
    await stopRun(page);
    // No step is drawn twice or missing: after the checkpoint the metrics were dropped and
    // re-trained, so the stopped run has exactly one point per step.
    const last = await progressStep(page);
    expect(await num(page, 'loss-chart')).toBe(last);
    const [csvDl] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-csv').click(),
    ]);
    const steps = readFileSync((await csvDl.path()) as string, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[0]));
    // One row per step, in order: the step-0 evaluation's (when there is one), then 1 … last.
    expect(steps[0]).toBeLessThanOrEqual(1);
    expect(steps).toEqual(steps.map((_, i) => i + steps[0]!));
    expect(steps.at(-1)).toBe(last);
    await screenshot(page, 'ui-10-resumed');
    expect(pageErrors).toEqual([]);
  });

  it('two runs overlaid on every chart with a legend', async () => {
    const page = s.page;
    await page.goto(url(`${TINY}&maxSteps=8&evalEvery=4&checkpointEvery=100`));
    await page.getByTestId('start').click();
    await expect.poll(() => status(page), POLL).toBe('finished');
    await page.getByTestId('preset-simcse-unsup').click();
    await page.getByTestId('start').click();
    await expect.poll(() => status(page), POLL).toBe('finished');
    const rows = page.getByTestId('run-list').locator('li');
    expect(await rows.count()).toBe(2);
    // Rename the first run, then compare it with the second.
    const older = rows.nth(1);
    await older.getByTestId('run-rename').click();
    await older.getByTestId('rename-input').fill('wordnet pairs');
    await older.getByTestId('rename-input').press('Enter');
    await older.getByTestId('run-overlay').check();
    const legend = page.locator('[data-testid="loss-chart"] .recharts-legend-item');
    await expect.poll(() => legend.count(), POLL).toBe(2);
    expect(await legend.allTextContents()).toEqual(
      expect.arrayContaining(['wordnet pairs', expect.stringMatching(/SimCSE/)]),
    );
    expect(await page.locator('[data-testid="au-plane"] .legend li').allTextContents()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/wordnet pairs/),
        expect.stringMatching(/SimCSE/),
      ]),
    );
    expect(
      await page.locator('[data-testid="au-chart"] .recharts-legend-item').allTextContents(),
    ).toEqual(expect.arrayContaining(['wordnet pairs']));
    await screenshot(page, 'ui-11-overlay');
    // Delete the renamed run: it leaves the list and the charts.
    await older.getByTestId('run-delete').click();
    await older.getByTestId('run-delete-confirm').click();
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => legend.count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
