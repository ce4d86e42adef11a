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
    // A 429 comes only from a full lane. The peak is read from /status samples, and while the lane is full each
    // completion frees a place for a moment, so a sample may see the bound less a worker or two, never more.
    assert.ok(Number(figure('429 answers')) > 0);
    const peak = Number(figure('depth peak'));
    assert.ok(peak <= 50 && peak >= 45, `depth peak ${peak}, bound 50`);
  });
});
