import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invariant, runShort } from './support.js';

describe('experiment recovery-time (short)', () => {
  it(
    'measures the RTO from fault stop until the lead-time p99 is back near baseline',
    { timeout: 30_000 },
    async () => {
      // What is asserted is the measurement, not this machine's speed: a longer tail and a wider slack than the
      // short defaults keep a busy machine's p99 noise from reading as "not recovered".
      const result = await runShort(
        'recovery-time',
        { downstreamTimeoutMs: 200, slowCallMs: 150 },
        { tailMs: 6000, floorMs: 50 },
      );
      invariant(result, 'fault visible in /status while active');
      invariant(result, 'fault gone from /status after stop');
      invariant(result, 'the breaker opened');
      invariant(result, 'every breaker closed after the fault stopped');
      invariant(result, 'lead-time p99 back within 10 % of baseline');
      invariant(result, 'nothing lost (checked by id)');
      const rto = result.figures.find((f) => f.name.startsWith('RTO'))?.value;
      assert.equal(typeof rto, 'number');
      assert.ok(Number(rto) >= 0);
    },
  );
});
