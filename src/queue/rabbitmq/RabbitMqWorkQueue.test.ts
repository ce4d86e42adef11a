import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { after, afterEach, describe, it } from 'node:test';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { pino, type Logger } from 'pino';
import { RABBITMQ, skipUnless } from '../../../test/support/services.js';
import { waitFor } from '../../../test/support/waitFor.js';
import { LANES, messageKey, type LaneName, type QueueMessage } from '../../domain/signal.js';
import { isQueueUnavailableError } from '../../errors/queueErrors.js';
import { describeWorkQueueConformance } from '../../../test/conformance/workQueue.js';
import type { WorkQueueLimits } from '../WorkQueue.js';
import {
  createRabbitMqWorkQueue,
  type RabbitMqWorkQueue,
  type RabbitMqWorkQueueOptions,
} from './RabbitMqWorkQueue.js';
import { rabbitMqTopology } from './topology.js';

/** The local broker; tests declare only `tpstest.<random>.*` names on it and delete them afterwards. */
const url = process.env.TPS_TEST_AMQP_URL ?? `amqp://guest:guest@${RABBITMQ.host}:${RABBITMQ.port}`;
const skip = await skipUnless(RABBITMQ);

const freshPrefix = (): string => `tpstest.${randomBytes(6).toString('hex')}`;

const onFreshChannel = async (connection: ChannelModel, work: (channel: Channel) => Promise<unknown>) => {
  // A failed operation closes its channel, so each gets its own.
  const channel = await connection.createChannel();
  channel.on('error', () => undefined);
  try {
    await work(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
};

/** Deletes every queue and exchange the adapter declares under these prefixes. */
const deleteTopologies = async (prefixes: Set<string>): Promise<void> => {
  if (prefixes.size === 0) return;
  const connection = await connect(url);
  try {
    for (const prefix of prefixes) {
      const topology = rabbitMqTopology(prefix);
      for (const lane of LANES) {
        for (const queue of [topology.laneQueue(lane), topology.deadLetterQueue(lane)]) {
          await onFreshChannel(connection, (channel) => channel.deleteQueue(queue));
        }
      }
      await onFreshChannel(connection, (channel) => channel.deleteExchange(topology.deadLetterExchange));
    }
    prefixes.clear();
  } finally {
    await connection.close();
  }
};

const LIMITS: WorkQueueLimits = {
  maxDepth: 10,
  wipLimit: { fast: 5, slow: 5 },
  leaseMs: 1_000,
  maxDeliver: 3,
};

const message = (lane: LaneName = 'fast', overrides: Partial<QueueMessage> = {}): QueueMessage => ({
  id: randomUUID(),
  lane,
  signal_type: lane === 'fast' ? 'execute' : 'report',
  payload: { note: 'rabbitmq adapter' },
  enqueued_at: Date.now(),
  generation: 0,
  trace_id: randomBytes(16).toString('hex'),
  ...overrides,
});

/** A logger whose records the test can read. */
const capturedLogger = (): { logger: Logger; records: Record<string, unknown>[] } => {
  const records: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, records };
};

/**
 * A TCP proxy in front of the broker that can drop every connection and refuse new ones, so a test can take
 * "RabbitMQ" away from one adapter without touching the broker everybody shares.
 */
class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private accepting = true;

  private constructor(private readonly server: Server) {}

  static async start(target: { host: string; port: number }): Promise<CuttableProxy> {
    const server = createServer();
    const proxy = new CuttableProxy(server);
    server.on('connection', (client) => proxy.forward(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    const address = this.server.address();
    assert.ok(address && typeof address === 'object');
    return `amqp://guest:guest@127.0.0.1:${address.port}`;
  }

  /** Drops every connection and refuses new ones until `restore`. */
  cut(): void {
    this.accepting = false;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.accepting = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: Socket, target: { host: string; port: number }): void {
    if (!this.accepting) {
      client.destroy();
      return;
    }
    const upstream = connectTcp(target.port, target.host);
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(socket);
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        this.sockets.delete(socket);
        other.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}

describe('RabbitMqWorkQueue', { skip }, () => {
  const prefixes = new Set<string>();

  describeWorkQueueConformance('RabbitMQ', {
    create: (limits) => {
      const prefix = freshPrefix();
      prefixes.add(prefix);
      return createRabbitMqWorkQueue({ url, limits, prefix });
    },
    cleanup: () => deleteTopologies(prefixes),
  });

  const opened: RabbitMqWorkQueue[] = [];
  const open = async (options: Partial<RabbitMqWorkQueueOptions> = {}): Promise<RabbitMqWorkQueue> => {
    const prefix = options.prefix ?? freshPrefix();
    prefixes.add(prefix);
    const queue = await createRabbitMqWorkQueue({ url, limits: LIMITS, ...options, prefix });
    opened.push(queue);
    return queue;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
  });
  after(() => deleteTopologies(prefixes));

  it('says it is the rabbitmq backend and durable, is available, and answers a ping', async () => {
    const queue = await open();
    assert.equal(queue.backend, 'rabbitmq');
    assert.equal(queue.durable, true);
    assert.deepEqual(queue.availability(), { available: true });
    await queue.ping();
  });

  it('hands a message published through one instance to a receiver on another with the same prefix', async () => {
    const prefix = freshPrefix();
    const intake = await open({ prefix });
    const worker = await open({ prefix });
    const sent = message('slow');
    assert.deepEqual(await intake.publish(sent), { duplicate: false });
    const delivery = await worker.receive('slow', AbortSignal.timeout(5_000));
    assert.ok(delivery, 'the other instance receives it');
    assert.deepEqual(delivery.message, sent);
    assert.equal(delivery.message.trace_id, sent.trace_id);
    assert.equal(delivery.attempt, 1);
    await delivery.ack();
    // The publishing instance never received, so it never consumed: nothing of the lane sits in its buffer.
    await waitFor(async () => {
      const [seenByIntake, seenByWorker] = [(await intake.stats()).slow, (await worker.stats()).slow];
      return seenByIntake.depth === 0 && seenByWorker.depth === 0 && seenByWorker.inflight === 0;
    });
  });

  it('publishes persistent JSON with the message key as id and the trace id in a header', async () => {
    const queue = await open();
    const sent = message('fast');
    await queue.publish(sent);
    const connection = await connect(url);
    try {
      const channel = await connection.createChannel();
      const raw = await channel.get(queue.topology.laneQueue('fast'), { noAck: true });
      assert.ok(raw, 'the message is in the lane queue');
      assert.equal(raw.properties.headers?.trace_id, sent.trace_id);
      assert.equal(raw.properties.messageId, messageKey(sent));
      assert.equal(raw.properties.deliveryMode, 2);
      assert.equal(raw.properties.contentType, 'application/json');
      assert.deepEqual(JSON.parse(raw.content.toString('utf8')), sent);
    } finally {
      await connection.close();
    }
  });

  it('reconnects after losing the connection: refuses meanwhile, says why, then consumes again', async () => {
    const proxy = await CuttableProxy.start(RABBITMQ);
    const { logger, records } = capturedLogger();
    try {
      const queue = await open({
        url: proxy.url,
        logger,
        reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
      });
      const sent = message('fast');
      await queue.publish(sent);
      const before = await queue.receive('fast', AbortSignal.timeout(5_000));
      assert.equal(before?.message.id, sent.id);

      proxy.cut();
      const down = await waitFor(() => {
        const availability = queue.availability();
        return !availability.available && availability;
      });
      assert.match(down.cause ?? '', /lost the connection to RabbitMQ|closed the .* channel/);
      await assert.rejects(queue.publish(message('fast')), isQueueUnavailableError);
      await assert.rejects(queue.ping(), isQueueUnavailableError);
      assert.equal(
        (await queue.stats()).fast.inflight,
        0,
        'what the lost channel held is the broker’s again',
      );
      const waiting = queue.receive('fast', AbortSignal.timeout(10_000));

      proxy.restore();
      await waitFor(() => queue.availability().available, { timeoutMs: 10_000, message: 'reconnected' });
      await queue.ping();

      // The delivery's channel is gone: acking it is a no-op with a warning, and the broker delivers it again.
      await before?.ack();
      assert.ok(
        records.some((record) => record.level === 40 && String(record.msg).includes('channel is gone')),
        'a warning says the ack was ignored',
      );
      const again = await waiting;
      assert.equal(again?.message.id, sent.id, 'the consumer is back and gets the message again');
      assert.ok((again?.attempt ?? 0) >= 1);
      await again?.ack();

      const later = message('fast');
      assert.deepEqual(await queue.publish(later), { duplicate: false });
      const next = await queue.receive('fast', AbortSignal.timeout(5_000));
      assert.equal(next?.message.id, later.id);
      await next?.ack();
      await waitFor(async () => {
        const { depth, inflight } = (await queue.stats()).fast;
        return depth === 0 && inflight === 0;
      });
    } finally {
      await Promise.all(opened.splice(0).map((queue) => queue.close()));
      await proxy.close();
    }
  });

  it('refuses to start, naming where and why, when RabbitMQ does not answer', async () => {
    const proxy = await CuttableProxy.start(RABBITMQ);
    proxy.cut();
    try {
      await assert.rejects(open({ url: proxy.url }), (error: unknown) => {
        assert.ok(isQueueUnavailableError(error), `expected QueueUnavailableError, got ${String(error)}`);
        assert.match(error.message, /RabbitMQ at 127\.0\.0\.1:\d+ is not usable/);
        return true;
      });
    } finally {
      await proxy.close();
    }
  });

  it('refuses to start against a lane queue declared with other limits, and says what to do', async () => {
    const prefix = freshPrefix();
    const first = await open({ prefix });
    await first.close();
    await assert.rejects(
      open({ prefix, limits: { ...LIMITS, maxDepth: LIMITS.maxDepth + 1 } }),
      (error: unknown) => {
        assert.ok(isQueueUnavailableError(error));
        assert.match(error.message, /must be deleted first/);
        assert.match(error.message, /x-max-length/);
        return true;
      },
    );
  });

  it('refuses publish with QueueUnavailableError once closed', async () => {
    const queue = await open();
    await queue.close();
    await assert.rejects(queue.publish(message()), isQueueUnavailableError);
    assert.equal(queue.availability().available, false);
  });

  it('serves only the lanes it was built for', async () => {
    const queue = await open({ lanes: ['slow'] });
    assert.deepEqual(Object.keys(await queue.stats()), ['slow']);
    await assert.rejects(queue.publish(message('fast')), RangeError);
  });

  it('says why a message was dead-lettered by another instance from the broker’s record', async () => {
    const prefix = freshPrefix();
    const worker = await open({ prefix, limits: { ...LIMITS, maxDeliver: 2 } });
    const observer = await open({ prefix, limits: { ...LIMITS, maxDeliver: 2 } });
    const seen: string[] = [];
    observer.onDeadLetter((deadLetter) => seen.push(deadLetter.reason));
    const sent = message('fast');
    await worker.publish(sent);
    for (let attempt = 1; attempt <= 2; attempt++) {
      const delivery = await worker.receive('fast', AbortSignal.timeout(5_000));
      assert.equal(delivery?.attempt, attempt);
      await delivery?.nak();
    }
    const [reason] = await waitFor(() => seen.length > 0 && seen);
    assert.match(reason ?? '', /delivered 2 times \(the maximum\)/);
    const listed = await waitFor(async () =>
      (await observer.listDeadLetters()).find((d) => d.message.id === sent.id),
    );
    assert.equal(listed.attempts, 2);
    assert.deepEqual(listed.message, sent);
  });
});
