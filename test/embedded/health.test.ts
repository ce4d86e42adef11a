import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';

interface HealthBody {
  status: string;
  checks?: Record<string, string>;
  andon: { overall: string; red: string[] };
}

describe('/health tells whether intake can accept', () => {
  let t: TestSystem;
  before(async () => {
    t = await startTestSystem({ circuitBreakerThreshold: 3, circuitBreakerResetMs: 60_000 });
  });
  after(() => t.close());

  const health = () => t.get<HealthBody>('/health');
  const live = () => t.get<{ status: string }>('/health/live');

  it('is 200 healthy on a fresh system', async () => {
    const answer = await health();
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, 'healthy');
    assert.equal((await live()).status, 200);
  });

  it('stays 200 with one lane stopped (the other lane still takes signals), the cord red on the andon', async () => {
    assert.equal((await t.post('/andon/pull', { lane: 'fast', reason: 'one lane only' })).status, 200);
    const answer = await health();
    assert.equal(answer.status, 200);
    assert.ok(answer.body.andon.red.some((line) => line.includes('one lane only')));
    assert.equal((await t.post('/andon/reset', { lane: 'fast' })).status, 200);
  });

  it('is 503 unhealthy naming the cord while the whole line is stopped; /health/live stays 200', async () => {
    assert.equal((await t.post('/andon/pull', { reason: 'inspecting the line', by: 'test' })).status, 200);
    const answer = await health();
    assert.equal(answer.status, 503);
    assert.equal(answer.body.status, 'unhealthy');
    assert.match(answer.body.checks?.line ?? '', /^stopped: andon cord pulled.*inspecting the line/);
    assert.deepEqual((await live()).body, { status: 'alive' });
    assert.equal((await t.post('/andon/reset', {})).status, 200);
    assert.equal((await health()).status, 200);
  });

  it('is 503 naming the queue while the backend is down, and the queue breaker while it stays open', async () => {
    assert.equal((await t.post('/chaos/queue-down', {})).status, 200);
    const down = await health();
    assert.equal(down.status, 503);
    assert.match(down.body.checks?.queue ?? '', /^unavailable: /);
    // Refused publishes open the queue breaker (threshold 3 here).
    await waitFor(
      async () =>
        (await t.send({ signal_type: 'report', payload: {} })).status === 503 &&
        (await health()).body.checks?.queue_breaker !== 'ok',
      { timeoutMs: 10_000, message: 'the queue breaker opened' },
    );
    assert.equal((await t.post('/chaos/queue-recover', {})).status, 200);
    const open = await health();
    assert.equal(open.status, 503, 'the backend is back, but intake still refuses while the breaker is open');
    assert.equal(open.body.checks?.queue, 'ok');
    assert.match(
      open.body.checks?.queue_breaker ?? '',
      /^breaker queue is open, refusing intake for \d+ s more/,
    );
    assert.equal((await t.send({ signal_type: 'report', payload: {} })).status, 503);
    assert.equal((await live()).status, 200);
  });
});
