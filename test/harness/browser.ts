/**
 * Headless Chromium for the web workspace's browser tests: Debian's `chromium` (installed
 * by `scripts/setup.sh`) driven by `playwright-core`, which downloads no browser of its
 * own. One browser per test file (`browserPerFile()`), closed after the file's last test;
 * each test opens its own context (cookies, viewport) with `openPage`.
 *
 * @example
 * ```ts
 * const browser = browserPerFile();
 * it('…', async () => {
 *   const page = await openPage(browser(), 'phone');
 *   await page.goto(url);
 *   await screenshot(page, 'inbox-375');
 * });
 * ```
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ENV } from '@duban/common';

/** Debian's chromium package puts its launcher here; `DUBAN_CHROMIUM` names another. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

export function chromiumPath(): string {
  return process.env[ENV.chromium] ?? DEFAULT_CHROMIUM_PATH;
}

/** The two widths the workspace is made for: a phone held upright and an office PC. */
export const VIEWPORTS = {
  phone: { width: 375, height: 812 },
  desktop: { width: 1280, height: 800 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/** Where the tests write their screenshots (ignored by git: they are outputs, not sources). */
export const SCREENSHOT_DIR = join(__dirname, '..', 'web', 'browser', 'screenshots');

/** A browser for the test file (or the `describe` block it is called in). */
export function browserPerFile(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    const executablePath = chromiumPath();
    if (!existsSync(executablePath)) {
      throw new Error(`No Chromium at ${executablePath}: run scripts/setup.sh (it installs Debian's chromium), or set ${ENV.chromium}.`);
    }
    browser = await chromium.launch({ executablePath, headless: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (browser === undefined) throw new Error('The browser is not started yet: read browser() inside a test or hook.');
    return browser;
  };
}

/**
 * A fresh context (its own cookies: one person's session) and a page in it, at a width
 * the workspace is made for. Dialogs are recorded rather than left open, so a test can
 * assert that none appeared (an injected `alert` would be one).
 */
export async function openPage(browser: Browser, viewport: ViewportName = 'desktop'): Promise<{ context: BrowserContext; page: Page; dialogs: string[] }> {
  const context = await browser.newContext({ viewport: VIEWPORTS[viewport], locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { context, page, dialogs };
}

/** Sets the page to one of the two widths (for a screenshot of the same page at both). */
export async function useViewport(page: Page, viewport: ViewportName): Promise<void> {
  await page.setViewportSize(VIEWPORTS[viewport]);
}

/** A full-page PNG in `test/web/browser/screenshots/<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
