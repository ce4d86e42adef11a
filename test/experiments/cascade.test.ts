import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slowedDown } from '../../src/experiments/serviceLatency.js';
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
      const figure = (name: string) => result.figures.find((f) => f.name === name)?.value;
      // Every breaker the order names is one of the chain's or a lane's.
      for (const name of String(order).split(' → ')) assert.match(name, /^(service-[abc]|lane:\w+)$/);
      // Measured from downstream_latency_seconds: A's callers waited longer during the fault than before.
      const aBefore = figure('service-a mean latency before the fault');
      const aDuring = figure('service-a mean latency during the fault');
      assert.equal(typeof aBefore, 'number');
      assert.equal(typeof aDuring, 'number');
      assert.ok(Number(aDuring) > Number(aBefore), `service-a: ${aBefore} ms before, ${aDuring} ms during`);
      // Deadline propagation: no hop waits past the budget the workers started (200 ms, less margins).
      assert.ok(Number(aDuring) < 200, `service-a's callers waited ${aDuring} ms on average`);
      for (const service of ['service-a', 'service-b', 'service-c']) {
        assert.match(String(figure(`${service} calls / mean / p90 before → during → after`)), / → .* → /);
      }
      // Whether B's wait on A reads as a slowdown follows the line's own rule. On a loaded machine the mean
      // before the fault can come close to the callers' timeout (175 ms was seen for a 1 ms service), and then
      // the line must say that B saw none.
      const spread = String(figure('how far the slowness spread'));
      const window = (meanMs: unknown) => ({ calls: 1, meanMs: Number(meanMs), p90Ms: null });
      const waited = slowedDown(window(aBefore), window(aDuring));
      assert.match(
        spread,
        waited ? /service-b waited on service-a/ : /service-b saw no slowdown of service-a/,
        `service-a: ${aBefore} ms before, ${aDuring} ms during`,
      );
    },
  );
});
