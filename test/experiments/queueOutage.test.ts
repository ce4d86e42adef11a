import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invariant, runShort } from './support.js';

describe('experiment queue-outage (short)', () => {
  it(
    'refuses with 503 QUEUE_UNAVAILABLE while the queue is down, accepts after; nothing lost',
    { timeout: 30_000 },
    async () => {
      const result = await runShort('queue-outage');
      invariant(result, 'fault visible in /status while active');
      invariant(result, 'fault gone from /status after stop');
      invariant(result, '/status showed the queue unavailable');
      invariant(result, 'intake refused with 503 QUEUE_UNAVAILABLE during the outage');
      invariant(result, 'intake accepted again after recovery');
      invariant(result, 'signals lost = 0');
      invariant(result, 'nothing lost (checked by id)');
      const figure = (name: string) => result.figures.find((f) => f.name === name)?.value;
      assert.ok(Number(figure('503 QUEUE_UNAVAILABLE answers')) > 0);
    },
  );
});
