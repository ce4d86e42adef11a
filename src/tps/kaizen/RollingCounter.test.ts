import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock.js';
import { RollingCounter } from './RollingCounter.js';

describe('RollingCounter', () => {
  it('sums counts per key', () => {
    const counter = new RollingCounter<'ok' | 'error'>(new ManualClock(0));
    counter.add('ok');
    counter.add('ok', 4);
    counter.add('error', 2);
    assert.equal(counter.sum('ok'), 5);
    assert.equal(counter.sum('error'), 2);
  });

  it('answers 0 for a key never counted', () => {
    assert.equal(new RollingCounter(new ManualClock(0)).sum('nothing'), 0);
  });

  it('slides: counts leave the window one bucket at a time', () => {
    const clock = new ManualClock(0);
    const counter = new RollingCounter(clock, { windowMs: 60_000, buckets: 60 });
    counter.add('ok', 10);
    clock.set(30_500);
    counter.add('ok', 5);
    clock.set(59_999);
    assert.equal(counter.sum('ok'), 15);
    clock.set(60_000);
    assert.equal(counter.sum('ok'), 5, 'the first second has left the window');
    clock.set(91_000);
    assert.equal(counter.sum('ok'), 0);
  });

  it('sums a shorter span of the window on request, in whole buckets', () => {
    const clock = new ManualClock(0);
    const counter = new RollingCounter(clock, { windowMs: 60_000, buckets: 6 });
    counter.add('ok', 1);
    clock.set(30_000);
    counter.add('ok', 10);
    clock.set(55_000);
    counter.add('ok', 100);
    assert.equal(counter.sum('ok', 10_000), 100, 'the current bucket only');
    assert.equal(counter.sum('ok', 25_000), 110, 'three buckets: 30 s to 60 s');
    assert.equal(counter.sum('ok', 1), 100, 'at least the current bucket');
    assert.equal(counter.sum('ok', 3_600_000), 111, 'never more than the window');
  });

  it('does not carry an old count into a reused bucket', () => {
    const clock = new ManualClock(0);
    const counter = new RollingCounter(clock, { windowMs: 10_000, buckets: 10 });
    counter.add('ok', 100);
    clock.set(10_000);
    counter.add('ok', 1);
    assert.equal(counter.sum('ok'), 1);
  });

  it('gives a rate per second over the full window once it is older than the window', () => {
    const clock = new ManualClock(0);
    const counter = new RollingCounter(clock, { windowMs: 10_000, buckets: 10 });
    for (let second = 0; second < 20; second++) {
      counter.add('ok', 50);
      clock.advance(1000);
    }
    assert.equal(counter.rate('ok'), 50);
  });

  it('gives a rate over its age while younger than the window', () => {
    const clock = new ManualClock(5_000);
    const counter = new RollingCounter(clock, { windowMs: 60_000, buckets: 60 });
    counter.add('ok', 100);
    clock.advance(2_000);
    assert.equal(counter.rate('ok'), 50);
  });

  it('divides sums of keys into a ratio, undefined when the denominator is empty', () => {
    const counter = new RollingCounter(new ManualClock(0));
    assert.equal(counter.ratio('error', ['ok', 'error']), undefined);
    counter.add('ok', 3);
    counter.add('error', 1);
    assert.equal(counter.ratio('error', ['ok', 'error']), 0.25);
    assert.equal(counter.ratio(['ok'], 'ok'), 1);
  });

  it('lists every key with its sum in the window', () => {
    const clock = new ManualClock(0);
    const counter = new RollingCounter(clock, { windowMs: 1000, buckets: 1 });
    counter.add('a', 2);
    clock.advance(1000);
    counter.add('b');
    assert.deepEqual(
      [...counter.sums()],
      [
        ['a', 0],
        ['b', 1],
      ],
    );
  });
});
