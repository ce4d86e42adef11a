import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { budgetMarginMs, callBudgetMs, deadlineFrom } from './callBudget.js';

describe('callBudget', () => {
  it('uses the own timeout when the request brought no deadline', () => {
    assert.equal(callBudgetMs(2000, undefined, 1_000), 2000);
  });

  it('uses what is left of the deadline less the margin when that is shorter', () => {
    // 198 ms left: margin 10 ms (5 % rounded), so 188 ms for the next call.
    assert.equal(callBudgetMs(200, 1_198, 1_000), 188);
    // 100 ms left: margin 5 ms.
    assert.equal(callBudgetMs(2000, 1_100, 1_000), 95);
  });

  it('keeps the own timeout when the deadline is further off', () => {
    assert.equal(callBudgetMs(200, 10_000, 1_000), 200);
  });

  it('has nothing left (≤ 0) once the deadline is within the margin or past', () => {
    assert.ok(callBudgetMs(200, 1_001, 1_000) <= 0);
    assert.ok(callBudgetMs(200, 900, 1_000) <= 0);
  });

  it('keeps a margin of 1 to 10 ms', () => {
    assert.equal(budgetMarginMs(0), 1);
    assert.equal(budgetMarginMs(60), 3);
    assert.equal(budgetMarginMs(60_000), 10);
  });

  it('reads the header as ms left from arrival, and refuses a value that is not whole ms', () => {
    assert.equal(deadlineFrom(undefined, 5_000), undefined);
    assert.equal(deadlineFrom('250', 5_000), 5_250);
    assert.equal(deadlineFrom(['0'], 5_000), 5_000);
    assert.throws(
      () => deadlineFrom('-3', 5_000),
      /tps-budget-ms must be a whole number of ms ≥ 0, got '-3'/,
    );
    assert.throws(() => deadlineFrom('1.5', 5_000), RangeError);
    assert.throws(() => deadlineFrom('soon', 5_000), RangeError);
  });
});
