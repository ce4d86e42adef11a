import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './clock.js';

describe('ManualClock', () => {
  it('moves only when advanced', () => {
    const clock = new ManualClock(1000);
    assert.equal(clock.now(), 1000);
    assert.equal(clock.advance(250), 1250);
    assert.equal(clock.now(), 1250);
  });
});
