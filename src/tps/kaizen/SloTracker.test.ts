import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock.js';
import { SloTracker } from './SloTracker.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const near = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

const availability = (clock: ManualClock) =>
  new SloTracker({ name: 'availability', objective: 'accepted without 5xx', target: 0.999 }, clock);

describe('SloTracker', () => {
  it('has a whole budget, no SLI and no burn before any event', () => {
    const snapshot = availability(new ManualClock(0)).snapshot();
    assert.equal(snapshot.sli, undefined);
    assert.equal(snapshot.errorBudgetRemaining, 1);
    assert.deepEqual(snapshot.burnRates, { '5m': 0, '1h': 0, '6h': 0 });
    assert.deepEqual(snapshot.events, { good: 0, total: 0 });
    assert.equal(snapshot.target, 0.999);
    assert.equal(snapshot.objective, 'accepted without 5xx');
  });

  it('spends the budget exactly when the error rate equals what the target allows', () => {
    const tracker = availability(new ManualClock(0));
    tracker.record(true, 999);
    tracker.record(false);
    const snapshot = tracker.snapshot();
    near(snapshot.sli!, 0.999);
    near(snapshot.burnRates['5m'], 1);
    near(snapshot.errorBudgetRemaining, 0);
    assert.deepEqual(snapshot.events, { good: 999, total: 1000 });
  });

  it('keeps half the budget at half the allowed error rate, and goes below zero when overspent', () => {
    const clock = new ManualClock(0);
    const tracker = new SloTracker({ name: 'fast', objective: 'within 1 s', target: 0.99 }, clock);
    tracker.record(true, 199);
    tracker.record(false);
    near(tracker.snapshot().errorBudgetRemaining, 0.5);
    tracker.record(false, 3);
    assert.ok(tracker.snapshot().errorBudgetRemaining < 0);
  });

  it('reads each burn-rate window over its own span of time', () => {
    const clock = new ManualClock(0);
    const tracker = availability(clock);
    // Two hours ago: 1000 events with 10 bad. Now: 100 good events and 1 bad.
    tracker.record(true, 990);
    tracker.record(false, 10);
    clock.advance(2 * HOUR);
    tracker.record(true, 99);
    tracker.record(false, 1);
    const { burnRates } = tracker.snapshot();
    near(burnRates['5m'], 0.01 / 0.001);
    near(burnRates['1h'], 0.01 / 0.001);
    near(burnRates['6h'], 11 / 1100 / 0.001);
  });

  it('forgets a burst of errors as it leaves each window', () => {
    const clock = new ManualClock(0);
    const tracker = availability(clock);
    tracker.record(false, 5);
    tracker.record(true, 95);
    clock.advance(6 * MINUTE);
    tracker.record(true, 100);
    let snapshot = tracker.snapshot();
    assert.equal(snapshot.burnRates['5m'], 0, 'the burst is more than 5 minutes old');
    near(snapshot.burnRates['1h'], 5 / 200 / 0.001);
    clock.advance(6 * HOUR);
    snapshot = tracker.snapshot();
    assert.deepEqual(snapshot.events, { good: 0, total: 0 });
    assert.equal(snapshot.errorBudgetRemaining, 1);
  });

  it('refuses a target that leaves no budget or is not a share', () => {
    const clock = new ManualClock(0);
    for (const target of [1, 0, 1.5, Number.NaN]) {
      assert.throws(
        () => new SloTracker({ name: 'x', objective: 'y', target }, clock),
        /target of SLO x must be between 0 and 1/,
      );
    }
    assert.throws(
      () => new SloTracker({ name: 'x', objective: 'y', target: 0.9 }, clock, { bucketMs: 7_000 }),
      /bucketMs/,
    );
  });
});
