import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { QueueMessage } from '../../domain/signal.js';
import { QueueFullError } from '../../errors/index.js';
import { createBreaker } from '../../tps/jidoka/index.js';
import { waitFor } from '../../../test/support/waitFor.js';
import { createMemoryWorkQueue } from '../memory/index.js';
import type { WorkQueueLimits } from '../WorkQueue.js';
import { createFallbackWorkQueue } from './FallbackWorkQueue.js';

const limits: WorkQueueLimits = {
  maxDepth: 3,
  wipLimit: { fast: 10, slow: 10 },
  leaseMs: 5_000,
  maxDeliver: 3,
};
const message = (): QueueMessage => ({
  id: randomUUID(),
  lane: 'fast',
  signal_type: 'execute',
  payload: {},
  enqueued_at: Date.now(),
  generation: 0,
  trace_id: randomUUID().replaceAll('-', ''),
});

function setUp() {
  const primary = createMemoryWorkQueue(limits);
  const secondary = createMemoryWorkQueue(limits);
  const breaker = createBreaker({
    name: 'queue:primary',
    threshold: 2,
    resetMs: 100,
    halfOpenProbes: 1,
    probeTimeoutMs: 1_000,
    slowCallMs: 1_000,
  });
  const queue = createFallbackWorkQueue({ primary, secondary, primaryBreaker: breaker });
  return { primary, secondary, breaker, queue };
}

describe('FallbackWorkQueue', () => {
  it('publishes to the primary while it is up', async () => {
    const { primary, secondary, queue } = setUp();
    await queue.publish(message());
    assert.equal((await primary.stats()).fast.depth, 1);
    assert.equal((await secondary.stats()).fast.depth, 0);
    assert.deepEqual(queue.availability(), { available: true });
    await queue.close();
  });

  it('names the backend that carried each message, on its publish receipt and on its delivery (for traces)', async () => {
    // Memory queues standing in for the two brokers, under the brokers' names.
    const primary = createMemoryWorkQueue(limits);
    const secondary = createMemoryWorkQueue(limits);
    Object.defineProperty(primary, 'backend', { value: 'nats' });
    Object.defineProperty(secondary, 'backend', { value: 'rabbitmq' });
    const { breaker } = setUp();
    const queue = createFallbackWorkQueue({ primary, secondary, primaryBreaker: breaker });
    try {
      assert.equal((await queue.publish(message())).carrier, 'nats');
      assert.equal((await queue.receive('fast'))?.carrier, 'nats');
      primary.setAvailable(false, 'connection refused');
      assert.equal((await queue.publish(message())).carrier, 'rabbitmq');
      assert.equal((await queue.receive('fast'))?.carrier, 'rabbitmq');
    } finally {
      await queue.close();
    }
  });

  it('takes intake on the secondary while the primary is down, says so, and workers drain both', async () => {
    const { primary, secondary, queue } = setUp();
    const before = message();
    await queue.publish(before);
    primary.setAvailable(false, 'connection refused');
    const during = [message(), message()];
    for (const m of during) await queue.publish(m);
    assert.equal((await secondary.stats()).fast.depth, 2);
    const availability = queue.availability();
    assert.equal(availability.available, true);
    assert.equal(availability.fallbackActive, true);
    assert.match(String(availability.cause), /fallback active.*connection refused/);

    primary.setAvailable(true);
    const seen = new Set<string>();
    while (seen.size < 3) {
      const delivery = await queue.receive('fast', AbortSignal.timeout(2_000));
      assert.ok(delivery, 'a delivery from one of the backends');
      seen.add(delivery.message.id);
      await delivery.ack();
    }
    assert.deepEqual(seen, new Set([before.id, ...during.map((m) => m.id)]));
    await queue.close();
  });

  it('goes back to the primary once its breaker lets a probe through and it succeeds', async () => {
    const { primary, secondary, breaker, queue } = setUp();
    primary.setAvailable(false, 'down');
    for (let i = 0; i < 3; i++) await queue.publish(message());
    assert.equal(breaker.state, 'open');
    primary.setAvailable(true);
    await waitFor(() => breaker.probeDue(), { message: 'probe due' });
    await queue.publish(message());
    assert.equal(breaker.state, 'closed');
    assert.equal((await primary.stats()).fast.depth, 1);
    assert.equal((await secondary.stats()).fast.depth, 3);
    assert.deepEqual(queue.availability(), { available: true });
    await queue.close();
  });

  it('answers a full primary lane with QueueFullError instead of spilling onto the secondary', async () => {
    const { secondary, queue } = setUp();
    for (let i = 0; i < limits.maxDepth; i++) await queue.publish(message());
    await assert.rejects(queue.publish(message()), QueueFullError);
    assert.equal((await secondary.stats()).fast.depth, 0);
    await queue.close();
  });

  it('says it has no fallback while the secondary is down, though intake goes on', async () => {
    const { secondary, queue } = setUp();
    secondary.setAvailable(false, 'connection reset');
    await queue.publish(message());
    const availability = queue.availability();
    assert.equal(availability.available, true);
    assert.equal(availability.degraded, true);
    assert.match(String(availability.cause), /no fallback.*connection reset/);
    await queue.close();
  });

  it('sums the lanes of both backends in its stats', async () => {
    const { primary, queue } = setUp();
    await queue.publish(message());
    primary.setAvailable(false, 'down');
    await queue.publish(message());
    const stats = await queue.stats();
    assert.equal(stats.fast.depth, 2);
    assert.equal(stats.fast.capacity, limits.maxDepth);
    await queue.close();
  });
});
