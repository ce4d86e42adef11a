import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invariant, runShort } from './support.js';

describe('experiment cascade (short)', () => {
  it(
    'slows service-a past the timeouts: breakers open in an order, all close after; nothing lost',
    { timeout: 30_000 },
    async () => {
      const result = await runShort('cascade', { downstreamTimeoutMs: 200, slowCallMs: 150 });
      invariant(result, 'fault visible in /status while active');
      invariant(result, 'fault gone from /status after stop');
      invariant(result, 'breakers opened');
      invariant(result, 'service-a’s breaker opened (the slow service was cut off)');
      invariant(result, 'every breaker closed after the fault stopped');
      invariant(result, 'nothing lost (checked by id)');
      const order = result.figures.find((f) => f.name === 'breaker open order')?.value;
      assert.match(String(order), /service-a/);
      const injected = result.figures.find((f) => f.name === 'latency injected into service-a')?.value;
      assert.equal(injected, 400);
    },
  );
});
