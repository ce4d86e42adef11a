import type { Channel } from 'amqplib';
import { pino, type Logger } from 'pino';
import type { Disposable } from '../../domain/disposable.js';
import { LANES, type LaneName, type QueueMessage } from '../../domain/signal.js';
import { QueueUnavailableError } from '../../errors/queueErrors.js';
import type {
  DeadLetter,
  Delivery,
  LaneStats,
  PublishReceipt,
  QueueAvailability,
  WorkQueue,
  WorkQueueLimits,
} from '../WorkQueue.js';
import { ConfirmedPublisher } from './ConfirmedPublisher.js';
import { DeadLetters } from './DeadLetters.js';
import { LaneConsumer } from './LaneConsumer.js';
import { RabbitMqConnection, type ReadySession, type Session } from './RabbitMqConnection.js';
import { describe, newLane, type LaneState } from './lanes.js';
import { laneQueueArguments, rabbitMqTopology, type RabbitMqTopology } from './topology.js';

export interface RabbitMqWorkQueueOptions {
  /** AMQP_URL, e.g. `amqp://guest:guest@127.0.0.1:5672`; add `?heartbeat=10` to notice a silent network sooner. */
  url: string;
  limits: WorkQueueLimits;
  /** Every name starts with it: `tps.fast`, `tps.dlq.fast`, `tps.dlx`. Default `tps`. */
  prefix?: string;
  /** The lanes this queue serves. Default: all of them. */
  lanes?: readonly LaneName[];
  logger?: Logger;
  /** Backoff between reconnect attempts: doubles from `initialDelayMs` up to `maxDelayMs`, with jitter. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** How long opening a connection may take. Default 5 s. */
  connectTimeoutMs?: number;
}

/**
 * The Kanban port on RabbitMQ: one durable quorum queue per lane (`${prefix}.${lane}`) with `x-max-length` and
 * `reject-publish` overflow, publisher confirms, persistent messages, and a delivery limit that dead-letters
 * through the direct exchange `${prefix}.dlx` into a durable queue per lane (`${prefix}.dlq.${lane}`).
 *
 * What RabbitMQ does not give, the adapter adds, each in its own part, which says why:
 * - `LaneConsumer`: a consumer per lane, started by the first `receive`, whose deliveries wait in the adapter
 *   until a `receive` takes them, and the lease and nak delay, both as timers that end in `nack(requeue)`;
 * - `ConfirmedPublisher`: dedupe of (id, generation) within this process, and a depth check before publishing;
 * - `RabbitMqConnection`: reconnecting with backoff (amqplib's recovery), rebuilding channels and consumers;
 * - `DeadLetters`: telling every process of every dead letter, listing and replaying them.
 */
export class RabbitMqWorkQueue implements WorkQueue {
  readonly backend = 'rabbitmq';
  readonly durable = true;
  readonly topology: RabbitMqTopology;

  private readonly limits: WorkQueueLimits;
  private readonly logger: Logger;
  private readonly lanes = new Map<LaneName, LaneState>();
  private readonly connection: RabbitMqConnection;
  private readonly publisher: ConfirmedPublisher;
  private readonly consumer: LaneConsumer;
  private readonly deadLetters: DeadLetters;

  readonly onDeadLetter = (listener: (deadLetter: DeadLetter) => void): Disposable =>
    this.deadLetters.onDeadLetter(listener);

  constructor(options: RabbitMqWorkQueueOptions) {
    const { limits } = options;
    for (const name of ['maxDepth', 'maxDeliver'] as const) {
      if (!Number.isInteger(limits[name]) || limits[name] < 1) {
        throw new RangeError(`${name} must be a whole number ≥ 1, got ${limits[name]}`);
      }
    }
    if (!(limits.leaseMs > 0)) throw new RangeError(`leaseMs must be > 0, got ${limits.leaseMs}`);
    const prefix = options.prefix ?? 'tps';
    if (prefix.length === 0) throw new RangeError('prefix must not be empty');
    this.limits = limits;
    this.topology = rabbitMqTopology(prefix);
    const logger = (options.logger ?? pino({ enabled: false })).child({
      component: 'queue',
      backend: 'rabbitmq',
      prefix,
    });
    this.logger = logger;
    const lanes = options.lanes ?? LANES;
    for (const name of lanes) {
      const wipLimit = limits.wipLimit[name];
      if (!Number.isInteger(wipLimit) || wipLimit < 1 || wipLimit > 65_535) {
        throw new RangeError(`wipLimit.${name} must be a whole number from 1 to 65535, got ${wipLimit}`);
      }
      const { topology } = this;
      this.lanes.set(name, newLane(name, topology.laneQueue(name), topology.deadLetterQueue(name), wipLimit));
    }
    const { url, reconnect, connectTimeoutMs } = options;
    this.connection = new RabbitMqConnection(
      { url, prefix, logger, reconnect, connectTimeoutMs },
      {
        prepare: (session) => this.prepare(session),
        resume: (session) => this.resume(session),
        lost: (session) => this.lost(session),
      },
    );
    const maxRemembered = Math.max(10_000, 2 * limits.maxDepth * lanes.length);
    this.publisher = new ConfirmedPublisher(this.connection, limits, maxRemembered);
    this.deadLetters = new DeadLetters(this.connection, this.topology, limits, logger, (key) =>
      this.publisher.forget(key),
    );
    this.consumer = new LaneConsumer(this.connection, limits, logger, {
      settled: (key) => this.publisher.forget(key),
      givenBackLast: (key, cause, attempts) => this.deadLetters.hint(key, cause, attempts),
    });
  }

  /**
   * Opens the connection and declares the topology. The first attempt fails at once with a
   * `QueueUnavailableError` naming the cause; once connected, a lost connection is retried with backoff for ever.
   */
  connect(): Promise<void> {
    return this.connection.connect();
  }

  async publish(message: QueueMessage): Promise<PublishReceipt> {
    const lane = this.lanes.get(message.lane);
    if (!lane) throw this.noSuchLane(message.lane);
    return this.publisher.publish(lane, message);
  }

  receive(laneName: LaneName, signal?: AbortSignal): Promise<Delivery | undefined> {
    if (this.connection.closed || signal?.aborted) return Promise.resolve(undefined);
    const lane = this.lanes.get(laneName);
    if (!lane) return Promise.reject(this.noSuchLane(laneName));
    return this.consumer.receive(lane, signal);
  }

  /**
   * Depth is the lane queue's ready count plus what this adapter holds unhanded (buffered or in a nak delay);
   * in-flight is what it has handed out and not seen settled. While RabbitMQ is unreachable the broker's
   * numbers are the last ones read (`availability()` says it is down), so the andon keeps its board.
   */
  async stats(): Promise<Record<LaneName, LaneStats>> {
    const session = this.connection.session;
    if (session?.live) {
      try {
        await Promise.all(
          [...this.lanes.values()].map(async (lane) => {
            await this.publisher.readDepth(session, lane);
            lane.deadLettered = (await session.admin.checkQueue(lane.deadLetterQueue)).messageCount;
          }),
        );
      } catch (err) {
        this.logger.debug({ err }, 'could not read queue depths; reporting the last ones read');
      }
    }
    const stats: Partial<Record<LaneName, LaneStats>> = {};
    for (const lane of this.lanes.values()) {
      stats[lane.name] = {
        depth: lane.ready + lane.buffer.size + lane.held.size,
        capacity: this.limits.maxDepth,
        inflight: lane.outstanding.size,
        wipLimit: lane.wipLimit,
        deadLettered: lane.deadLettered,
      };
    }
    // A queue built for some lanes only reports those.
    return stats as Record<LaneName, LaneStats>;
  }

  /** Newest first, across lanes; see `DeadLetters.list`. */
  async listDeadLetters(limit = Number.POSITIVE_INFINITY): Promise<DeadLetter[]> {
    const session = this.connection.connected();
    return this.deadLetters.list(session, this.lanes.values(), limit);
  }

  /** Back to their lanes as generation + 1, removed once confirmed; see `DeadLetters.replay`. */
  async replayDeadLetters(ids?: readonly string[]): Promise<DeadLetter[]> {
    const session = this.connection.connected();
    return this.deadLetters.replay(session, this.lanes.values(), ids, (message) => this.publish(message));
  }

  availability(): QueueAvailability {
    return this.connection.availability();
  }

  /** For /health: resolves once the broker has answered a question about the first lane's queue. */
  async ping(): Promise<void> {
    const session = this.connection.connected();
    const [lane] = this.lanes.values();
    if (!lane) return;
    try {
      await session.admin.checkQueue(lane.queue);
    } catch (error) {
      throw new QueueUnavailableError(`RabbitMQ did not answer: ${describe(error)}`, { cause: error });
    }
    if (this.connection.isBlocked) throw this.connection.unavailable();
  }

  async close(): Promise<void> {
    if (this.connection.closed) return;
    this.connection.markClosed();
    for (const lane of this.lanes.values()) {
      for (const waiter of lane.waiters.splice(0)) waiter(undefined);
      this.consumer.drop(lane, true);
    }
    await this.connection.close();
    this.logger.debug('closed');
  }

  // --- session hooks ---------------------------------------------------------------------------------------

  private async prepare(session: ReadySession): Promise<void> {
    await this.declare(session.admin);
    await this.deadLetters.tap(session, this.lanes.values());
  }

  private async resume(session: ReadySession): Promise<void> {
    for (const lane of this.lanes.values()) await this.consumer.resume(session, lane);
  }

  private lost(session: Session): void {
    for (const lane of this.lanes.values()) {
      this.consumer.drop(lane, false);
      if (lane.consumer === session) lane.consumer = undefined;
    }
  }

  private async declare(admin: Channel): Promise<void> {
    const { deadLetterExchange } = this.topology;
    await admin.assertExchange(deadLetterExchange, 'direct', { durable: true });
    for (const lane of this.lanes.values()) {
      // Classic, not quorum: peeking (get, then give back) must not count as deliveries, and RabbitMQ 4
      // gives quorum queues a default delivery limit that would drop a dead letter peeked 20 times.
      await admin.assertQueue(lane.deadLetterQueue, {
        durable: true,
        arguments: { 'x-queue-type': 'classic' },
      });
      await admin.bindQueue(lane.deadLetterQueue, deadLetterExchange, lane.name);
      try {
        await admin.assertQueue(lane.queue, {
          durable: true,
          arguments: laneQueueArguments(lane.name, this.limits, this.topology),
        });
      } catch (error) {
        throw new Error(
          `cannot declare ${lane.queue} (one left from a run with other MAX_QUEUE_DEPTH or MAX_DELIVER must be ` +
            `deleted first): ${describe(error)}`,
          { cause: error },
        );
      }
    }
  }

  private noSuchLane(name: LaneName): RangeError {
    return new RangeError(`this queue has no lane ${String(name)}`);
  }
}

export const createRabbitMqWorkQueue = async (
  options: RabbitMqWorkQueueOptions,
): Promise<RabbitMqWorkQueue> => {
  const queue = new RabbitMqWorkQueue(options);
  await queue.connect();
  return queue;
};
