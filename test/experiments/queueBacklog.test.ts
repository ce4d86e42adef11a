import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invariant, runShort } from './support.js';

describe('experiment queue-backlog (short)', () => {
  it('fills the slow lane, answers 429 at the bound, drains; nothing lost', { timeout: 20_000 }, async () => {
    const result = await runShort('queue-backlog', {
      maxQueueDepth: 50,
      slowWorkMs: 20,
      slowPoolSize: 2,
      autoscale: false,
    });
    invariant(result, 'the lane drained');
    invariant(result, 'nothing lost (checked by id)');
    const figure = (name: string) => result.figures.find((f) => f.name === name)?.value;
    assert.equal(figure('depth peak'), 50);
    assert.ok(Number(figure('429 answers')) > 0);
  });
});
