import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plannedCount, sendTimes } from './schedule.js';

describe('sendTimes', () => {
  it('spaces a fixed rate evenly from time 0 and stops before the duration', () => {
    assert.deepEqual([...sendTimes(4, 1000)], [0, 250, 500, 750]);
    assert.equal(plannedCount(4, 1000), 4);
  });

  it('plans the same count it yields for rates that do not divide the duration', () => {
    for (const rate of [3, 7, 333, 1234.5]) {
      assert.equal([...sendTimes(rate, 2000)].length, plannedCount(rate, 2000), `rate ${rate}`);
    }
  });

  it('follows a ramp: more sends where the rate is higher', () => {
    const times = [...sendTimes((elapsed) => (elapsed < 1000 ? 10 : 100), 2000)];
    assert.equal(times.filter((t) => t < 1000).length, 10);
    assert.equal(times.filter((t) => t >= 1000).length, 100);
    assert.equal(
      plannedCount((elapsed) => (elapsed < 1000 ? 10 : 100), 2000),
      110,
    );
  });

  it('sends nothing while a ramp is at zero and resumes when it rises', () => {
    const times = [...sendTimes((elapsed) => (elapsed < 500 ? 0 : 10), 1000)];
    assert.equal(times.length, 5);
    assert.ok((times[0] ?? 0) >= 500);
  });
});
