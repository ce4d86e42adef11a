import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';

describe('the landing page and the site icon', () => {
  let t: TestSystem;
  before(async () => {
    t = await startTestSystem();
  });
  after(() => t.close());

  it("shows the try-it snippet with the address it was reached at (PORT's port, not 8080)", async () => {
    const port = new URL(t.url).port;
    assert.notEqual(port, '8080');
    const page = await t.get<string>('/');
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(`curl -X POST 127.0.0.1:${port}/signal`), 'the snippet names this port');
    assert.ok(!page.body.includes('localhost:8080'));
  });

  it('falls back to localhost and the port for a Host that does not belong in a shell command', async () => {
    const answer = await t.system.parts.api.inject({ url: '/', headers: { host: 'a b;rm' } });
    if (answer.statusCode === 200) {
      assert.ok(answer.body.includes(`curl -X POST localhost:`));
      assert.ok(!answer.body.includes('a b;rm'));
    } else assert.ok(answer.statusCode >= 400 && answer.statusCode < 500, 'or the Host is refused');
  });

  it('serves an SVG icon at /favicon.ico and /favicon.svg, linked from every page', async () => {
    for (const path of ['/favicon.ico', '/favicon.svg']) {
      const icon = await fetch(t.url + path);
      assert.equal(icon.status, 200, path);
      assert.match(icon.headers.get('content-type') ?? '', /^image\/svg\+xml/);
      assert.match(await icon.text(), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    }
    for (const page of ['/', '/board', '/traces/view']) {
      const html = await t.get<string>(page);
      assert.match(html.body, /<link rel="icon" href="\/favicon\.svg" type="image\/svg\+xml">/, page);
    }
  });
});
