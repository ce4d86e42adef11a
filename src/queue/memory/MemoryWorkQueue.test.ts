import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { waitFor } from '../../../test/support/waitFor.js';
import type { LaneName, QueueMessage } from '../../domain/signal.js';
import { isQueueFullError, isQueueUnavailableError } from '../../errors/queueErrors.js';
import { ManualClock } from '../../tps/clock.js';
import { describeWorkQueueConformance } from '../../../test/conformance/workQueue.js';
import type { Delivery, WorkQueueLimits } from '../WorkQueue.js';
import { createMemoryWorkQueue, type MemoryWorkQueue } from './MemoryWorkQueue.js';

describeWorkQueueConformance('MemoryWorkQueue', {
  create: (limits) => Promise.resolve(createMemoryWorkQueue(limits)),
});

const LIMITS: WorkQueueLimits = {
  maxDepth: 10,
  wipLimit: { fast: 5, slow: 5 },
  leaseMs: 1_000,
  maxDeliver: 2,
};

let seq = 0;
const message = (lane: LaneName = 'fast', overrides: Partial<QueueMessage> = {}): QueueMessage => ({
  id: `m${++seq}`,
  lane,
  signal_type: lane === 'fast' ? 'execute' : 'report',
  payload: {},
  enqueued_at: 0,
  generation: 0,
  trace_id: 'trace',
  ...overrides,
});

describe('MemoryWorkQueue', () => {
  const opened: MemoryWorkQueue[] = [];
  const open = (limits: Partial<WorkQueueLimits> = {}, clock?: ManualClock): MemoryWorkQueue => {
    const queue = createMemoryWorkQueue({ ...LIMITS, ...limits }, clock ? { clock } : {});
    opened.push(queue);
    return queue;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
  });

  it('says it is the memory backend and not durable', () => {
    const queue = open();
    assert.equal(queue.backend, 'memory');
    assert.equal(queue.durable, false);
  });

  it('refuses publish with QueueUnavailableError while unavailable, and says why', async () => {
    const queue = open();
    queue.setAvailable(false, 'chaos: queue-down');
    assert.deepEqual(queue.availability(), { available: false, cause: 'chaos: queue-down' });
    await assert.rejects(queue.publish(message()), (error: unknown) => {
      assert.ok(isQueueUnavailableError(error));
      assert.match(error.message, /chaos: queue-down/);
      return true;
    });
    queue.setAvailable(true);
    assert.deepEqual(queue.availability(), { available: true });
    assert.deepEqual(await queue.publish(message()), { duplicate: false });
  });

  it('hands out nothing while unavailable and serves the waiting receiver once it recovers', async () => {
    const queue = open();
    const sent = message();
    await queue.publish(sent);
    queue.setAvailable(false, 'down');
    let received: string | undefined;
    const waiting = queue.receive('fast').then((delivery) => {
      received = delivery?.message.id;
      return delivery;
    });
    assert.equal((await queue.stats()).fast.inflight, 0);
    assert.equal(received, undefined);
    queue.setAvailable(true);
    const delivery = await waiting;
    assert.equal(delivery?.message.id, sent.id);
    await delivery?.ack();
  });

  it('rejects ack and nak with QueueUnavailableError while unavailable, keeping the delivery', async () => {
    const queue = open();
    await queue.publish(message());
    const delivery = await queue.receive('fast');
    assert.ok(delivery);
    queue.setAvailable(false);
    await assert.rejects(delivery.ack(), isQueueUnavailableError);
    await assert.rejects(delivery.nak(), isQueueUnavailableError);
    assert.equal((await queue.stats()).fast.inflight, 1);
    queue.setAvailable(true);
    await delivery.ack();
    assert.equal((await queue.stats()).fast.inflight, 0);
  });

  it('ignores settling a delivery whose lease ran out: the redelivered copy owns the message', async () => {
    const clock = new ManualClock(0);
    const queue = open({ leaseMs: 1_000, maxDeliver: 5 }, clock);
    await queue.publish(message());
    const first = await queue.receive('fast');
    clock.advance(1_000);
    const second = await queue.receive('fast');
    assert.equal(second?.attempt, 2);
    await first?.ack();
    assert.equal((await queue.stats()).fast.inflight, 1);
    await second?.ack();
    assert.equal((await queue.stats()).fast.inflight, 0);
  });

  it('wakes a waiting receiver when its lane’s timer finds an expired lease', async () => {
    const queue = open({ leaseMs: 50 });
    const sent = message();
    await queue.publish(sent);
    await queue.receive('fast');
    let again: Delivery | undefined;
    void queue.receive('fast').then((delivery) => (again = delivery));
    const redelivered = await waitFor(() => again, { timeoutMs: 5_000, message: 'the redelivery' });
    assert.equal(redelivered.message.id, sent.id);
    assert.equal(redelivered.attempt, 2);
  });

  it('fires onDeadLetter when the lease timer dead-letters a message nobody is waiting for', async () => {
    const queue = open({ leaseMs: 50, maxDeliver: 1 });
    const seen: string[] = [];
    queue.onDeadLetter((deadLetter) => seen.push(deadLetter.message.id));
    const sent = message();
    await queue.publish(sent);
    await queue.receive('fast');
    await waitFor(() => seen.includes(sent.id), { timeoutMs: 5_000 });
    assert.equal((await queue.stats()).fast.deadLettered, 1);
  });

  it('lists dead letters across lanes newest first, up to the limit', async () => {
    const clock = new ManualClock(0);
    const queue = open({ maxDeliver: 1 }, clock);
    const sent = [message('fast'), message('slow'), message('fast')];
    for (const m of sent) {
      await queue.publish(m);
      await (await queue.receive(m.lane))?.nak();
      clock.advance(10);
    }
    const listed = await queue.listDeadLetters();
    assert.deepEqual(
      listed.map((d) => d.message.id),
      sent.map((m) => m.id).reverse(),
    );
    assert.deepEqual(
      (await queue.listDeadLetters(2)).map((d) => d.message.id),
      [sent[2]?.id, sent[1]?.id],
    );
  });

  it('replays only the dead letters that fit under maxDepth and keeps the others', async () => {
    const queue = open({ maxDeliver: 1, maxDepth: 2 });
    const sent = [message(), message(), message()];
    for (const m of sent) {
      await queue.publish(m);
      await (await queue.receive('fast'))?.nak();
    }
    await queue.publish(message());
    const moved = await queue.replayDeadLetters();
    assert.deepEqual(
      moved.map((d) => d.message.id),
      [sent[0]?.id],
    );
    assert.equal((await queue.stats()).fast.deadLettered, 2);
    await assert.rejects(queue.publish(message()), isQueueFullError);
  });

  it('refuses publish after close', async () => {
    const queue = open();
    await queue.close();
    await assert.rejects(queue.publish(message()), isQueueUnavailableError);
  });

  it('serves only the lanes it was built for', async () => {
    const queue = createMemoryWorkQueue(LIMITS, { lanes: ['slow'] });
    opened.push(queue);
    assert.deepEqual(Object.keys(await queue.stats()), ['slow']);
    await assert.rejects(queue.publish(message('fast')), RangeError);
  });
});
