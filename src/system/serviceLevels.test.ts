import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/index.js';
import { ManualClock } from '../tps/clock.js';
import { createServiceLevels } from './serviceLevels.js';

describe('service levels', () => {
  it('counts a lead time equal to the objective as good, one millisecond more as bad', () => {
    const config = loadConfig({ SLO_FAST_LEAD_MS: '250', SLO_FAST_TARGET: '0.5' });
    const levels = createServiceLevels(config, new ManualClock(0));
    levels.completed('fast', 250);
    levels.completed('fast', 251);
    levels.completed('slow', 9_000);
    const [availability, fast, slow] = levels.snapshots();
    assert.deepEqual(availability?.events, { good: 0, total: 0 });
    assert.equal(fast?.name, 'fast-lead-time');
    assert.deepEqual(fast?.events, { good: 1, total: 2 });
    assert.equal(fast?.target, 0.5);
    assert.match(fast?.objective ?? '', /within 250 ms/);
    assert.deepEqual(slow?.events, { good: 1, total: 1 }, 'the slow lane keeps its 10 s default');
  });

  it('refuses an SLO target that is not a share, naming the variable', () => {
    assert.throws(
      () => loadConfig({ SLO_AVAILABILITY_TARGET: '1' }),
      /SLO_AVAILABILITY_TARGET="1" is not valid/,
    );
  });
});
