import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { skipWithout } from './services.js';

/** Debian's chromium, driven by playwright-core (`.ci/run` installs it). */
export const CHROMIUM = '/usr/bin/chromium';
/** For `describe(…, { skip })`: false when chromium is there, else the reason (under CI a missing one fails). */
export const chromiumSkip: false | string = skipWithout(CHROMIUM, 'chromium');

/** Where the browser tests put their screenshots (CI keeps them), and the README's pictures. */
export const ARTIFACTS = 'test-artifacts';
export const DOCS_IMG = 'docs/img';

/**
 * A full-page screenshot into test-artifacts/ (CI keeps them); with UPDATE_DOCS_IMAGES=1 also into docs/img/ for
 * the README, so an ordinary test run never rewrites tracked files.
 */
export async function screenshot(page: Page, name: string, options: { docs?: boolean } = {}): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/${name}`, fullPage: true });
  if (options.docs && process.env.UPDATE_DOCS_IMAGES === '1') {
    mkdirSync(DOCS_IMG, { recursive: true });
    await page.screenshot({ path: `${DOCS_IMG}/${name}`, fullPage: true });
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** At a phone's width (390 px) the page must not scroll sideways; saves `<name>.png` among the artifacts. */
export async function assertFitsPhone(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  await screenshot(page, `${name}.png`);
}
