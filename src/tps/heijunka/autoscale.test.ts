import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideScale, nextIdleSince, type ScaleInput, type ScalePolicy } from './autoscale.js';

const policy: ScalePolicy = { scaleUpBacklogPerWorker: 2, step: 2, cooldownMs: 5_000, idleMs: 30_000 };
const input = (overrides: Partial<ScaleInput>): ScaleInput => ({
  size: 10,
  busy: 10,
  backlog: 0,
  min: 2,
  max: 16,
  now: 100_000,
  lastScaleAt: Number.NEGATIVE_INFINITY,
  ...overrides,
});

describe('decideScale', () => {
  it('grows by a step when every worker is busy and the backlog per worker passes the threshold', () => {
    assert.deepEqual(decideScale(input({ backlog: 40 }), policy), {
      size: 12,
      reason: 'backlog 40 for 10 workers: +2',
    });
  });

  it('does not grow while some worker is free to pull the backlog', () => {
    assert.equal(decideScale(input({ busy: 9, backlog: 40 }), policy).size, 10);
  });

  it('does not grow at or under the threshold', () => {
    assert.equal(decideScale(input({ backlog: 20 }), policy).size, 10);
  });

  it('never grows past max', () => {
    assert.equal(decideScale(input({ size: 15, busy: 15, backlog: 100 }), policy).size, 16);
    const atMax = decideScale(input({ size: 16, busy: 16, backlog: 100 }), policy);
    assert.equal(atMax.size, 16);
    assert.match(atMax.reason, /already at max 16/);
  });

  it('shrinks by one when workers have been idle for idleMs and nothing waits', () => {
    const decision = decideScale(input({ busy: 4, idleSince: 70_000 }), policy);
    assert.equal(decision.size, 9);
    assert.match(decision.reason, /6 of 10 workers idle for 30000 ms, no backlog: -1/);
  });

  it('does not shrink before idleMs has passed, or while anything waits', () => {
    assert.equal(decideScale(input({ busy: 4, idleSince: 70_001 }), policy).size, 10);
    assert.equal(decideScale(input({ busy: 4, idleSince: 0, backlog: 1 }), policy).size, 10);
  });

  it('never shrinks under min', () => {
    const decision = decideScale(input({ size: 2, busy: 0, idleSince: 0 }), policy);
    assert.equal(decision.size, 2);
    assert.match(decision.reason, /already at min 2/);
  });

  it('holds during the cooldown after a change', () => {
    const decision = decideScale(input({ backlog: 40, lastScaleAt: 97_000 }), policy);
    assert.deepEqual(decision, { size: 10, reason: 'cooldown: 2000 ms left' });
    assert.equal(decideScale(input({ backlog: 40, lastScaleAt: 95_000 }), policy).size, 12);
  });

  it('clamps a pool outside [min, max] at once, cooldown or not', () => {
    assert.equal(decideScale(input({ size: 1, lastScaleAt: 100_000 }), policy).size, 2);
    assert.equal(decideScale(input({ size: 20, busy: 20, lastScaleAt: 100_000 }), policy).size, 16);
  });

  it('starts an empty pool when work waits', () => {
    assert.equal(decideScale(input({ size: 0, busy: 0, min: 0, backlog: 1 }), policy).size, 2);
  });

  it('says why it keeps the size when nothing calls for a change', () => {
    assert.deepEqual(decideScale(input({ busy: 7, backlog: 3 }), policy), {
      size: 10,
      reason: 'steady: backlog 3, 7 of 10 workers busy',
    });
  });
});

describe('nextIdleSince', () => {
  it('starts counting when a worker becomes spare, keeps counting, and stops once all are busy', () => {
    assert.equal(nextIdleSince(undefined, 3, 4, 1_000), 1_000);
    assert.equal(nextIdleSince(1_000, 2, 4, 5_000), 1_000);
    assert.equal(nextIdleSince(1_000, 4, 4, 6_000), undefined);
  });
});
