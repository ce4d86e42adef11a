import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryAfterSeconds } from './retryAfter.js';

describe('retryAfterSeconds', () => {
  it('is the time to drain the lane at its current rate, rounded up', () => {
    assert.equal(retryAfterSeconds(100, 40), 3);
  });

  it('is at least one second', () => {
    assert.equal(retryAfterSeconds(0, 40), 1);
    assert.equal(retryAfterSeconds(5, 1_000), 1);
  });

  it('is the ceiling when nothing drains, and never above it', () => {
    assert.equal(retryAfterSeconds(10, 0), 60);
    assert.equal(retryAfterSeconds(10, Number.NaN), 60);
    assert.equal(retryAfterSeconds(10_000, 1), 60);
    assert.equal(retryAfterSeconds(10_000, 1, 30), 30);
  });
});
