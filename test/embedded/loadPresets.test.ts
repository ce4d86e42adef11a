import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LoadAnswer, LoadRunView } from '../../src/domain/load.js';
import { loopbackUrlOf } from '../../src/services/api/routes/load.js';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';

type ErrorBody = { error: { code: string; message: string } };

/** Reads `event: load` frames from GET /events until one passes `until`. */
async function loadEventFrom(url: string, until: (view: LoadRunView) => boolean): Promise<LoadRunView> {
  const stop = new AbortController();
  const response = await fetch(`${url}/events`, { signal: stop.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('/events ended before the load event came');
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^event: load\ndata: (.*)$/s.exec(frame)?.[1];
        const view = data === undefined ? undefined : (JSON.parse(data) as LoadRunView);
        if (view && until(view)) return view;
      }
    }
  } finally {
    stop.abort();
  }
}

describe('load presets run from the API (POST /load)', () => {
  let t: TestSystem;
  before(async () => {
    t = await startTestSystem();
  });
  after(() => t?.close());

  it('lists the presets, each bounded in count and time', async () => {
    const { status, body } = await t.get<LoadAnswer>('/load');
    assert.equal(status, 200);
    assert.equal(body.run.state, 'idle');
    assert.deepEqual(
      body.presets.map((p) => p.name),
      ['normal', 'spike', 'stress'],
    );
    for (const preset of body.presets) {
      assert.ok(preset.planned > 0 && preset.planned <= 6000, `${preset.name}: ${preset.planned} requests`);
      assert.ok(preset.duration_ms <= 30_000, `${preset.name}: ${preset.duration_ms} ms`);
    }
  });

  it('refuses an unknown preset or field with a 400 in the error shape, and starts nothing', async () => {
    for (const body of [{ preset: 'huge' }, {}, { preset: 'normal', rate: 9000 }]) {
      const answer = await t.post<ErrorBody>('/load', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.error.code, 'VALIDATION_FAILED');
      assert.ok(answer.body.error.message.length > 0);
    }
    assert.equal((await t.get<LoadAnswer>('/load')).body.run.state, 'idle');
  });

  it('runs one preset against itself with progress on /events, refuses a second (409), and stops on DELETE', async () => {
    const progress = loadEventFrom(t.url, (view) => view.state === 'running' && view.sent > 0);
    const started = await t.post<LoadAnswer>('/load', { preset: 'normal', mix: 'even' });
    assert.equal(started.status, 202);
    assert.equal(started.body.run.state, 'running');
    assert.equal(started.body.run.preset, 'normal');

    const busy = await t.post<ErrorBody>('/load', { preset: 'spike' });
    assert.equal(busy.status, 409);
    assert.equal(busy.body.error.code, 'LOAD_RUNNING');

    const pushed = await progress;
    assert.equal(pushed.preset, 'normal');
    const accepted = await waitFor(
      async () => {
        const { body } = await t.get<{ rates: { intake_per_s: number } }>('/status');
        return body.rates.intake_per_s > 0;
      },
      { timeoutMs: 10_000, message: 'the load reaches intake' },
    );
    assert.ok(accepted);

    const stopped = await t.del<LoadAnswer>('/load');
    assert.equal(stopped.status, 200);
    assert.equal(stopped.body.run.state, 'stopped');
    assert.ok(stopped.body.run.accepted > 0);
    assert.ok(stopped.body.run.sent < (stopped.body.run.planned ?? 0));
    assert.equal((await t.post<LoadAnswer>('/load', { preset: 'normal' })).status, 202);
    assert.equal((await t.del<LoadAnswer>('/load')).body.run.state, 'stopped');
  });

  it('aims the load at its own loopback address only', () => {
    assert.equal(loopbackUrlOf({ address: '0.0.0.0', family: 'IPv4', port: 8080 }), 'http://127.0.0.1:8080');
    assert.equal(loopbackUrlOf({ address: '::', family: 'IPv6', port: 8080 }), 'http://[::1]:8080');
    assert.equal(loopbackUrlOf({ address: '127.0.0.1', family: 'IPv4', port: 1 }), 'http://127.0.0.1:1');
    assert.equal(loopbackUrlOf({ address: '10.0.0.5', family: 'IPv4', port: 1 }), undefined);
  });
});
