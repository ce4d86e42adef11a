import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningProcess } from '../../src/system/distributed/apiProcess.js';
import { startDownstreamProcess } from '../../src/system/distributed/downstreamProcess.js';
import { metricSample as sample } from '../support/metrics.js';
import { freePort } from '../support/processes.js';
import { waitFor } from '../support/waitFor.js';

describe('tps downstream serves its metrics on service A’s port', { timeout: 30_000 }, () => {
  let downstream: RunningProcess;
  let port = 0;
  const serviceUrl = (offset: number) => `http://127.0.0.1:${port + offset}`;
  const scrape = async () => {
    const response = await fetch(`${serviceUrl(0)}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    return response.text();
  };
  const callChain = (id: string) =>
    fetch(`${serviceUrl(2)}/work`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id }),
    });

  before(async () => {
    port = await freePort(3);
    downstream = await startDownstreamProcess(
      {},
      {
        env: {
          HOST: '127.0.0.1',
          DOWNSTREAM_PORT: String(port),
          DOWNSTREAM_LATENCY_MS: '0',
          DOWNSTREAM_HOP_LATENCY_MS: '0',
          CIRCUIT_BREAKER_THRESHOLD: '2',
          CIRCUIT_BREAKER_RESET_MS: '60000',
          LOG_LEVEL: 'silent',
        },
      },
    );
  });
  after(() => downstream?.close());

  it('shows the latency of the hops C → B and B → A and both inner breakers closed after a call', async () => {
    assert.equal((await callChain('metrics-1')).status, 200);
    const text = await scrape();
    for (const service of ['service-a', 'service-b'])
      assert.ok(
        (sample(text, 'downstream_latency_seconds_count', { service, outcome: 'ok' }) ?? 0) >= 1,
        `downstream_latency_seconds{service="${service}"} counted the call`,
      );
    assert.equal(sample(text, 'circuit_breaker_state', { breaker: 'service-a' }), 0);
    assert.equal(sample(text, 'circuit_breaker_state', { breaker: 'service-b' }), 0);
  });

  it('has the breaker state current at the scrape: open once service A fails every call', async () => {
    const fault = await fetch(`${serviceUrl(0)}/fault`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error_rate: 1 }),
    });
    assert.equal(fault.status, 200);
    let calls = 0;
    await waitFor(
      async () => {
        await callChain(`metrics-fail-${++calls}`);
        return sample(await scrape(), 'circuit_breaker_state', { breaker: 'service-a' }) === 2;
      },
      { timeoutMs: 5_000, intervalMs: 20, message: 'breaker B → A shown open' },
    );
    assert.ok(calls <= 10, `${calls} calls to open a breaker of threshold 2`);
    // Service A's injected 503s, as B saw them; C saw B's 502 until C → B opened too.
    const text = await scrape();
    const failed = { service: 'service-a', outcome: 'http_503' };
    assert.ok((sample(text, 'downstream_latency_seconds_count', failed) ?? 0) >= 2);
    assert.ok(
      (sample(text, 'circuit_breaker_events_total', { breaker: 'service-a', event: 'open' }) ?? 0) >= 1,
    );
  });

  it('serves them once: services B and C answer no /metrics', async () => {
    for (const offset of [1, 2]) assert.equal((await fetch(`${serviceUrl(offset)}/metrics`)).status, 404);
  });
});
