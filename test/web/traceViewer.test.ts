import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, assertFitsPhone, screenshot, chromiumSkip, launchChromium } from '../support/chromium.js';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';

/**
 * The trace viewer end to end: a signal sent through the API, found in the viewer by its id, with the spans that
 * the system recorded for it (GET /traces and GET /traces/:id, read by the page as JSON).
 */
describe('the trace viewer in a real browser', { skip: chromiumSkip }, () => {
  let t: TestSystem;
  let browser: Browser;
  let page: Page;
  const id = `viewer-${randomUUID().slice(0, 8)}`;

  const open = async (path: string): Promise<void> => {
    await page.goto(`${t.url}${path}`);
    await page.locator('body[data-ready=true]').waitFor({ timeout: 10_000 });
  };

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestSystem();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // A few signals besides the one looked for, so the list and the averages have something to show.
    for (let i = 0; i < 4; i++) await t.send({ signal_type: i % 2 ? 'report' : 'execute', payload: { i } });
    assert.equal((await t.send({ id, signal_type: 'execute', payload: { look: 'me up' } })).status, 202);
    await t.waitForStatus(id, 'completed');
  });
  after(async () => {
    await page?.close();
    await browser?.close();
    await t?.close();
  });

  it('is light: the page and its script under 300 KB, served as HTML and JavaScript', async () => {
    const html = await fetch(`${t.url}/traces/view`);
    const script = await fetch(`${t.url}/traces.js`);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    const size = (await html.text()).length + (await script.text()).length;
    assert.ok(size < 300 * 1024, `${size} bytes`);
  });

  it('finds a signal by its id, typed in and sent with the keyboard, and opens its trace', async () => {
    await open('/traces/view');
    await page.getByLabel('Signal id').focus();
    await page.keyboard.type(id);
    await page.keyboard.press('Enter');
    await page.waitForURL(/signal_id=/);
    await page.locator('body[data-ready=true]').waitFor({ timeout: 10_000 });
    await page.locator('#trace[data-trace-id]').waitFor({ timeout: 10_000 });
    assert.match((await page.locator('#trace').textContent()) ?? '', new RegExp(id));
  });

  it('shows the spans from the API, the worker and the downstream services, wait and work apart', async () => {
    for (const service of ['api', 'worker', 'service-c'])
      await page.locator(`[data-service-group="${service}"] [data-span]`).first().waitFor();
    assert.ok((await page.locator('[data-span][data-stage=work]').count()) > 0, 'work spans');
    assert.ok((await page.locator('[data-span][data-stage=wait]').count()) > 0, 'a queue wait span');
    assert.match((await page.locator('#legend').textContent()) ?? '', /work.*waiting.*ERROR/s);
    const figures = (await page.locator('#trace-figures').textContent()) ?? '';
    assert.match(figures, /Lead time.*Process time.*Process-cycle efficiency/s);
    await screenshot(page, 'traces.png', { docs: true });
  });

  it('lists recent traces filtered by lane, outcome and minimum duration, with the recent averages', async () => {
    await open('/traces/view?lane=fast&outcome=completed');
    const row = page.locator('tr[data-trace]', { hasText: id });
    await row.waitFor();
    assert.equal(await row.getAttribute('data-outcome'), 'completed');
    assert.match((await page.locator('#averages').textContent()) ?? '', /Average of \d+ recent/);
    await open('/traces/view?lane=slow');
    assert.equal(await page.locator('tr[data-trace]', { hasText: id }).count(), 0);
    await open('/traces/view?min_ms=600000');
    assert.equal(await page.locator('tr[data-trace]').count(), 0);
    assert.match((await page.locator('#list').textContent()) ?? '', /No trace matches/);
    // A trace opens from the list by keyboard: its link is an ordinary one.
    await open('/traces/view?lane=fast');
    await page.locator('tr[data-trace] a', { hasText: id }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/traces\/view\/[0-9a-f]+/);
    await page.locator('#trace[data-trace-id]').waitFor({ timeout: 10_000 });
  });

  it('fits a phone-width screen', async () => {
    await assertFitsPhone(page, 'traces-phone');
  });
});
