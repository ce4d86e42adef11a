import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProbationBreaker } from './ProbationBreaker.js';

describe('ProbationBreaker', () => {
  it('asks to open after threshold consecutive failures, as ConsecutiveBreaker does', () => {
    const strategy = new ProbationBreaker(3, 2, () => undefined);
    assert.equal(strategy.failure(), false);
    assert.equal(strategy.failure(), false);
    strategy.success();
    assert.equal(strategy.failure(), false);
    assert.equal(strategy.failure(), false);
    assert.equal(strategy.failure(), true);
    assert.deepEqual(strategy.state, { phase: 'open', consecutiveFailures: 3, probesRemaining: 0 });
  });

  it('reports the probes passed only after the last of them succeeds', () => {
    let passed = 0;
    const strategy = new ProbationBreaker(1, 3, () => passed++);
    strategy.failure();
    strategy.beginProbing();
    strategy.success();
    strategy.success();
    assert.equal(passed, 0);
    assert.equal(strategy.state.probesRemaining, 1);
    strategy.success();
    assert.equal(passed, 1);
    assert.equal(strategy.state.phase, 'counting');
  });

  it('asks to open on the first failure during probation, even while the circuit is closed', () => {
    const strategy = new ProbationBreaker(10, 3, () => undefined);
    strategy.beginProbing();
    strategy.success();
    assert.equal(strategy.failure(), true);
    assert.equal(strategy.state.phase, 'open');
  });

  it('ignores answers from calls that started before the circuit opened', () => {
    let passed = 0;
    const strategy = new ProbationBreaker(1, 1, () => passed++);
    strategy.failure();
    strategy.success();
    assert.equal(strategy.failure(), false);
    assert.equal(passed, 0);
    assert.equal(strategy.state.phase, 'open');
    assert.equal(strategy.totalSuccesses, 1);
    assert.equal(strategy.totalFailures, 2);
  });

  it('restores the state cockatiel serialises', () => {
    const strategy = new ProbationBreaker(5, 3, () => undefined);
    strategy.state = { phase: 'probing', consecutiveFailures: 0, probesRemaining: 1 };
    let passed = false;
    const restored = new ProbationBreaker(5, 3, () => (passed = true));
    restored.state = strategy.state;
    restored.success();
    assert.equal(passed, true);
  });
});
