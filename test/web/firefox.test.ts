import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ARTIFACTS } from '../support/chromium.js';
import { firefoxSkip, launchFirefox, type FirefoxPage } from '../support/firefox.js';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';

/** The board and the trace viewer's page in Debian's Firefox ESR, over WebDriver BiDi. */
describe('the board and the trace viewer in Firefox', { skip: firefoxSkip }, () => {
  let t: TestSystem;
  let page: FirefoxPage;

  const levelOf = (station: string): Promise<string | null> =>
    page.evaluate<string | null>(
      `document.querySelector('[data-station="${station}"]')?.getAttribute('data-level') ?? null`,
    );

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestSystem();
    page = await launchFirefox();
    await page.setViewport(1280, 800);
  });
  after(async () => {
    await page?.close();
    await t?.close();
  });

  it('renders the board live, every station green at rest', async () => {
    await page.goto(`${t.url}/board`);
    await waitFor(
      () =>
        page.evaluate<boolean>(
          `(() => { const s = [...document.querySelectorAll('[data-station]')];
             return s.length > 5 && s.every((e) => e.getAttribute('data-level') === 'green') &&
               document.getElementById('conn').textContent === 'live'; })()`,
        ),
      { timeoutMs: 15_000, intervalMs: 100, message: 'every station green in Firefox' },
    );
    writeFileSync(`${ARTIFACTS}/board-firefox.png`, await page.screenshot());
  });

  it('stops the fast lane with the cord button and restarts it with reset', async () => {
    const press = (name: string) =>
      page.evaluate(
        `[...document.querySelectorAll('button')].find((b) => b.textContent === '${name}').click()`,
      );
    await press('Pull cord: fast lane');
    await waitFor(async () => (await levelOf('lane:fast')) === 'red', {
      timeoutMs: 10_000,
      intervalMs: 50,
      message: 'lane:fast red',
    });
    assert.equal((await t.send({ signal_type: 'execute', payload: {} })).status, 503);
    await press('Reset cord: fast lane');
    await waitFor(async () => (await levelOf('lane:fast')) === 'green', {
      timeoutMs: 10_000,
      intervalMs: 50,
      message: 'lane:fast green',
    });
  });

  it('fits a phone-width screen, the board and the trace viewer alike', async () => {
    await page.setViewport(390, 844);
    for (const path of ['/board', '/traces/view']) {
      await page.goto(`${t.url}${path}`);
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px in Firefox`);
    }
    // The viewer's script ran: it says it is done, whatever /traces answered.
    await waitFor(() => page.evaluate<boolean>(`document.body.dataset.ready === 'true'`), {
      timeoutMs: 10_000,
      intervalMs: 50,
      message: 'the trace viewer script ran in Firefox',
    });
    writeFileSync(`${ARTIFACTS}/traces-firefox-phone.png`, await page.screenshot());
  });
});
