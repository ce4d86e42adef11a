import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { taktAndCycle } from './taktAndCycle.js';

describe('taktAndCycle', () => {
  it('keeps up when signals complete as often as they arrive', () => {
    assert.deepEqual(taktAndCycle(10, 10), { takt_ms: 100, cycle_ms: 100, keeping_up: true });
    assert.equal(taktAndCycle(10, 9.7).keeping_up, true, 'within a few per cent is the same pace');
  });

  it('falls behind when the cycle time is longer than the takt time', () => {
    assert.deepEqual(taktAndCycle(20, 8), { takt_ms: 50, cycle_ms: 125, keeping_up: false });
  });

  it('does not keep up when signals arrive and none complete', () => {
    assert.deepEqual(taktAndCycle(5, 0), { takt_ms: 200, cycle_ms: null, keeping_up: false });
  });

  it('has no takt without demand, and keeps up trivially', () => {
    assert.deepEqual(taktAndCycle(0, 0), { takt_ms: null, cycle_ms: null, keeping_up: true });
  });

  it('cannot judge where the completions happen in another process', () => {
    assert.deepEqual(taktAndCycle(10, 0, false), { takt_ms: 100, cycle_ms: null, keeping_up: null });
  });
});
