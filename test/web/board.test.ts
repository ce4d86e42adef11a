import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, assertFitsPhone, screenshot, chromiumSkip, launchChromium } from '../support/chromium.js';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';

/** Waits (Playwright's own polling) until a station shows `level`; returns its cause. */
async function stationAt(page: Page, id: string, level: string, timeout = 10_000): Promise<string> {
  const station = page.locator(`[data-station="${id}"][data-level="${level}"]`);
  await station.waitFor({ timeout });
  return (await station.locator('.cause').textContent()) ?? '';
}

describe('the andon board in a real browser', { skip: chromiumSkip }, () => {
  let t: TestSystem;
  let browser: Browser;
  let page: Page;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestSystem({ circuitBreakerThreshold: 2, circuitBreakerResetMs: 500, retryBackoffMs: 20 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${t.url}/board`);
  });
  after(async () => {
    await page?.close();
    await browser?.close();
    await t?.close();
  });

  it('renders every station green at rest, live, with the cause in words', async () => {
    await page.waitForFunction(() => {
      const stations = Array.from(document.querySelectorAll('[data-station]'));
      return stations.length > 5 && stations.every((s) => s.getAttribute('data-level') === 'green');
    });
    const first = await page.locator('[data-station="lane:fast"]').innerText();
    assert.match(first, /GREEN/);
    assert.match(first, /queued/);
    assert.equal(await page.locator('#conn').textContent(), 'live');
    await screenshot(page, 'board-at-rest.png', { docs: true });
  });

  it('shows each SLO with its budget and burn rates, and 503s at intake spend the availability budget', async () => {
    await page.locator('[data-slo="intake-availability"][data-level="green"]').waitFor();
    assert.equal(await page.locator('[data-slo]').count(), 3);
    assert.equal((await t.post('/andon/pull', { lane: 'fast', reason: 'SLO test' })).status, 200);
    try {
      for (let i = 0; i < 3; i++)
        assert.equal((await t.send({ signal_type: 'execute', payload: {} })).status, 503);
      await page.locator('[data-slo="intake-availability"][data-level="red"]').waitFor();
      assert.match(
        await page.locator('[data-slo="intake-availability"]').innerText(),
        /budget spent or burning fast/,
      );
    } finally {
      await t.post('/andon/reset', { lane: 'fast' });
    }
  });

  it('is light: the page and its script under 300 KB', async () => {
    const html = await (await fetch(`${t.url}/board`)).text();
    const script = await (await fetch(`${t.url}/board.js`)).text();
    assert.ok(html.length + script.length < 300 * 1024, `${html.length + script.length} bytes`);
  });

  it('turns the fast breaker and lane red under downstream errors, and back to green when they stop', async () => {
    assert.equal((await t.post('/chaos/downstream', { target: 'service-c', error_rate: 1 })).status, 200);
    await page.locator('[data-action=errors][aria-pressed=true]').waitFor();
    for (let i = 0; i < 4; i++) await t.send({ signal_type: 'execute', payload: {} });
    const breakerCause = await stationAt(page, 'breaker:lane:fast', 'red');
    const laneCause = await stationAt(page, 'lane:fast', 'red');
    assert.match(breakerCause, /open/);
    assert.match(laneCause, /breaker open: .*service-c/);
    await page.locator('[data-breaker="lane:fast"][data-state="open"]').waitFor();
    await screenshot(page, 'board-fault.png', { docs: true });

    assert.equal((await t.del('/chaos')).status, 200);
    // Probes go through once the reset time has passed: keep sending until the board shows the lane closed.
    const green = page.locator('[data-station="lane:fast"][data-level="green"]');
    const deadline = Date.now() + 15_000;
    while (!(await green.count())) {
      assert.ok(Date.now() < deadline, 'lane:fast back to green within 15 s');
      await t.send({ signal_type: 'execute', payload: {} });
      await green.waitFor({ timeout: 300 }).catch(() => undefined);
    }
    await stationAt(page, 'breaker:lane:fast', 'green');
  });

  it('stops the fast lane with the andon-cord button (the API answers 503) and restarts it with reset', async () => {
    await page.getByRole('button', { name: 'Pull cord: fast lane' }).click();
    const cause = await stationAt(page, 'lane:fast', 'red');
    assert.match(cause, /pulled from the board/);
    const refused = await t.send({ signal_type: 'execute', payload: {} });
    assert.equal(refused.status, 503);

    await page.getByRole('button', { name: 'Reset cord: fast lane' }).focus();
    await page.keyboard.press('Enter');
    await stationAt(page, 'lane:fast', 'green');
    assert.equal((await t.send({ signal_type: 'execute', payload: {} })).status, 202);
  });

  it('takes the queue backend down and back up with its button, the queue station red in between', async () => {
    const queue = page.getByRole('button', { name: 'Queue backend down' });
    await queue.click();
    await page.locator('[data-action=queue][aria-pressed=true]').waitFor();
    const cause = await stationAt(page, 'queue', 'red');
    assert.ok(cause.length > 0);
    assert.equal((await t.send({ signal_type: 'execute', payload: {} })).status, 503);
    await queue.click();
    await page.locator('[data-action=queue][aria-pressed=false]').waitFor();
    await stationAt(page, 'queue', 'green');
  });

  it('starts a cascade with its button and ends it with stop all', async () => {
    await page.getByRole('button', { name: 'Cascade: slow service A' }).click();
    await page.locator('[data-action=cascade][aria-pressed=true]').waitFor();
    const chaos = (await t.get<{ active: string[] }>('/chaos')).body;
    assert.ok(chaos.active.includes('cascade'));
    await page.getByRole('button', { name: 'Stop all chaos' }).click();
    await page.locator('[data-action=cascade][aria-pressed=false]').waitFor();
  });

  it('runs a load preset from the page with live progress, and stops it', async () => {
    await page.getByLabel('Mix').selectOption('even');
    await page.getByRole('button', { name: 'Run normal' }).click();
    await page.locator('body[data-load=running]').waitFor();
    await page.waitForFunction(() =>
      /sent [1-9]\d* of 1500/.test(document.getElementById('load')?.textContent ?? ''),
    );
    assert.match(
      (await page.locator('#load').textContent()) ?? '',
      /normal \(50 req\/s for 30 s, even\): running/,
    );
    assert.equal(
      await page.locator('[data-action=load][data-preset=spike]').getAttribute('aria-disabled'),
      'true',
    );
    // Signals flow in and out: the throughput chart's line leaves zero.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-throughput-max]')?.getAttribute('data-throughput-max')) > 0,
    );
    await page.getByRole('button', { name: 'Stop load' }).click();
    await page.locator('body[data-load=stopped]').waitFor();
    assert.match((await page.locator('#load').textContent()) ?? '', /stopped early · .* accepted [1-9]/);
    await screenshot(page, 'board-load.png');
  });

  it('fits a phone-width screen', async () => {
    await assertFitsPhone(page, 'board-phone');
  });
});
