import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../tps/clock.js';
import { describeStatusStoreConformance, signalRecord } from '../../../test/conformance/statusStore.js';
import { createMemoryStatusStore } from './MemoryStatusStore.js';

describeStatusStoreConformance('MemoryStatusStore', {
  create: (options) => Promise.resolve(createMemoryStatusStore(options)),
});

describe('MemoryStatusStore', () => {
  it('stays flat: 300 000 completed signals with maxRecords 10 000 never hold more than 10 000', async () => {
    const store = createMemoryStatusStore({ maxRecords: 10_000 });
    const completed = signalRecord({ status: 'completed', completed_at: new Date().toISOString() });
    let largest = 0;
    for (let i = 0; i < 300_000; i++) {
      await store.create({ ...completed, id: `flat-${i}` });
      if (i % 1_000 === 0) largest = Math.max(largest, await store.size());
    }
    largest = Math.max(largest, await store.size());
    assert.ok(largest <= 10_000, `held ${largest}`);
    assert.ok(await store.get('flat-299999'), 'the newest are kept');
    assert.equal(await store.get('flat-0'), undefined);
  });

  it('keeps every in-flight record even past maxRecords', async () => {
    const store = createMemoryStatusStore({ maxRecords: 10 });
    for (let i = 0; i < 50; i++)
      await store.create(signalRecord({ status: i % 2 === 0 ? 'queued' : 'completed' }));
    assert.equal(await store.size(), 25);
  });

  it('never serves an expired record, and counts none once their retention has passed', async () => {
    const clock = new ManualClock(0);
    const store = createMemoryStatusStore({ retentionMs: 1_000, clock });
    for (let i = 0; i < 500; i++) await store.create(signalRecord({ id: `old-${i}`, status: 'completed' }));
    clock.advance(1_000);
    await store.create(signalRecord({ id: 'fresh' }));
    assert.equal(await store.get('old-0'), undefined);
    assert.equal(await store.get('old-499'), undefined, 'an expired record is never served');
    assert.equal(await store.size(), 1);
  });

  it('hands out copies: changing a returned record does not change the store', async () => {
    const store = createMemoryStatusStore();
    const record = signalRecord();
    const { record: created } = await store.create(record);
    created.status = 'completed';
    const got = await store.get(record.id);
    assert.equal(got?.status, 'queued');
  });

  it('refuses a retention that cannot hold anything', () => {
    assert.throws(() => createMemoryStatusStore({ maxRecords: 0 }), RangeError);
    assert.throws(() => createMemoryStatusStore({ retentionMs: -1 }), RangeError);
  });

  it('keeps payloads within the byte budget, oldest dropped first, whatever arrives', async () => {
    const budget = 64 * 1024;
    const store = createMemoryStatusStore({ payloadBudgetBytes: budget });
    const text = 'x'.repeat(2_000);
    let largest = 0;
    for (let i = 0; i < 2_000; i++) {
      const status = i % 2 === 0 ? 'queued' : 'failed';
      await store.create(signalRecord({ id: `p-${i}`, status, payload: { text, i } }));
      largest = Math.max(largest, store.payloadRetention().retained_bytes);
    }
    assert.ok(largest <= budget, `retained ${largest} bytes over a budget of ${budget}`);
    const { retained, dropped_over_budget } = store.payloadRetention();
    assert.ok(retained >= 25 && retained <= 32, `kept ${retained} payloads of about 2 KB`);
    assert.equal(retained + dropped_over_budget, 2_000);
    assert.deepEqual((await store.get('p-1999'))?.payload, { text, i: 1_999 }, 'the newest are kept');
    assert.equal((await store.get('p-0'))?.payload, undefined, 'the oldest went');
    assert.equal((await store.get('p-0'))?.status, 'queued', 'the record itself stays');
  });

  it('lets a payload go once its signal completes or is dead-lettered, and counts it no more', async () => {
    const store = createMemoryStatusStore();
    await store.create(signalRecord({ id: 'done', status: 'queued', payload: { a: 'b' } }));
    await store.create(signalRecord({ id: 'dead', status: 'processing', payload: { a: 'b' } }));
    await store.create(signalRecord({ id: 'failed', status: 'processing', payload: { a: 'b' } }));
    assert.equal(store.payloadRetention().retained, 3);
    await store.update('done', { status: 'completed' });
    await store.update('dead', { status: 'dead_lettered' });
    await store.update('failed', { status: 'failed' });
    assert.equal((await store.get('done'))?.payload, undefined);
    assert.equal((await store.get('dead'))?.payload, undefined);
    assert.deepEqual((await store.get('failed'))?.payload, { a: 'b' }, 'a failed signal may be retried');
    assert.equal(store.payloadRetention().retained, 1);
    await store.delete('failed');
    assert.deepEqual([store.payloadRetention().retained, store.payloadRetention().retained_bytes], [0, 0]);
  });
});
