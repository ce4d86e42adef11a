import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shareCapacity, type PoolDemand } from './shareCapacity.js';

const pools = (fast: number, slow: number): PoolDemand[] => [
  { name: 'fast', min: 2, max: 10, demand: fast },
  { name: 'slow', min: 2, max: 10, demand: slow },
];
const total = (ceilings: Record<string, number>) => Object.values(ceilings).reduce((sum, n) => sum + n, 0);

describe('shareCapacity', () => {
  it('leaves every pool its own max when the budget covers all maxes', () => {
    assert.deepEqual(shareCapacity(pools(50, 50), 20), { fast: 10, slow: 10 });
  });

  it('lends the spare workers of an idle lane to a flooded one, keeping the idle lane its min', () => {
    assert.deepEqual(shareCapacity(pools(0, 100), 12), { fast: 2, slow: 10 });
  });

  it('splits the spare workers in proportion to what each lane could use when both are busy', () => {
    const ceilings = shareCapacity(pools(6, 18), 12);
    assert.equal(total(ceilings), 12);
    assert.deepEqual(ceilings, { fast: 4, slow: 8 });
  });

  it('gives back what a lane borrowed once the other lane’s work arrives', () => {
    const flood = shareCapacity(pools(0, 100), 12);
    const both = shareCapacity(pools(100, 100), 12);
    assert.ok(both.slow! < flood.slow!);
    assert.deepEqual(both, { fast: 6, slow: 6 });
  });

  it('splits what nobody needs evenly, so an idle lane can still grow', () => {
    assert.deepEqual(shareCapacity(pools(0, 0), 12), { fast: 6, slow: 6 });
    assert.deepEqual(shareCapacity(pools(3, 0), 12), { fast: 7, slow: 5 }, 'the one fast wants, then 3 + 4');
  });

  it('never adds up past the budget or goes outside a pool’s bounds', () => {
    for (let budget = 4; budget <= 24; budget++) {
      for (const [fast, slow] of [
        [0, 0],
        [1, 50],
        [7, 3],
        [30, 30],
        [2, 2],
      ] as const) {
        const ceilings = shareCapacity(pools(fast, slow), budget);
        assert.ok(total(ceilings) <= budget, `budget ${budget}, demand ${fast}/${slow}`);
        for (const pool of pools(fast, slow)) {
          assert.ok(ceilings[pool.name]! >= pool.min && ceilings[pool.name]! <= pool.max);
        }
      }
    }
  });

  it('refuses a budget below the sum of the mins', () => {
    assert.throws(() => shareCapacity(pools(1, 1), 3), /below the pools' mins \(4\)/);
  });
});
