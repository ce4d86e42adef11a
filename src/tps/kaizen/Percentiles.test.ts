import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock.js';
import { Percentiles, createLatencyHistogram } from './Percentiles.js';

/** Within the windows' 2 significant digits (1 %), plus the 1 µs unit. */
const near = (actual: number, expected: number): void => {
  assert.ok(
    Math.abs(actual - expected) <= expected * 1e-2 + 0.001,
    `${actual} is not within HDR precision of ${expected}`,
  );
};

describe('Percentiles', () => {
  it('reports percentiles of recorded milliseconds within HDR precision', () => {
    const percentiles = new Percentiles(new ManualClock(0));
    for (let ms = 1; ms <= 1000; ms++) percentiles.record(ms);
    const snapshot = percentiles.snapshot();
    assert.equal(snapshot.count, 1000);
    near(snapshot.p50, 500);
    near(snapshot.p90, 900);
    near(snapshot.p99, 990);
    near(snapshot.p999, 999);
    near(snapshot.max, 1000);
    near(snapshot.mean, 500.5);
  });

  it('keeps sub-millisecond resolution', () => {
    const percentiles = new Percentiles(new ManualClock(0));
    percentiles.record(0.25);
    near(percentiles.snapshot().p50, 0.25);
  });

  it('answers zeros before anything is recorded', () => {
    assert.deepEqual(new Percentiles(new ManualClock(0)).snapshot(), {
      count: 0,
      p50: 0,
      p90: 0,
      p99: 0,
      p999: 0,
      max: 0,
      mean: 0,
    });
  });

  it('forgets samples older than the window, one interval at a time', () => {
    const clock = new ManualClock(0);
    const percentiles = new Percentiles(clock, { windowMs: 60_000, intervals: 6 });
    percentiles.record(500);
    clock.advance(30_000);
    percentiles.record(5);
    assert.equal(percentiles.snapshot().count, 2);
    near(percentiles.snapshot().max, 500);

    clock.set(59_999);
    assert.equal(percentiles.snapshot().count, 2, 'the first interval is still inside the window');
    clock.set(60_000);
    const snapshot = percentiles.snapshot();
    assert.equal(snapshot.count, 1, 'the first interval has left the window');
    near(snapshot.max, 5);

    clock.set(100_000);
    assert.equal(percentiles.snapshot().count, 0);
  });

  it('reuses a ring slot for a new interval without keeping the old samples', () => {
    const clock = new ManualClock(0);
    const percentiles = new Percentiles(clock, { windowMs: 60_000, intervals: 6 });
    percentiles.record(700);
    clock.set(60_000);
    percentiles.record(7);
    const snapshot = percentiles.snapshot();
    assert.equal(snapshot.count, 1);
    near(snapshot.max, 7);
  });

  it('keeps its windows at 2 significant digits, a sixth of the memory of the load generator’s 3', () => {
    const [two, three] = [createLatencyHistogram(2), createLatencyHistogram()];
    assert.ok(
      two.estimatedFootprintInBytes * 6 < three.estimatedFootprintInBytes,
      `${two.estimatedFootprintInBytes} B against ${three.estimatedFootprintInBytes} B`,
    );
    const percentiles = new Percentiles(new ManualClock(0));
    for (let ms = 100; ms < 101; ms += 0.01) percentiles.record(ms);
    near(percentiles.snapshot().p50, 100.5);
  });

  it('records values beyond an hour as an hour and negative ones as zero', () => {
    const percentiles = new Percentiles(new ManualClock(0));
    percentiles.record(10 * 3_600_000);
    percentiles.record(-3);
    const snapshot = percentiles.snapshot();
    assert.equal(snapshot.count, 2);
    near(snapshot.max, 3_600_000);
  });
});
