import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, describe, it } from 'node:test';
import { waitFor } from '../support/waitFor.js';
import type { SignalRecord } from '../../src/domain/signal.js';
import { ManualClock, systemClock, type Clock } from '../../src/tps/clock.js';
import { signalRecord } from '../../src/store/signalRecord.js';
import type { StatusStore } from '../../src/store/StatusStore.js';

export { signalRecord };

export interface StatusStoreRetention {
  maxRecords: number;
  retentionMs: number;
  clock: Clock;
}

export interface StatusStoreHarness {
  /** A store holding none of the ids the suite makes up; it honours whatever retention options it is given. */
  create(options?: Partial<StatusStoreRetention>): Promise<StatusStore>;
  /**
   * False when the store keeps its own time (a database's `now()`) and ignores `clock`: the retention cases
   * then use a short retention and wait for it in real time. Default true.
   */
  followsClock?: boolean;
  cleanup?(): Promise<void>;
}

const TEST_TIMEOUT_MS = 30_000;
const REAL_TIME_RETENTION_MS = 300;

/**
 * The StatusStore contract, run unchanged against every adapter. Ids are random, so adapters may share
 * one database between tests.
 */
export function describeStatusStoreConformance(name: string, harness: StatusStoreHarness): void {
  describe(`${name}: StatusStore conformance`, { timeout: TEST_TIMEOUT_MS * 10 }, () => {
    const opened: StatusStore[] = [];
    const followsClock = harness.followsClock ?? true;

    const open = async (options: Partial<StatusStoreRetention> = {}): Promise<StatusStore> => {
      const store = await harness.create(options);
      opened.push(store);
      return store;
    };

    /** The clock to hand the store, and a way to move it (a no-op for stores that keep their own time). */
    const time = () => {
      if (!followsClock) return { clock: systemClock, tick: (_ms?: number) => undefined };
      const clock = new ManualClock(Date.now());
      return { clock, tick: (ms = 1) => void clock.advance(ms) };
    };

    /** A store with the given retention (shortened for stores that keep their own time). */
    const withRetention = async (retentionMs: number) => {
      const { clock, tick } = time();
      const effectiveMs = followsClock ? retentionMs : Math.min(retentionMs, REAL_TIME_RETENTION_MS);
      const store = await open({ retentionMs: effectiveMs, clock });
      /** Lets the retention time pass from now, checking a record that ended now is kept until then and no longer. */
      const outlive = async (id: string): Promise<void> => {
        if (followsClock) {
          tick(effectiveMs - 1);
          assert.ok(await store.get(id), `${id} kept until its retention has passed`);
          tick(1);
          assert.equal(await store.get(id), undefined, `${id} outlived its retention`);
          return;
        }
        await waitFor(async () => (await store.get(id)) === undefined, {
          timeoutMs: effectiveMs * 10 + 5_000,
          message: `${id} to be forgotten after its retention`,
        });
      };
      return { store, tick, outlive };
    };

    const test = (title: string, body: () => Promise<void>): void => {
      it(title, { timeout: TEST_TIMEOUT_MS }, body);
    };

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    after(async () => {
      await harness.cleanup?.();
    });

    test('creates a record once per id, and returns the stored one when the id comes again', async () => {
      const store = await open();
      const record = signalRecord();
      assert.deepEqual(await store.create(record), { record, created: true });
      const again = await store.create({ ...record, status: 'failed', attempts: 4, error: 'other' });
      assert.deepEqual(again, { record, created: false });
      assert.deepEqual(await store.get(record.id), record);
    });

    test('keeps every field as given, optional ones included', async () => {
      const store = await open();
      const record = signalRecord({
        signal_type: 'analyze',
        lane: 'slow',
        status: 'failed',
        attempts: 3,
        started_at: '2024-05-01T10:00:01.250Z',
        completed_at: '2024-05-01T10:00:02.500Z',
        error: 'downstream service-b answered 503',
        deadline: 1_714_557_610_000,
        timeout_ms: 10_000,
        payload: {
          order: 'A-17',
          amount: 12.5,
          tags: ['x', 'y'],
          nested: { ok: true, none: null },
          text: 'ünï',
        },
        generation: 2,
      });
      assert.deepEqual(await store.create(record), { record, created: true });
      assert.deepEqual(await store.get(record.id), record);
    });

    test('clears an optional field that a patch sets to undefined, and keeps the fields it does not name', async () => {
      const store = await open();
      const record = signalRecord({
        status: 'processing',
        attempts: 1,
        started_at: new Date().toISOString(),
        error: 'downstream service-c timed out',
        deadline: Date.now() + 60_000,
        timeout_ms: 60_000,
        payload: { work_ms: 5 },
      });
      await store.create(record);
      const completedAt = new Date().toISOString();
      // Failed, not completed: a store may let go of a completed signal's payload (see StatusStore).
      const updated = await store.update(record.id, {
        status: 'failed',
        completed_at: completedAt,
        error: undefined,
      });
      for (const stored of [updated, await store.get(record.id)]) {
        assert.ok(stored);
        assert.equal(stored.error, undefined, 'the error is cleared');
        const { error: _error, ...rest } = stored;
        const { error: _was, ...kept } = record;
        assert.deepEqual(rest, { ...kept, status: 'failed', completed_at: completedAt });
      }
    });

    test('answers undefined for an unknown id', async () => {
      const store = await open();
      assert.equal(await store.get(randomUUID()), undefined);
    });

    test('applies a patch and returns the whole updated record', async () => {
      const store = await open();
      const record = signalRecord();
      await store.create(record);
      const startedAt = new Date().toISOString();
      const updated = await store.update(record.id, {
        status: 'processing',
        attempts: 1,
        started_at: startedAt,
      });
      const expected: SignalRecord = { ...record, status: 'processing', attempts: 1, started_at: startedAt };
      assert.deepEqual(updated, expected);
      assert.deepEqual(await store.get(record.id), expected);
    });

    test('answers undefined to an update of an unknown id, and creates nothing', async () => {
      const store = await open();
      const id = randomUUID();
      assert.equal(await store.update(id, { status: 'completed' }), undefined);
      assert.equal(await store.get(id), undefined);
    });

    test('deletes a record, and deleting an unknown id is harmless', async () => {
      const store = await open();
      const record = signalRecord();
      await store.create(record);
      await store.delete(record.id);
      assert.equal(await store.get(record.id), undefined);
      await store.delete(randomUUID());
      assert.deepEqual((await store.create(record)).created, true);
    });

    test('counts what it holds', async () => {
      const store = await open();
      const before = await store.size();
      await store.create(signalRecord());
      await store.create(signalRecord());
      assert.equal(await store.size(), before + 2);
    });

    test('forgets a terminal record once the retention time has passed since it ended', async () => {
      const { store, tick, outlive } = await withRetention(60_000);
      const record = signalRecord();
      await store.create(record);
      tick(120_000);
      await store.update(record.id, { status: 'completed', completed_at: new Date().toISOString() });
      await outlive(record.id);
    });

    test('never forgets records still in flight, however old', async () => {
      const { store, tick, outlive } = await withRetention(60_000);
      const queued = signalRecord();
      const processing = signalRecord({ status: 'processing', started_at: new Date().toISOString() });
      const done = signalRecord({ status: 'completed', completed_at: new Date().toISOString() });
      for (const record of [queued, processing, done]) await store.create(record);
      await outlive(done.id);
      tick(10 * 60_000);
      await store.create(signalRecord());
      assert.deepEqual(await store.get(queued.id), queued);
      assert.deepEqual(await store.get(processing.id), processing);
    });

    test('keeps a record that was retried back into the queue', async () => {
      const { store, outlive } = await withRetention(60_000);
      const record = signalRecord({ status: 'failed', error: 'boom' });
      const done = signalRecord({ status: 'completed' });
      await store.create(record);
      await store.update(record.id, { status: 'queued', generation: 1 });
      await store.create(done);
      await outlive(done.id);
      assert.equal((await store.get(record.id))?.status, 'queued');
    });

    test('over maxRecords forgets the oldest terminal records first, and never one in flight', async () => {
      const { clock, tick } = time();
      const store = await open({ maxRecords: 3, retentionMs: 24 * 3_600_000, clock });
      const inFlight = [signalRecord(), signalRecord({ status: 'processing' })];
      const oldest = signalRecord({ status: 'completed' });
      const newer = signalRecord({ status: 'dead_lettered' });
      for (const record of [...inFlight, oldest, newer]) {
        await store.create(record);
        tick();
      }
      await waitFor(async () => (await store.get(oldest.id)) === undefined, { message: 'the oldest to go' });
      assert.ok(await store.get(newer.id), 'the newer terminal record stays while the store fits');

      const more = [signalRecord(), signalRecord()];
      for (const record of more) {
        await store.create(record);
        tick();
      }
      await waitFor(async () => (await store.get(newer.id)) === undefined, {
        message: 'the newer one to go',
      });
      for (const record of [...inFlight, ...more]) assert.deepEqual(await store.get(record.id), record);
    });
  });
}
