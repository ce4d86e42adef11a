import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, afterEach, describe, it } from 'node:test';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { freePort } from '../../../test/support/processes.js';
import { NATS, skipUnless } from '../../../test/support/services.js';
import { waitFor } from '../../../test/support/waitFor.js';
import { messageKey, type LaneName, type QueueMessage } from '../../domain/signal.js';
import { isQueueUnavailableError } from '../../errors/queueErrors.js';
import { NatsServerProcess } from '../../system/distributed/NatsServerProcess.js';
import { describeWorkQueueConformance } from '../../../test/conformance/workQueue.js';
import type { DeadLetter, Delivery, WorkQueue, WorkQueueLimits } from '../WorkQueue.js';
import { TRACE_ID_HEADER } from './messageFormat.js';
import { createJetStreamWorkQueue, type JetStreamWorkQueue } from './JetStreamWorkQueue.js';

const SERVERS = `${NATS.host}:${NATS.port}`;

const LIMITS: WorkQueueLimits = {
  maxDepth: 10,
  wipLimit: { fast: 5, slow: 5 },
  leaseMs: 500,
  maxDeliver: 3,
};

/** A fresh prefix per queue, so every test has its own streams and consumers on the shared server. */
const uniquePrefix = (): string => `tpstest_${randomBytes(5).toString('hex')}`;

const message = (lane: LaneName, overrides: Partial<QueueMessage> = {}): QueueMessage => ({
  id: randomUUID(),
  lane,
  signal_type: lane === 'fast' ? 'execute' : 'report',
  payload: { note: 'nats' },
  enqueued_at: Date.now(),
  generation: 0,
  trace_id: randomBytes(16).toString('hex'),
  ...overrides,
});

const receiveWithin = async (queue: WorkQueue, lane: LaneName, ms: number): Promise<Delivery | undefined> => {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), ms);
  try {
    return await queue.receive(lane, deadline.signal);
  } finally {
    clearTimeout(timer);
  }
};

/** Owns the prefixes made on the shared server and deletes their streams at the end. */
class SharedServer {
  private readonly prefixes: string[] = [];
  private admin: Promise<{ nc: NatsConnection; jsm: JetStreamManager }> | undefined;

  prefix(): string {
    const prefix = uniquePrefix();
    this.prefixes.push(prefix);
    return prefix;
  }

  jsm(): Promise<JetStreamManager> {
    this.admin ??= connect({ servers: SERVERS, name: 'tps-test-admin' }).then(async (nc) => ({
      nc,
      jsm: await jetstreamManager(nc),
    }));
    return this.admin.then(({ jsm }) => jsm);
  }

  async cleanup(): Promise<void> {
    const jsm = await this.jsm();
    const streams = this.prefixes.splice(0).flatMap((p) => [`${p}_fast`, `${p}_slow`, `${p}_dlq`]);
    await Promise.all(streams.map((stream) => jsm.streams.delete(stream).catch(() => false)));
    const admin = await this.admin;
    this.admin = undefined;
    await admin?.nc.close();
  }
}

const skip = await skipUnless(NATS);

describe('JetStreamWorkQueue', { skip }, () => {
  const shared = new SharedServer();

  describeWorkQueueConformance('JetStream', {
    create: (limits) => createJetStreamWorkQueue({ servers: SERVERS, limits, prefix: shared.prefix() }),
    cleanup: () => shared.cleanup(),
  });

  describe('on NATS', { timeout: 120_000 }, () => {
    const nats = new SharedServer();
    const opened: JetStreamWorkQueue[] = [];
    const open = async (
      limits: Partial<WorkQueueLimits> = {},
      prefix = nats.prefix(),
    ): Promise<{ queue: JetStreamWorkQueue; prefix: string }> => {
      const queue = await createJetStreamWorkQueue({
        servers: SERVERS,
        limits: { ...LIMITS, ...limits },
        prefix,
      });
      opened.push(queue);
      return { queue, prefix };
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((queue) => queue.close()));
    });
    after(() => nats.cleanup());

    it('says it is the nats backend and durable, and is available once connected', async () => {
      const { queue } = await open();
      assert.equal(queue.backend, 'nats');
      assert.equal(queue.durable, true);
      assert.deepEqual(queue.availability(), { available: true });
      await queue.ping();
    });

    it('carries the trace id and the (id, generation) dedupe key as message headers', async () => {
      const { queue, prefix } = await open();
      const sent = message('fast');
      await queue.publish(sent);
      const jsm = await nats.jsm();
      const stored = await jsm.streams.getMessage(`${prefix}_fast`, {
        last_by_subj: `${prefix}.signals.fast`,
      });
      assert.ok(stored, 'the message is in the lane’s stream');
      assert.equal(stored.header.get(TRACE_ID_HEADER), sent.trace_id);
      assert.equal(stored.header.get('Nats-Msg-Id'), messageKey(sent));
      assert.deepEqual(stored.json(), sent);
    });

    it('sets the lane’s stream and consumer from the limits, and a second start with new limits updates them', async () => {
      const { prefix } = await open();
      await open({ maxDepth: 20, wipLimit: { fast: 7, slow: 5 }, leaseMs: 2_000, maxDeliver: 4 }, prefix);
      const jsm = await nats.jsm();
      const stream = await jsm.streams.info(`${prefix}_fast`);
      assert.equal(stream.config.retention, 'workqueue');
      assert.equal(stream.config.storage, 'file');
      assert.equal(stream.config.discard, 'new');
      assert.equal(stream.config.max_msgs, 20);
      const consumer = await jsm.consumers.info(`${prefix}_fast`, `${prefix}_fast_workers`);
      assert.equal(consumer.config.ack_policy, 'explicit');
      assert.equal(consumer.config.max_ack_pending, 7);
      assert.equal(consumer.config.max_deliver, 4);
      assert.equal(consumer.config.ack_wait, 2_000 * 1_000_000);
      assert.equal(stream.config.num_replicas, 1, 'one copy by default (NATS_REPLICAS=1)');
      assert.equal(consumer.config.num_replicas, 1);
    });

    it('refuses to start with replicas a single server cannot keep, saying why', async () => {
      await assert.rejects(
        createJetStreamWorkQueue({ servers: SERVERS, limits: LIMITS, prefix: nats.prefix(), replicas: 3 }),
        (error: unknown) => {
          assert.ok(isQueueUnavailableError(error), `expected QueueUnavailableError, got ${String(error)}`);
          assert.match(error.message, /could not set up the lanes: .*replicas/);
          return true;
        },
      );
    });

    it('refuses publish after close', async () => {
      const { queue } = await open();
      await queue.close();
      await assert.rejects(queue.publish(message('fast')), isQueueUnavailableError);
      assert.equal(queue.availability().available, false);
    });

    it('refuses to start with QueueUnavailableError when NATS does not answer', async () => {
      const port = await freePort();
      await assert.rejects(
        createJetStreamWorkQueue({ servers: `127.0.0.1:${port}`, limits: LIMITS, prefix: uniquePrefix() }),
        (error: unknown) => {
          assert.ok(isQueueUnavailableError(error), `expected QueueUnavailableError, got ${String(error)}`);
          assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
          return true;
        },
      );
    });

    it('dead-letters a last attempt whose process died, through the max-deliveries advisory', async () => {
      const { queue: dying, prefix } = await open({ maxDeliver: 1 });
      const { queue: survivor } = await open({ maxDeliver: 1 }, prefix);
      const seen: DeadLetter[] = [];
      survivor.onDeadLetter((deadLetter) => seen.push(deadLetter));
      const sent = message('fast');
      await dying.publish(sent);
      const held = await receiveWithin(dying, 'fast', 5_000);
      assert.equal(held?.message.id, sent.id);
      await dying.close();
      // A waiting worker makes the server look at the spent message and announce it.
      const stop = new AbortController();
      const waiting = survivor.receive('fast', stop.signal);
      const deadLetter = await waitFor(() => seen.find((d) => d.message.id === sent.id), {
        timeoutMs: 10_000,
        message: 'the advisory to dead-letter the message',
      });
      assert.equal(deadLetter.attempts, 1);
      stop.abort();
      assert.equal(await waiting, undefined);
      const stats = (await survivor.stats()).fast;
      assert.deepEqual([stats.depth, stats.inflight, stats.deadLettered], [0, 0, 1]);
      assert.deepEqual(
        (await survivor.listDeadLetters()).map((d) => d.message.id),
        [sent.id],
      );
    });

    it('keeps one dead letter per signal id (the newest generation) and lists them newest first', async () => {
      const { queue } = await open({ maxDeliver: 1 });
      const deadLetter = async (sent: QueueMessage): Promise<void> => {
        await queue.publish(sent);
        const delivery = await receiveWithin(queue, sent.lane, 5_000);
        assert.ok(delivery, `expected ${sent.id} to be delivered`);
        assert.equal(delivery.message.id, sent.id);
        await delivery.nak();
      };
      const first = message('fast');
      await deadLetter(first);
      // Retried under the same id without a replay (as POST /signal/:id/retry does), and dead-lettered again.
      await deadLetter({ ...first, generation: 1 });
      const other = message('slow');
      await deadLetter(other);

      const listed = await queue.listDeadLetters();
      assert.deepEqual(
        listed.map((d) => [d.message.id, d.message.generation, d.attempts]),
        [
          [other.id, 0, 1],
          [first.id, 1, 1],
        ],
      );
      assert.deepEqual(
        (await queue.listDeadLetters(1)).map((d) => d.message.id),
        [other.id],
      );
      const stats = await queue.stats();
      assert.deepEqual([stats.fast.deadLettered, stats.slow.deadLettered], [1, 1]);
    });

    it('survives a broker restart: refuses publish while it is down, then delivers what it had accepted', async () => {
      const server = await NatsServerProcess.start();
      let queue: JetStreamWorkQueue | undefined;
      try {
        queue = await createJetStreamWorkQueue({
          servers: server.url,
          limits: LIMITS,
          prefix: uniquePrefix(),
          reconnectTimeWaitMs: 250,
        });
        const accepted = message('fast');
        await queue.publish(accepted);
        const stop = new AbortController();
        const waitingAcrossOutage = queue.receive('slow', stop.signal);

        await server.stop();
        await waitFor(() => !queue?.availability().available, {
          message: 'the queue to notice NATS is gone',
        });
        assert.match(queue.availability().cause ?? '', /disconnected from NATS/);
        await assert.rejects(queue.publish(message('fast')), (error: unknown) => {
          assert.ok(isQueueUnavailableError(error), `expected QueueUnavailableError, got ${String(error)}`);
          assert.match(error.message, /disconnected from NATS/);
          return true;
        });
        await assert.rejects(queue.ping(), isQueueUnavailableError);

        await server.resume();
        await waitFor(() => queue?.availability().available, { timeoutMs: 15_000, message: 'the reconnect' });
        const redelivered = await receiveWithin(queue, 'fast', 10_000);
        assert.ok(redelivered, 'the message accepted before the outage is delivered after it');
        assert.equal(redelivered.message.id, accepted.id);
        await redelivered.ack();
        const late = message('slow');
        assert.deepEqual(await queue.publish(late), { duplicate: false });
        const received = await Promise.race([
          waitingAcrossOutage,
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000).unref()),
        ]);
        assert.ok(received, 'the receive that waited through the outage gets new work');
        assert.equal(received.message.id, late.id);
        await received.ack();
        stop.abort();
      } finally {
        await queue?.close();
        await server.destroy();
      }
    });
  });
});
