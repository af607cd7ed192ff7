import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/paths.ts';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium'];

export function findChromium(): string {
  for (const c of CANDIDATES) if (c && existsSync(c)) return c;
  throw new Error(
    'No Chromium found for the browser tests. Install one (Debian: `apt-get install chromium`) ' +
      'or set CHROMIUM_PATH to its executable. Looked at: $CHROMIUM_PATH, /usr/lib/chromium/chromium, /usr/bin/chromium.',
  );
}

/**
 * Headless Chromium as the tests run it: a SwiftShader WebGPU adapter, no sandbox (root), and no
 * background networking (this machine's network is closed).
 */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export interface Session {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless Chromium with a SwiftShader WebGPU adapter and a fresh profile; always closable. */
export async function openBrowser(): Promise<Session> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'cplay-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    browser: context.browser() as Browser,
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Where the test server (globalSetup.ts) serves tests/fixtures/**; not part of the build. */
export const FIXTURES_PATH = '/__test-fixtures/';

export const ARTIFACTS = join(REPO_ROOT, 'test-results');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
