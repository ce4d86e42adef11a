import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EffectLedger } from './EffectLedger.js';

describe('EffectLedger', () => {
  it('applies an id once and counts the repeats', () => {
    const ledger = new EffectLedger();
    assert.equal(ledger.apply('a'), true);
    assert.equal(ledger.apply('a'), false);
    assert.equal(ledger.apply('b'), true);
    assert.deepEqual(ledger.counts(), { applied: 2, duplicates: 1 });
  });

  it('forgets the oldest ids beyond its capacity', () => {
    const ledger = new EffectLedger(2);
    for (const id of ['a', 'b', 'c']) ledger.apply(id);
    assert.equal(ledger.has('a'), false);
    assert.equal(ledger.has('c'), true);
  });
});
