import {
  jetstream,
  jetstreamManager,
  type ConsumerInfo,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { pino, type Logger } from 'pino';
import type { Disposable } from '../../domain/disposable.js';
import type { LaneName, QueueMessage } from '../../domain/signal.js';
import { QueueUnavailableError } from '../../errors/queueErrors.js';
import { redactSecrets } from '../../errors/redactSecrets.js';
import type {
  DeadLetter,
  Delivery,
  LaneStats,
  PublishReceipt,
  QueueAvailability,
  WorkQueue,
  WorkQueueLimits,
} from '../WorkQueue.js';
import { JetStreamDeadLetters } from './JetStreamDeadLetters.js';
import { JetStreamDelivery, type DeliveryContext } from './JetStreamDelivery.js';
import { JetStreamPublisher } from './JetStreamPublisher.js';
import { LanePuller } from './LanePuller.js';
import { NatsConnectionStatus } from './NatsConnectionStatus.js';
import { ensureTopology, type JetStreamNames, type TopologySettings } from './jetStreamTopology.js';
import {
  DEFAULT_RECONNECT_TIME_WAIT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  topologySettingsOf,
  type JetStreamWorkQueueOptions,
} from './jetStreamQueueOptions.js';
import { describe, sendAndFlush, withTimeout, type Lane } from './jetStreamSupport.js';

export type { JetStreamWorkQueueOptions } from './jetStreamQueueOptions.js';

/** How long one pull request waits at the server before it is renewed. */
const PULL_EXPIRES_MS = 5_000;

/**
 * The Kanban port on NATS JetStream: one work-queue stream per lane, bounded by `max_msgs` with `discard: new`
 * (a full lane refuses the publish), deduplicated by `Nats-Msg-Id`; one durable pull consumer per lane whose
 * `max_ack_pending` is the WIP limit, `ack_wait` the lease and `max_deliver` the delivery budget; and a
 * dead-letter stream fed by this adapter and by the server's max-deliveries advisory.
 *
 * Every process that opens the queue with the same prefix shares the lanes: the WIP limit, depth and dead
 * letters are the lane's, not the process's. The adapter owns its connection, which reconnects forever;
 * while it is down, publish and settling fail at once with `QueueUnavailableError` and receives wait.
 *
 * Where JetStream differs from the port, the adapter closes the gap:
 * - JetStream counts a message against `max_deliver` and then simply stops delivering it. The delivery that
 *   would exceed `maxDeliver` must go to the dead-letter lane, so a nak on the last attempt, or the end of the
 *   last lease, moves the message to the dead-letter stream here; the `MAX_DELIVERIES` advisory covers a last
 *   attempt held by a process that died. Whoever stores the dead letter first (the dead-letter stream dedupes
 *   the move) fires `onDeadLetter`.
 * - `max_msgs` counts every message in the stream, waiting or in flight: a lane refuses work once waiting plus
 *   in-flight messages reach `maxDepth` (the memory queue counts waiting ones only).
 * - A nak'ed message waiting for its redelivery stays in the consumer's ack-pending set, so it counts as
 *   in flight, not as depth.
 * - Dedupe holds for `duplicateWindowMs` after the first publish, not while the message is in the lane.
 */
export class JetStreamWorkQueue implements WorkQueue {
  readonly backend = 'nats';
  readonly durable = true;

  private readonly lanes = new Map<LaneName, Lane>();
  private readonly subscriptions: Subscription[] = [];
  private readonly leaseTimers = new Set<NodeJS.Timeout>();
  private readonly names: JetStreamNames;
  private readonly limits: WorkQueueLimits;
  private readonly requestTimeoutMs: number;
  private readonly log: Logger;
  private readonly status: NatsConnectionStatus;
  private readonly publisher: JetStreamPublisher;
  private readonly deadLetters: JetStreamDeadLetters;
  private readonly deliveryContext: DeliveryContext;
  private closing: Promise<void> | undefined;

  readonly onDeadLetter = (listener: (deadLetter: DeadLetter) => void): Disposable =>
    this.deadLetters.onDeadLetter(listener);

  /** Use `createJetStreamWorkQueue`, which connects and sets up the streams first. */
  private constructor(
    private readonly nc: NatsConnection,
    js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly topology: TopologySettings,
    consumers: Map<LaneName, ConsumerInfo>,
    options: JetStreamWorkQueueOptions,
    logger: Logger,
  ) {
    this.names = topology.names;
    this.limits = topology.limits;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.log = logger;
    this.status = new NatsConnectionStatus(nc, logger);
    const send = (write: () => void): Promise<void> => sendAndFlush(nc, this.requestTimeoutMs, write);
    this.publisher = new JetStreamPublisher(js, this.limits, this.requestTimeoutMs, this.status);
    this.deadLetters = new JetStreamDeadLetters({
      js,
      jsm,
      names: this.names,
      limits: this.limits,
      lanes: this.lanes,
      requestTimeoutMs: this.requestTimeoutMs,
      status: this.status,
      log: logger,
      send,
      publish: (message) => this.publish(message),
    });
    this.deliveryContext = {
      limits: this.limits,
      requestTimeoutMs: this.requestTimeoutMs,
      log: logger,
      status: this.status,
      leaseTimers: this.leaseTimers,
      send,
      deadLetter: (lane, move) => this.deadLetters.move(lane, move),
    };
    for (const [name, info] of consumers) {
      const lane: Lane = {
        name,
        stream: this.names.laneStream(name),
        subject: this.names.laneSubject(name),
        consumer: this.names.laneConsumer(name),
        puller: new LanePuller({
          consumer: js.consumers.getConsumerFromInfo(info),
          expiresMs: PULL_EXPIRES_MS,
          holdMs: Math.max(1, this.limits.leaseMs / 2),
          // Not taken by anyone: back in line at once. On its last attempt the server then stops delivering
          // it, and its max-deliveries advisory dead-letters it.
          release: (msg: JsMsg) => msg.nak(),
          logger,
        }),
      };
      this.lanes.set(name, lane);
      this.subscriptions.push(
        nc.subscribe(this.names.maxDeliveriesAdvisory(name), {
          callback: (error, msg) => {
            if (error) {
              this.log.warn({ err: error, lane: name }, 'max-deliveries advisory subscription failed');
              return;
            }
            void this.deadLetters
              .onMaxDeliveriesAdvisory(lane, msg)
              .catch((moveError: unknown) =>
                this.log.warn(
                  { err: moveError, lane: name },
                  'could not dead-letter after a max-deliveries advisory',
                ),
              );
          },
        }),
      );
    }
    this.status.watch({
      // A server that lost its store comes back without the streams: set them up again.
      reconnected: () =>
        void ensureTopology(this.jsm, this.topology).catch((error: unknown) =>
          this.log.error({ err: error }, 'could not set up the lanes again after reconnecting'),
        ),
      // Settling or pulling on a closed connection cannot succeed; receivers get undefined.
      closedUnderneath: () => {
        for (const lane of this.lanes.values()) lane.puller.close();
      },
    });
  }

  /** Connects, creates or updates the streams and consumers, and subscribes to the max-deliveries advisories. */
  static async open(options: JetStreamWorkQueueOptions): Promise<JetStreamWorkQueue> {
    const topology = topologySettingsOf(options);
    const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const logger = (options.logger ?? pino({ level: 'silent' })).child({
      component: 'queue',
      backend: 'nats',
    });
    // For messages: a server URL may carry a user and password, or a token.
    const servers = redactSecrets(
      Array.isArray(options.servers) ? options.servers.join(', ') : options.servers,
    );
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: options.servers,
        ...(options.name === undefined ? {} : { name: options.name }),
        maxReconnectAttempts: -1,
        reconnectTimeWait: options.reconnectTimeWaitMs ?? DEFAULT_RECONNECT_TIME_WAIT_MS,
        timeout,
        // Otherwise every request (each publish and ack) captures a stack trace in advance, in case it times
        // out: a quarter of the CPU of a busy intake.
        noAsyncTraces: true,
      });
    } catch (error) {
      throw new QueueUnavailableError(
        `NATS is not reachable at ${servers}: ${redactSecrets(describe(error))}`,
        {
          cause: error,
        },
      );
    }
    try {
      const jsm = await jetstreamManager(nc, { timeout });
      const consumers = await ensureTopology(jsm, topology);
      return new JetStreamWorkQueue(
        nc,
        jetstream(nc, { timeout }),
        jsm,
        topology,
        consumers,
        options,
        logger,
      );
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw new QueueUnavailableError(
        `JetStream at ${servers} could not set up the lanes: ${redactSecrets(describe(error))}`,
        {
          cause: error,
        },
      );
    }
  }

  async publish(message: QueueMessage): Promise<PublishReceipt> {
    const refusal = this.status.refusal();
    if (refusal) throw refusal;
    return this.publisher.publish(this.lane(message.lane), message);
  }

  async receive(laneName: LaneName, signal?: AbortSignal): Promise<Delivery | undefined> {
    if (this.status.closed || signal?.aborted) return undefined;
    const lane = this.lane(laneName);
    for (;;) {
      const msg = await lane.puller.take(signal);
      if (!msg) {
        // The connection closed under the queue (not by `close`): say so rather than look empty, so a worker
        // loop backs off instead of spinning.
        if (!this.status.closed && !signal?.aborted && this.nc.isClosed()) {
          throw this.status.refusal() ?? new QueueUnavailableError('the NATS connection closed');
        }
        return undefined;
      }
      const delivery = JetStreamDelivery.of(this.deliveryContext, lane, msg);
      if (delivery) return delivery;
    }
  }

  async stats(): Promise<Record<LaneName, LaneStats>> {
    const refusal = this.status.refusal();
    if (refusal) throw refusal;
    try {
      const lanes = [...this.lanes.values()];
      const [consumers, deadLettered] = await Promise.all([
        Promise.all(lanes.map((lane) => this.jsm.consumers.info(lane.stream, lane.consumer))),
        this.deadLetters.counts(),
      ]);
      const stats: Partial<Record<LaneName, LaneStats>> = {};
      lanes.forEach((lane, index) => {
        const info = consumers[index];
        stats[lane.name] = {
          depth: info?.num_pending ?? 0,
          capacity: this.limits.maxDepth,
          inflight: info?.num_ack_pending ?? 0,
          wipLimit: this.limits.wipLimit[lane.name],
          deadLettered: deadLettered.get(lane.name) ?? 0,
        };
      });
      // A queue built for some lanes only reports those.
      return stats as Record<LaneName, LaneStats>;
    } catch (error) {
      throw this.status.unavailable('reading the lane stats', error);
    }
  }

  /** Newest first, across the lanes this queue serves; one entry per signal id. */
  async listDeadLetters(limit = Number.POSITIVE_INFINITY): Promise<DeadLetter[]> {
    const refusal = this.status.refusal();
    if (refusal) throw refusal;
    if (!(limit > 0)) return [];
    try {
      return await this.deadLetters.list(limit);
    } catch (error) {
      throw this.status.unavailable('listing the dead letters', error);
    }
  }

  /**
   * Each dead letter (all, or those whose signal id is in `ids`), oldest first, goes back to its lane as
   * generation + 1 and leaves the dead-letter stream. Those that do not fit under maxDepth stay dead-lettered;
   * one whose next generation is already in the lane counts as moved.
   */
  async replayDeadLetters(ids?: readonly string[]): Promise<DeadLetter[]> {
    const refusal = this.status.refusal();
    if (refusal) throw refusal;
    return this.deadLetters.replay(ids);
  }

  availability(): QueueAvailability {
    return this.status.availability();
  }

  /** A round trip to JetStream (not just the connection): rejects with `QueueUnavailableError` when it fails. */
  async ping(): Promise<void> {
    const refusal = this.status.refusal();
    if (refusal) throw refusal;
    try {
      await this.jsm.getAccountInfo();
    } catch (error) {
      throw this.status.unavailable('asking JetStream for the account info', error);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.status.markClosed();
    for (const timer of this.leaseTimers) clearTimeout(timer);
    this.leaseTimers.clear();
    // Wakes waiting receives and gives back messages nobody took.
    for (const lane of this.lanes.values()) lane.puller.close();
    await this.deadLetters.settle();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    if (this.nc.isClosed()) return;
    if (this.status.available) {
      await withTimeout(this.nc.drain(), this.requestTimeoutMs, 'draining the NATS connection').catch(
        (error: unknown) => this.log.debug({ err: error }, 'drain did not finish; closing'),
      );
    }
    if (!this.nc.isClosed()) await this.nc.close();
  }

  private lane(name: LaneName): Lane {
    const lane = this.lanes.get(name);
    if (!lane) throw new RangeError(`this queue has no lane ${String(name)}`);
    return lane;
  }
}

/** Connects to NATS, creates or updates the lanes' streams and consumers, and returns the queue. */
export const createJetStreamWorkQueue = (options: JetStreamWorkQueueOptions): Promise<JetStreamWorkQueue> =>
  JetStreamWorkQueue.open(options);
