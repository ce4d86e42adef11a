import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStoreUnavailableError } from '../errors/index.js';
import { createBreaker } from '../tps/jidoka/index.js';
import { signalRecord } from './signalRecord.js';
import { GuardedStatusStore } from './GuardedStatusStore.js';
import { createMemoryStatusStore } from './memory/index.js';
import type { StatusStore } from './StatusStore.js';

const breaker = () =>
  createBreaker({
    name: 'database',
    threshold: 2,
    resetMs: 60_000,
    halfOpenProbes: 1,
    probeTimeoutMs: 1_000,
    slowCallMs: 10_000,
  });

/** A database that has gone away: every call fails as a dropped connection would. */
const unreachable: StatusStore = new Proxy({} as StatusStore, {
  get: () => () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
});

describe('GuardedStatusStore', () => {
  it('passes calls through to a working store', async () => {
    const store = new GuardedStatusStore(createMemoryStatusStore(), breaker());
    const record = signalRecord();
    assert.equal((await store.create(record)).created, true);
    assert.equal((await store.get(record.id))?.id, record.id);
  });

  it('turns failures into StoreUnavailableError, and fails fast once its breaker opens', async () => {
    const guard = breaker();
    const store = new GuardedStatusStore(unreachable, guard);
    for (let i = 0; i < 2; i++) {
      await assert.rejects(
        store.get('x'),
        (error) => isStoreUnavailableError(error) && /ECONNREFUSED/.test(error.message),
      );
    }
    assert.equal(guard.state, 'open');
    await assert.rejects(
      store.get('x'),
      (error) => isStoreUnavailableError(error) && /breaker is open/.test(error.message),
    );
  });
});
