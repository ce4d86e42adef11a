import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invariant, runShort } from './support.js';

describe('experiment circuit-breaker (short)', () => {
  it(
    'opens the lane breaker under a hanging downstream, fails fast, closes after the fault',
    { timeout: 20_000 },
    async () => {
      const result = await runShort('circuit-breaker', { downstreamTimeoutMs: 200, slowCallMs: 150 });
      invariant(result, 'the breaker opened');
      invariant(result, 'the breaker closed after the fault stopped');
      invariant(result, 'fault visible in /status while active');
      invariant(result, 'fault gone from /status after stop');
      invariant(result, 'nothing lost (checked by id)');
      const figure = (name: string) => result.figures.find((f) => f.name === name)?.value;
      assert.equal(typeof figure('fault on → breaker open'), 'number');
      assert.equal(typeof figure('fault off → breaker closed'), 'number');
    },
  );
});
