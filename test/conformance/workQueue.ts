import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, afterEach, describe, it } from 'node:test';
import { waitFor } from '../support/waitFor.js';
import type { LaneName, QueueMessage } from '../../src/domain/signal.js';
import { isQueueFullError, isUnserialisablePayloadError } from '../../src/errors/queueErrors.js';
import { isTrippingFailure } from '../../src/tps/jidoka/isTrippingFailure.js';
import type {
  DeadLetter,
  Delivery,
  LaneStats,
  WorkQueue,
  WorkQueueLimits,
} from '../../src/queue/WorkQueue.js';

export interface WorkQueueHarness {
  /** A fresh queue whose lanes hold nothing yet (a unique stream or queue name per call for brokers). */
  create(limits: WorkQueueLimits): Promise<WorkQueue>;
  cleanup?(): Promise<void>;
}

/** Small, but not below what a real broker can honour (JetStream and RabbitMQ leases are not precise under ~500 ms). */
const LIMITS: WorkQueueLimits = {
  maxDepth: 10,
  wipLimit: { fast: 5, slow: 5 },
  leaseMs: 500,
  maxDeliver: 3,
};

/** Long enough for any backend to hand over a message that is there. */
const ARRIVAL_MS = 5_000;
const TEST_TIMEOUT_MS = 30_000;

const message = (lane: LaneName, overrides: Partial<QueueMessage> = {}): QueueMessage => ({
  id: randomUUID(),
  lane,
  signal_type: lane === 'fast' ? 'execute' : 'report',
  payload: { note: 'conformance', n: 1 },
  enqueued_at: Date.now(),
  generation: 0,
  trace_id: randomBytes(16).toString('hex'),
  ...overrides,
});

/** Unlike `AbortSignal.timeout`, the timer here keeps the process alive while the receive waits. */
const receiveWithin = async (queue: WorkQueue, lane: LaneName, ms: number): Promise<Delivery | undefined> => {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), ms);
  try {
    return await queue.receive(lane, deadline.signal);
  } finally {
    clearTimeout(timer);
  }
};

const mustReceive = async (queue: WorkQueue, lane: LaneName): Promise<Delivery> => {
  const delivery = await receiveWithin(queue, lane, ARRIVAL_MS);
  assert.ok(delivery, `expected a delivery on lane ${lane} within ${ARRIVAL_MS} ms`);
  return delivery;
};

/** Absence can only be shown by waiting: this waits `ms` for a delivery that must not come. */
const nothingWithin = async (queue: WorkQueue, lane: LaneName, ms: number): Promise<void> => {
  const delivery = await receiveWithin(queue, lane, ms);
  assert.equal(delivery?.message.id, undefined, `expected no delivery on lane ${lane} within ${ms} ms`);
};

const statsMatch = (queue: WorkQueue, lane: LaneName, expected: Partial<LaneStats>) =>
  waitFor(
    async () => {
      const stats = (await queue.stats())[lane];
      assert.deepEqual(pick(stats, Object.keys(expected) as (keyof LaneStats)[]), expected);
      return true;
    },
    { message: `stats of lane ${lane} to be ${JSON.stringify(expected)}` },
  );

const pick = (stats: LaneStats, keys: (keyof LaneStats)[]): Partial<LaneStats> =>
  Object.fromEntries(keys.map((key) => [key, stats[key]]));

/**
 * The WorkQueue contract, run unchanged against every adapter. Each test gets a fresh queue and unique
 * message ids; waits are on conditions with deadlines, except where only waiting can show that nothing comes.
 */
export function describeWorkQueueConformance(name: string, harness: WorkQueueHarness): void {
  describe(`${name}: WorkQueue conformance`, { timeout: TEST_TIMEOUT_MS * 10 }, () => {
    const opened: WorkQueue[] = [];
    const open = async (limits: Partial<WorkQueueLimits> = {}): Promise<WorkQueue> => {
      const queue = await harness.create({ ...LIMITS, ...limits });
      opened.push(queue);
      return queue;
    };
    const test = (title: string, body: () => Promise<void>): void => {
      it(title, { timeout: TEST_TIMEOUT_MS }, body);
    };

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((queue) => queue.close()));
    });
    after(async () => {
      await harness.cleanup?.();
    });

    test('hands a published message to a receiver and forgets it once acked', async () => {
      const queue = await open();
      const sent = message('fast');
      assert.deepEqual(await queue.publish(sent), { duplicate: false });
      const delivery = await mustReceive(queue, 'fast');
      assert.deepEqual(delivery.message, sent);
      assert.equal(delivery.attempt, 1);
      await delivery.ack();
      await statsMatch(queue, 'fast', { depth: 0, inflight: 0 });
      await nothingWithin(queue, 'fast', LIMITS.leaseMs * 2);
    });

    test('carries a message’s trace context to its delivery and through a redelivery', async () => {
      const queue = await open();
      const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
      const sent = message('fast', { traceparent });
      await queue.publish(sent);
      const first = await mustReceive(queue, 'fast');
      assert.equal(first.message.traceparent, traceparent);
      await first.nak(0);
      const again = await mustReceive(queue, 'fast');
      assert.deepEqual(again.message, sent);
      await again.ack();
    });

    test('refuses a message it cannot serialise as the caller’s fault, and takes the next one', async () => {
      const queue = await open();
      let deep: unknown = [];
      for (let i = 0; i < 10_000; i++) deep = [deep];
      const throwing = {
        get boom(): never {
          throw new Error('a getter that throws');
        },
      };
      for (const payload of [{ deep }, throwing, { big: 10n }]) {
        const error = await queue.publish(message('fast', { payload })).then(
          () => undefined,
          (refusal: unknown) => refusal,
        );
        assert.ok(
          isUnserialisablePayloadError(error),
          `expected UnserialisablePayloadError, got ${String(error)}`,
        );
        assert.equal(isTrippingFailure(error), false);
      }
      assert.equal(queue.availability().available, true);
      await statsMatch(queue, 'fast', { depth: 0, inflight: 0 });
      const sent = message('fast');
      await queue.publish(sent);
      const delivery = await mustReceive(queue, 'fast');
      assert.equal(delivery.message.id, sent.id);
      await delivery.ack();
    });

    test('hands each message to exactly one of several waiting receivers', async () => {
      const queue = await open();
      const stop = new AbortController();
      const receivers = [1, 2, 3].map(() => queue.receive('fast', stop.signal));
      const sent = [message('fast'), message('fast')];
      for (const m of sent) await queue.publish(m);
      await waitFor(async () => (await queue.stats()).fast.inflight === 2, { message: 'two deliveries out' });
      stop.abort();
      const got = (await Promise.all(receivers)).filter((delivery) => delivery !== undefined);
      assert.deepEqual(got.map((delivery) => delivery.message.id).sort(), sent.map((m) => m.id).sort());
      await Promise.all(got.map((delivery) => delivery.ack()));
    });

    test('delivers a lane’s messages in the order they were published', async () => {
      const queue = await open();
      const sent = [1, 2, 3, 4, 5].map((n) => message('fast', { payload: { n } }));
      for (const m of sent) await queue.publish(m);
      const received: string[] = [];
      for (let i = 0; i < sent.length; i++) {
        const delivery = await mustReceive(queue, 'fast');
        received.push(delivery.message.id);
        await delivery.ack();
      }
      assert.deepEqual(
        received,
        sent.map((m) => m.id),
      );
    });

    test('keeps lanes independent: a full fast lane neither blocks nor feeds the slow one', async () => {
      const queue = await open({ maxDepth: 2 });
      const fast = [message('fast'), message('fast')];
      for (const m of fast) await queue.publish(m);
      await assert.rejects(queue.publish(message('fast')), isQueueFullError);
      const slow = message('slow');
      assert.deepEqual(await queue.publish(slow), { duplicate: false });
      const fromSlow = await mustReceive(queue, 'slow');
      assert.equal(fromSlow.message.id, slow.id);
      await fromSlow.ack();
      const fromFast = await mustReceive(queue, 'fast');
      assert.equal(fromFast.message.id, fast[0]?.id);
      await fromFast.ack();
    });

    test('rejects a publish into a full lane with QueueFullError, and accepts again once drained', async () => {
      const queue = await open({ maxDepth: 3 });
      for (let i = 0; i < 3; i++) await queue.publish(message('fast'));
      await assert.rejects(queue.publish(message('fast')), (error: unknown) => {
        assert.ok(isQueueFullError(error), `expected QueueFullError, got ${String(error)}`);
        assert.equal(error.lane, 'fast');
        assert.equal(error.capacity, 3);
        return true;
      });
      const delivery = await mustReceive(queue, 'fast');
      await delivery.ack();
      const late = message('fast');
      await waitFor(() => queue.publish(late), { message: 'the lane to accept again after an ack' });
      await statsMatch(queue, 'fast', { depth: 3 });
    });

    test('enqueues a duplicate (id, generation) once, and a new generation again', async () => {
      const queue = await open();
      const first = message('fast');
      assert.deepEqual(await queue.publish(first), { duplicate: false });
      assert.deepEqual(await queue.publish({ ...first }), { duplicate: true });
      assert.deepEqual(await queue.publish({ ...first, generation: 1 }), { duplicate: false });
      await statsMatch(queue, 'fast', { depth: 2 });
      const generations: number[] = [];
      for (let i = 0; i < 2; i++) {
        const delivery = await mustReceive(queue, 'fast');
        assert.equal(delivery.message.id, first.id);
        generations.push(delivery.message.generation);
        await delivery.ack();
      }
      assert.deepEqual(generations, [0, 1]);
      await statsMatch(queue, 'fast', { depth: 0, inflight: 0 });
    });

    test('redelivers a delivery left unsettled past its lease, as attempt 2', async () => {
      const queue = await open();
      const sent = message('fast');
      await queue.publish(sent);
      const first = await mustReceive(queue, 'fast');
      assert.equal(first.attempt, 1);
      const second = await mustReceive(queue, 'fast');
      assert.equal(second.message.id, sent.id);
      assert.equal(second.attempt, 2);
      await second.ack();
      await statsMatch(queue, 'fast', { depth: 0, inflight: 0 });
    });

    test('does not redeliver a delivery while its lease keeps being extended', async () => {
      const queue = await open();
      await queue.publish(message('fast'));
      const delivery = await mustReceive(queue, 'fast');
      const failures: unknown[] = [];
      const keepAlive = setInterval(() => {
        delivery.extend().catch((error: unknown) => failures.push(error));
      }, LIMITS.leaseMs / 4);
      try {
        await nothingWithin(queue, 'fast', LIMITS.leaseMs * 3);
      } finally {
        clearInterval(keepAlive);
      }
      assert.deepEqual(failures, []);
      await delivery.ack();
      await statsMatch(queue, 'fast', { depth: 0, inflight: 0 });
    });

    test('redelivers a nak’ed delivery with the next attempt, not before its delay', async () => {
      const queue = await open();
      const sent = message('fast');
      await queue.publish(sent);
      const first = await mustReceive(queue, 'fast');
      await first.nak();
      const second = await mustReceive(queue, 'fast');
      assert.equal(second.message.id, sent.id);
      assert.equal(second.attempt, 2);
      const delayMs = 400;
      const nakAt = Date.now();
      await second.nak(delayMs);
      const third = await mustReceive(queue, 'fast');
      assert.ok(Date.now() - nakAt >= delayMs - 50, `redelivered after ${Date.now() - nakAt} ms`);
      assert.equal(third.attempt, 3);
      await third.ack();
    });

    test('never redelivers a terminated delivery, nor dead-letters it', async () => {
      const queue = await open();
      const sent = message('fast');
      await queue.publish(sent);
      await (await mustReceive(queue, 'fast')).term();
      await nothingWithin(queue, 'fast', LIMITS.leaseMs * 2 + 200);
      await statsMatch(queue, 'fast', { depth: 0, inflight: 0, deadLettered: 0 });
      const deadLetters = await queue.listDeadLetters();
      assert.equal(
        deadLetters.some((d) => d.message.id === sent.id),
        false,
      );
    });

    test('dead-letters the message nak’ed on its last delivery, lists it, and replays it to completion', async () => {
      const queue = await open({ maxDeliver: 2 });
      const seen: DeadLetter[] = [];
      const subscription = queue.onDeadLetter((deadLetter) => seen.push(deadLetter));
      try {
        const sent = message('fast');
        await queue.publish(sent);
        await (await mustReceive(queue, 'fast')).nak();
        const last = await mustReceive(queue, 'fast');
        assert.equal(last.attempt, 2);
        await last.nak();

        const announced = await waitFor(() => seen.find((d) => d.message.id === sent.id), {
          message: 'onDeadLetter to fire',
        });
        assert.equal(announced.attempts, 2);
        assert.ok(announced.reason.length > 0, 'a dead letter says why');
        assert.equal(announced.message.generation, sent.generation);
        const listed = await waitFor(async () =>
          (await queue.listDeadLetters()).find((d) => d.message.id === sent.id),
        );
        assert.equal(listed.attempts, 2);
        await statsMatch(queue, 'fast', { depth: 0, inflight: 0, deadLettered: 1 });
        await nothingWithin(queue, 'fast', LIMITS.leaseMs);

        const moved = await queue.replayDeadLetters([sent.id]);
        assert.deepEqual(
          moved.map((d) => d.message.id),
          [sent.id],
        );
        const replayed = await mustReceive(queue, 'fast');
        assert.equal(replayed.message.id, sent.id);
        assert.equal(replayed.message.generation, sent.generation + 1);
        assert.equal(replayed.attempt, 1);
        await replayed.ack();
        await statsMatch(queue, 'fast', { depth: 0, inflight: 0, deadLettered: 0 });
        assert.equal(
          (await queue.listDeadLetters()).some((d) => d.message.id === sent.id),
          false,
        );
      } finally {
        subscription.dispose();
      }
    });

    test('dead-letters a message whose last lease runs out', async () => {
      const queue = await open({ maxDeliver: 1 });
      const seen: DeadLetter[] = [];
      const subscription = queue.onDeadLetter((deadLetter) => seen.push(deadLetter));
      try {
        const sent = message('slow');
        await queue.publish(sent);
        await mustReceive(queue, 'slow');
        const deadLetter = await waitFor(() => seen.find((d) => d.message.id === sent.id), {
          message: 'onDeadLetter to fire after the lease',
        });
        assert.equal(deadLetter.attempts, 1);
        await nothingWithin(queue, 'slow', LIMITS.leaseMs);
      } finally {
        subscription.dispose();
      }
    });

    test('caps un-acked deliveries at the WIP limit', async () => {
      const queue = await open({ wipLimit: { fast: 2, slow: 2 }, leaseMs: 5_000 });
      const sent = [message('fast'), message('fast'), message('fast')];
      for (const m of sent) await queue.publish(m);
      const first = await mustReceive(queue, 'fast');
      const second = await mustReceive(queue, 'fast');
      await nothingWithin(queue, 'fast', 400);
      await statsMatch(queue, 'fast', { depth: 1, inflight: 2, wipLimit: 2 });
      await first.ack();
      const third = await mustReceive(queue, 'fast');
      assert.equal(third.message.id, sent[2]?.id);
      await Promise.all([second.ack(), third.ack()]);
    });

    test('resolves a waiting receive with undefined when its signal aborts, and loses nothing', async () => {
      const queue = await open();
      const stop = new AbortController();
      const waiting = queue.receive('fast', stop.signal);
      stop.abort();
      assert.equal(await waiting, undefined);
      assert.equal(await queue.receive('fast', AbortSignal.abort()), undefined);
      const sent = message('fast');
      await queue.publish(sent);
      const delivery = await mustReceive(queue, 'fast');
      assert.equal(delivery.message.id, sent.id);
      await delivery.ack();
    });

    test('resolves a waiting receive with undefined when the queue closes', async () => {
      const queue = await open();
      const waiting = queue.receive('slow');
      await queue.close();
      assert.equal(await waiting, undefined);
      assert.equal(await queue.receive('slow'), undefined);
    });

    test('reports depth, in-flight, capacity and WIP limit per lane', async () => {
      const queue = await open({ maxDepth: 5, wipLimit: { fast: 3, slow: 2 } });
      for (let i = 0; i < 3; i++) await queue.publish(message('fast'));
      await statsMatch(queue, 'fast', { depth: 3, inflight: 0, capacity: 5, wipLimit: 3, deadLettered: 0 });
      await statsMatch(queue, 'slow', { depth: 0, inflight: 0, capacity: 5, wipLimit: 2, deadLettered: 0 });
      const delivery = await mustReceive(queue, 'fast');
      await statsMatch(queue, 'fast', { depth: 2, inflight: 1 });
      await delivery.ack();
      await statsMatch(queue, 'fast', { depth: 2, inflight: 0 });
    });
  });
}
