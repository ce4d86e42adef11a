import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type GetMessage,
  type Message,
  type RecoveringChannelModel,
} from 'amqplib';
import { pino, type Logger } from 'pino';
import { EventEmitter, type Disposable } from '../../domain/disposable.js';
import { LANES, messageKey, type LaneName, type QueueMessage } from '../../domain/signal.js';
import { QueueFullError, QueueUnavailableError, isQueueFullError } from '../../errors/queueErrors.js';
import { withoutStack } from '../../errors/withoutStack.js';
import { Fifo } from '../../tps/kanban/Fifo.js';
import { deadLetterRecord, type DeadLetterCause } from '../../tps/kanban/deadLetter.js';
import { messageLogTraceFields } from '../../telemetry/traceContext.js';
import type {
  DeadLetter,
  Delivery,
  LaneStats,
  PublishReceipt,
  QueueAvailability,
  WorkQueue,
  WorkQueueLimits,
} from '../WorkQueue.js';
import { serialiseOrRefuse } from '../serialiseOrRefuse.js';
import {
  decodeMessage,
  deliveryCount,
  encodeMessage,
  lastDeath,
  type EncodedMessage,
} from './amqpMessage.js';
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

/** A publish is admitted on the depth last read from the broker while that is this fresh and far from full. */
const DEPTH_MAX_AGE_MS = 250;
/** At most this many dead letters are read per lane to list or replay them. */
const MAX_DEAD_LETTER_SCAN = 10_000;
/** Why this process's last delivery of a message came back, kept for the dead letters it causes. */
const MAX_HINTS = 1_000;

/** One connection's worth of channels; replaced as a whole when the connection or any of its channels is lost. */
interface Session {
  readonly id: number;
  readonly model: ChannelModel;
  live: boolean;
  /** Message keys the broker returned as unroutable (mandatory publish whose queue is gone). */
  readonly returned: Set<string>;
}

interface ReadySession extends Session {
  /** Publisher confirms: a publish resolves on the broker's ack. */
  readonly publisher: ConfirmChannel;
  /** Declarations and depth reads. */
  readonly admin: Channel;
}

/** A message the lane's consumer received and no `receive` has taken yet. */
interface Inbound {
  readonly session: Session;
  readonly channel: Channel;
  readonly raw: ConsumeMessage;
  readonly message: QueueMessage;
  readonly attempt: number;
}

/** A delivery handed to a receiver: `out` until settled or its lease runs out, `held` while a nak delay runs. */
interface Lease extends Inbound {
  readonly lane: LaneState;
  readonly key: string;
  state: 'out' | 'held' | 'done';
  timer: NodeJS.Timeout | undefined;
}

type Waiter = (delivery: Delivery | undefined) => void;

interface LaneState {
  readonly name: LaneName;
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly wipLimit: number;
  buffer: Fifo<Inbound>;
  readonly waiters: Waiter[];
  /** Handed out and not settled: the lane's in-flight count. */
  readonly outstanding: Set<Lease>;
  /** Nak'ed with a delay: back in line once the delay is over, so counted as waiting. */
  readonly held: Set<Lease>;
  /** A receive asked for this lane, so it keeps a consumer, across reconnects too. */
  wanted: boolean;
  /** The session whose consumer is (being) set up for this lane. */
  consumer: Session | undefined;
  /** Ready messages at the broker, as last read, and when. */
  ready: number;
  readAt: number;
  /** Publishes confirmed since the last depth read was sent (some may be in `ready` already: an overestimate). */
  confirmedSinceRead: number;
  depthRead: Promise<void> | undefined;
  /** Publishes sent and not yet confirmed. */
  publishing: number;
  deadLettered: number;
}

interface Letter {
  readonly raw: GetMessage;
  readonly deadLetter: DeadLetter;
}

interface Hint {
  cause: DeadLetterCause;
  attempts: number;
  at: number;
}

let sessions = 0;

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const ignore = (): void => undefined;

/** Host and port only: the URL may carry a password. */
const where = (url: string): string => {
  try {
    const { hostname, port } = new URL(url);
    return `${hostname}:${port || '5672'}`;
  } catch {
    return 'the AMQP URL';
  }
};

/**
 * The Kanban port on RabbitMQ: one durable quorum queue per lane (`${prefix}.${lane}`) with `x-max-length` and
 * `reject-publish` overflow, publisher confirms, persistent messages, and a delivery limit that dead-letters
 * through the direct exchange `${prefix}.dlx` into a durable queue per lane (`${prefix}.dlq.${lane}`).
 *
 * What RabbitMQ does not give, the adapter adds, and each piece says why where it is done:
 * - a consumer per lane, started by the first `receive`, on its own channel with `prefetch(wipLimit)`, whose
 *   deliveries wait in the adapter until a `receive` takes them (they count as depth, not in-flight);
 * - the lease (RabbitMQ's own consumer timeout is in minutes) and the nak delay, both as timers that end in
 *   `nack(requeue)`, so the broker counts every attempt and dead-letters after `maxDeliver`;
 * - dedupe of (id, generation) within this process, and a depth check before publishing;
 * - reconnecting with backoff (amqplib's recovery), rebuilding channels and consumers after it.
 */
export class RabbitMqWorkQueue implements WorkQueue {
  readonly backend = 'rabbitmq';
  readonly durable = true;
  readonly topology: RabbitMqTopology;

  private readonly limits: WorkQueueLimits;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly where: string;
  private readonly lanes = new Map<LaneName, LaneState>();
  private readonly deadLetterEmitter = new EventEmitter<DeadLetter>();
  /**
   * Dedupe of (id, generation): keys this instance published and has not yet seen acked, terminated or
   * dead-lettered. RabbitMQ has no dedupe of its own, so this does NOT cover a duplicate published by another
   * process (a second API replica) or by this one after a restart, nor does it forget a key another process
   * acked (until the map's bound pushes it out). End to end, the worker's "skip an id already completed" is
   * what makes effects happen once.
   */
  private readonly published = new Map<string, Promise<void>>();
  private readonly maxRemembered: number;
  private readonly hints = new Map<string, Hint>();
  private connection: RecoveringChannelModel | undefined;
  private session: ReadySession | undefined;
  private cause: string | undefined = 'not connected yet';
  /** What ended the last session, kept while reconnect attempts fail. */
  private lossCause: string | undefined;
  private blocked: string | undefined;
  private closed = false;

  readonly onDeadLetter = (listener: (deadLetter: DeadLetter) => void): Disposable =>
    this.deadLetterEmitter.addListener(listener);

  constructor(private readonly options: RabbitMqWorkQueueOptions) {
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
    this.prefix = prefix;
    this.topology = rabbitMqTopology(prefix);
    this.where = where(options.url);
    this.logger = (options.logger ?? pino({ enabled: false })).child({
      component: 'queue',
      backend: 'rabbitmq',
      prefix,
    });
    const lanes = options.lanes ?? LANES;
    for (const name of lanes) {
      const wipLimit = limits.wipLimit[name];
      if (!Number.isInteger(wipLimit) || wipLimit < 1 || wipLimit > 65_535) {
        throw new RangeError(`wipLimit.${name} must be a whole number from 1 to 65535, got ${wipLimit}`);
      }
      this.lanes.set(name, {
        name,
        queue: this.topology.laneQueue(name),
        deadLetterQueue: this.topology.deadLetterQueue(name),
        wipLimit,
        buffer: new Fifo(),
        waiters: [],
        outstanding: new Set(),
        held: new Set(),
        wanted: false,
        consumer: undefined,
        ready: 0,
        readAt: Number.NEGATIVE_INFINITY,
        confirmedSinceRead: 0,
        depthRead: undefined,
        publishing: 0,
        deadLettered: 0,
      });
    }
    this.maxRemembered = Math.max(10_000, 2 * limits.maxDepth * lanes.length);
  }

  /**
   * Opens the connection and declares the topology. The first attempt fails at once with a
   * `QueueUnavailableError` naming the cause; once connected, a lost connection is retried with backoff for ever.
   */
  async connect(): Promise<void> {
    if (this.connection || this.closed)
      throw new Error('connect() is called once, by createRabbitMqWorkQueue');
    const { initialDelayMs = 100, maxDelayMs = 5_000 } = this.options.reconnect ?? {};
    const connection = await connect(this.options.url, {
      timeout: this.options.connectTimeoutMs ?? 5_000,
      clientProperties: { connection_name: `tps queue ${this.prefix} (pid ${process.pid})` },
      recovery: {
        initialDelay: initialDelayMs,
        maxDelay: maxDelayMs,
        initialMaxRetries: 0,
        waitForConnect: false,
        setup: (model: ChannelModel) => this.setUp(model),
      },
    });
    this.connection = connection;
    connection.on('error', (err: Error) => this.logger.warn({ err }, 'RabbitMQ connection error'));
    connection.on('connect-failed', (err: Error) => {
      if (this.closed) return;
      const lost = this.lossCause ?? `cannot connect to RabbitMQ at ${this.where}`;
      this.cause = `${lost}; reconnecting (last attempt: ${err.message})`;
      this.logger.warn({ err }, 'RabbitMQ connection attempt failed');
    });
    connection.on('reconnect-scheduled', ({ attempt, delay }: { attempt: number; delay: number }) =>
      this.logger.info({ attempt, delayMs: delay }, 'reconnecting to RabbitMQ'),
    );
    connection.on('reconnect-failed', (err: Error) => {
      this.cause = `gave up reconnecting to RabbitMQ: ${err.message}`;
      this.logger.error({ err }, 'gave up reconnecting to RabbitMQ');
    });
    // A broker short of memory or disk blocks publishers: refuse at once rather than hang until it recovers.
    connection.on('blocked', (reason: string) => {
      this.blocked = reason;
      this.logger.warn({ reason }, 'RabbitMQ blocked publishing');
    });
    connection.on('unblocked', () => {
      this.blocked = undefined;
      this.logger.info('RabbitMQ unblocked publishing');
    });
    try {
      await connection.waitForConnect();
    } catch (error) {
      this.closed = true;
      await connection.close().catch(ignore);
      throw new QueueUnavailableError(`RabbitMQ at ${this.where} is not usable: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  async publish(message: QueueMessage): Promise<PublishReceipt> {
    const lane = this.lanes.get(message.lane);
    if (!lane) throw this.noSuchLane(message.lane);
    const encoded = serialiseOrRefuse(message, () => encodeMessage(message));
    const session = this.connected();
    if (this.blocked !== undefined) throw this.unavailable();
    const key = messageKey(message);
    const earlier = this.published.get(key);
    if (earlier) {
      // Same (id, generation) already published, or being published, by this instance: its outcome is ours.
      await earlier;
      return { duplicate: true };
    }
    const sending = this.send(session, lane, encoded, key);
    this.remember(key, sending);
    try {
      await sending;
    } catch (error) {
      if (this.published.get(key) === sending) this.published.delete(key);
      throw error;
    }
    return { duplicate: false };
  }

  receive(laneName: LaneName, signal?: AbortSignal): Promise<Delivery | undefined> {
    if (this.closed || signal?.aborted) return Promise.resolve(undefined);
    const lane = this.lanes.get(laneName);
    if (!lane) return Promise.reject(this.noSuchLane(laneName));
    this.consume(lane);
    const inbound = lane.buffer.shift();
    if (inbound) return Promise.resolve(this.lease(lane, inbound));
    return new Promise((resolve) => {
      const onAbort = (): void => {
        const index = lane.waiters.indexOf(waiter);
        if (index >= 0) lane.waiters.splice(index, 1);
        resolve(undefined);
      };
      const waiter: Waiter = (delivery) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(delivery);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      lane.waiters.push(waiter);
    });
  }

  /**
   * Depth is the lane queue's ready count plus what this adapter holds unhanded (buffered or in a nak delay);
   * in-flight is what it has handed out and not seen settled. While RabbitMQ is unreachable the broker's
   * numbers are the last ones read (`availability()` says it is down), so the andon keeps its board.
   */
  async stats(): Promise<Record<LaneName, LaneStats>> {
    const session = this.session;
    if (session?.live) {
      try {
        await Promise.all(
          [...this.lanes.values()].map(async (lane) => {
            await this.readDepth(session, lane);
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

  /**
   * Newest first, across lanes. Peeks each dead-letter queue: reads its messages without acking them, then
   * gives them all back (a classic queue puts them back where they were). Chosen over an in-memory index fed
   * by a consumer because RabbitMQ splits a queue's messages among its consumers: with an API and two workers
   * each index would hold a third, and the DLQ itself stays the one record every process reads.
   */
  async listDeadLetters(limit = Number.POSITIVE_INFINITY): Promise<DeadLetter[]> {
    const session = this.connected();
    const all: DeadLetter[] = [];
    for (const lane of this.lanes.values()) {
      await this.withDeadLetters(session, lane, (letters) => {
        for (const copies of byId(letters).values()) all.push(newest(copies).deadLetter);
      });
    }
    // Ties (RabbitMQ stamps dead letters to the second) keep the newest first too.
    return all
      .reverse()
      .sort((a, b) => b.at - a.at)
      .slice(0, Math.max(0, limit));
  }

  /**
   * Publishes each dead letter (all, or those whose signal id is in `ids`) to its lane as generation + 1, and
   * only after the broker confirmed that, removes it from the dead-letter queue. Those that do not fit under
   * maxDepth stay dead-lettered. An id dead-lettered more than once goes back once, as its newest copy.
   */
  async replayDeadLetters(ids?: readonly string[]): Promise<DeadLetter[]> {
    const session = this.connected();
    const wanted = ids ? new Set(ids) : undefined;
    const moved: DeadLetter[] = [];
    for (const lane of this.lanes.values()) {
      await this.withDeadLetters(session, lane, async (letters, channel) => {
        for (const [id, copies] of byId(letters)) {
          if (wanted && !wanted.has(id)) continue;
          const { deadLetter } = newest(copies);
          try {
            await this.publish({ ...deadLetter.message, generation: deadLetter.message.generation + 1 });
          } catch (error) {
            if (isQueueFullError(error)) continue;
            throw error;
          }
          for (const copy of copies) channel.ack(copy.raw);
          moved.push(deadLetter);
        }
      });
    }
    return moved;
  }

  availability(): QueueAvailability {
    if (this.closed) return { available: false, cause: 'the RabbitMQ queue is closed' };
    if (!this.session?.live) return { available: false, cause: this.cause ?? 'not connected to RabbitMQ' };
    if (this.blocked !== undefined) {
      return { available: false, cause: `RabbitMQ blocked publishing: ${this.blocked}` };
    }
    return { available: true };
  }

  /** For /health: resolves once the broker has answered a question about the first lane's queue. */
  async ping(): Promise<void> {
    const session = this.connected();
    const [lane] = this.lanes.values();
    if (!lane) return;
    try {
      await session.admin.checkQueue(lane.queue);
    } catch (error) {
      throw new QueueUnavailableError(`RabbitMQ did not answer: ${describe(error)}`, { cause: error });
    }
    if (this.blocked !== undefined) throw this.unavailable();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const lane of this.lanes.values()) {
      for (const waiter of lane.waiters.splice(0)) waiter(undefined);
      lane.buffer = new Fifo();
      for (const lease of lane.outstanding) clearTimeout(lease.timer);
      lane.outstanding.clear();
      // A nak asked for another attempt: it goes back now rather than when the delay would have ended.
      for (const lease of lane.held) {
        clearTimeout(lease.timer);
        lease.state = 'done';
        this.nack(lease);
      }
      lane.held.clear();
    }
    const session = this.session;
    // Publishes still waiting for their confirm get it before the channel goes.
    if (session?.live) await session.publisher.waitForConfirms().catch(ignore);
    await this.connection?.close().catch(ignore);
    if (session) this.lose(session, 'closed');
    this.logger.debug('closed');
  }

  // --- connection and session ----------------------------------------------------------------------------

  /** Run by amqplib's recovery on every (re)connection, before it counts as connected. */
  private async setUp(model: ChannelModel): Promise<void> {
    if (this.closed) throw new Error('closed');
    const base: Session = { id: ++sessions, model, live: true, returned: new Set() };
    // amqplib's recovery listens only once set-up succeeds; until then an error event must not go unheard.
    model.on('error', (err: Error) => this.logger.debug({ err }, 'RabbitMQ connection error'));
    model.once('close', (err?: Error) =>
      this.lose(base, err ? `lost the connection to RabbitMQ at ${this.where}: ${err.message}` : 'closed'),
    );
    try {
      const publisher = await this.openChannel(base, 'publisher', true);
      const admin = await this.openChannel(base, 'admin', false);
      const session: ReadySession = Object.assign(base, { publisher, admin });
      publisher.on('return', (returned: Message) =>
        session.returned.add(String(returned.properties.messageId)),
      );
      await this.declare(admin);
      await this.tapDeadLetters(session);
      this.session = session;
      this.cause = undefined;
      this.lossCause = undefined;
      this.blocked = undefined;
      for (const lane of this.lanes.values()) {
        if (!lane.wanted) continue;
        lane.consumer = session;
        await this.startConsumer(session, lane);
      }
      this.logger.info({ session: session.id, at: this.where }, 'connected to RabbitMQ');
    } catch (error) {
      this.lose(base, `cannot set up RabbitMQ at ${this.where}: ${describe(error)}`);
      throw error;
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

  /**
   * onDeadLetter: a private, exclusive queue bound to the dead-letter exchange gets a copy of every dead letter.
   * Consuming the dead-letter queue itself would either remove what it holds (ack) or pin it unacked to one
   * process; the tap lets every process see every dead letter while the DLQ keeps them.
   */
  private async tapDeadLetters(session: Session): Promise<void> {
    const tap = await this.openChannel(session, 'dead-letter tap', false);
    const { queue } = await tap.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    for (const lane of this.lanes.values()) {
      await tap.bindQueue(queue, this.topology.deadLetterExchange, lane.name);
    }
    await tap.consume(queue, (raw) => raw && this.onDeadLettered(raw), { noAck: true });
  }

  /** A channel whose loss, unless the whole connection went, rebuilds the session on a new connection. */
  private async openChannel(session: Session, role: string, confirm: true): Promise<ConfirmChannel>;
  private async openChannel(session: Session, role: string, confirm: false): Promise<Channel>;
  private async openChannel(session: Session, role: string, confirm: boolean): Promise<Channel> {
    const channel = confirm
      ? await session.model.createConfirmChannel()
      : await session.model.createChannel();
    let failure: Error | undefined;
    channel.on('error', (err: Error) => {
      failure = err;
    });
    channel.on('close', () => {
      // When the connection goes, its channels close first and the connection in the same turn: wait a turn,
      // so that the connection's cause is the one reported.
      setImmediate(() => {
        if (!session.live || this.closed) return;
        const detail = failure ? `: ${failure.message}` : '';
        this.fail(session, `RabbitMQ closed the ${role} channel${detail}`);
      });
    });
    return channel;
  }

  /** Gives up the session and closes its connection; amqplib's recovery then reconnects with backoff. */
  private fail(session: Session, cause: string): void {
    this.lose(session, cause);
    session.model.close().catch(ignore);
  }

  /**
   * Everything that lived on the session's channels is gone with them: the broker takes back every unacked
   * message and delivers it again. Buffered deliveries are dropped, handed-out ones can no longer be settled
   * (settling them later is a no-op with a warning), and nak delays are cancelled.
   */
  private lose(session: Session, cause: string): void {
    if (!session.live) return;
    session.live = false;
    if (this.session === session) this.session = undefined;
    if (!this.closed) {
      this.cause = cause;
      this.lossCause = cause;
      this.logger.warn({ session: session.id, cause }, 'RabbitMQ session lost; reconnecting');
    }
    for (const lane of this.lanes.values()) {
      lane.buffer = new Fifo();
      for (const lease of lane.outstanding) clearTimeout(lease.timer);
      lane.outstanding.clear();
      for (const lease of lane.held) {
        clearTimeout(lease.timer);
        lease.state = 'done';
      }
      lane.held.clear();
      if (lane.consumer === session) lane.consumer = undefined;
    }
  }

  private connected(): ReadySession {
    if (this.closed) throw new QueueUnavailableError('the RabbitMQ queue is closed');
    const session = this.session;
    if (!session?.live) throw this.unavailable();
    return session;
  }

  private unavailable(): QueueUnavailableError {
    const { cause } = this.availability();
    return withoutStack(() => new QueueUnavailableError(`RabbitMQ is unavailable: ${cause ?? 'unknown'}`));
  }

  private noSuchLane(name: LaneName): RangeError {
    return new RangeError(`this queue has no lane ${String(name)}`);
  }

  // --- publishing ----------------------------------------------------------------------------------------

  private async send(
    session: ReadySession,
    lane: LaneState,
    encoded: EncodedMessage,
    key: string,
  ): Promise<void> {
    await this.admit(session, lane);
    try {
      if (!session.live) throw this.unavailable();
      await this.confirmedPublish(session, lane, encoded, key);
      lane.confirmedSinceRead += 1;
    } finally {
      lane.publishing -= 1;
    }
  }

  /**
   * MAX_QUEUE_DEPTH, checked before publishing; on admission the publish counts as `publishing` (the caller
   * takes it off once confirmed or refused). The queue's own x-max-length cannot do it alone: a quorum queue
   * admits one message past it before it turns to rejecting, then rejects until it is down to 80 % of it, and it
   * counts only ready messages, not those its consumers hold. So the depth is the broker's ready count plus what
   * this adapter holds unhanded, read again (one read shared by concurrent publishes) unless the last read is
   * fresh and the lane far from full. Other processes' publishes and buffers are covered by x-max-length only.
   */
  private async admit(session: ReadySession, lane: LaneState): Promise<void> {
    const { maxDepth } = this.limits;
    const depth = (): number =>
      lane.ready + lane.confirmedSinceRead + lane.buffer.size + lane.held.size + lane.publishing;
    if (depth() * 2 >= maxDepth || Date.now() - lane.readAt > DEPTH_MAX_AGE_MS) {
      lane.depthRead ??= this.readDepth(session, lane).finally(() => {
        lane.depthRead = undefined;
      });
      try {
        await lane.depthRead;
      } catch (error) {
        throw new QueueUnavailableError(
          `RabbitMQ did not say how deep ${lane.queue} is: ${describe(error)}`,
          {
            cause: error,
          },
        );
      }
    }
    const now = depth();
    if (now >= maxDepth) throw withoutStack(() => new QueueFullError(lane.name, now, maxDepth));
    // Counted in the same turn as the check, so concurrent publishes cannot all pass on the same number.
    lane.publishing += 1;
  }

  private async readDepth(session: ReadySession, lane: LaneState): Promise<void> {
    const sentAt = Date.now();
    lane.confirmedSinceRead = 0;
    const { messageCount } = await session.admin.checkQueue(lane.queue);
    lane.ready = messageCount;
    lane.readAt = sentAt;
  }

  private confirmedPublish(
    session: ReadySession,
    lane: LaneState,
    { body, options }: EncodedMessage,
    key: string,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const confirmed = (err: unknown): void => {
        if (session.returned.delete(key)) {
          reject(
            new QueueUnavailableError(`RabbitMQ could not route to ${lane.queue}: was the queue deleted?`),
          );
        } else if (!err) {
          resolve();
        } else if (err instanceof Error && err.message === 'message nacked') {
          // With reject-publish overflow, a nack is the lane at x-max-length (another process filled it).
          const { maxDepth } = this.limits;
          reject(withoutStack(() => new QueueFullError(lane.name, maxDepth, maxDepth, { cause: err })));
        } else {
          reject(
            new QueueUnavailableError(`RabbitMQ did not confirm the publish: ${describe(err)}`, {
              cause: err,
            }),
          );
        }
      };
      try {
        session.publisher.sendToQueue(lane.queue, body, options, confirmed);
      } catch (error) {
        reject(new QueueUnavailableError(`cannot publish to RabbitMQ: ${describe(error)}`, { cause: error }));
      }
    });
  }

  private remember(key: string, sending: Promise<void>): void {
    this.published.set(key, sending);
    if (this.published.size > this.maxRemembered) {
      const oldest = this.published.keys().next();
      if (!oldest.done) this.published.delete(oldest.value);
    }
  }

  // --- consuming -----------------------------------------------------------------------------------------

  /** Starts the lane's consumer on the current session unless it has one; an API that never receives never consumes. */
  private consume(lane: LaneState): void {
    lane.wanted = true;
    const session = this.session;
    if (!session?.live || lane.consumer === session) return;
    lane.consumer = session;
    this.startConsumer(session, lane).catch((error: unknown) => {
      if (session.live) this.fail(session, `cannot consume ${lane.queue}: ${describe(error)}`);
    });
  }

  private async startConsumer(session: Session, lane: LaneState): Promise<void> {
    const channel = await this.openChannel(session, `${lane.name} consumer`, false);
    // Per consumer: the broker never has more than wipLimit of this lane's messages out to this process.
    await channel.prefetch(lane.wipLimit);
    await channel.consume(lane.queue, (raw) => this.onDelivery(session, lane, channel, raw));
  }

  private onDelivery(session: Session, lane: LaneState, channel: Channel, raw: ConsumeMessage | null): void {
    if (raw === null) {
      // The broker cancelled the consumer, as it does when the queue is deleted: declare it again.
      if (session.live && !this.closed)
        this.fail(session, `RabbitMQ cancelled the consumer of ${lane.queue}`);
      return;
    }
    if (!session.live || this.closed) return;
    const message = decodeMessage(raw);
    if (!message) {
      this.logger.error(
        { lane: lane.name, messageId: raw.properties.messageId as unknown },
        'not a queue message; dead-lettering it',
      );
      channel.nack(raw, false, false);
      return;
    }
    const inbound: Inbound = { session, channel, raw, message, attempt: deliveryCount(raw) + 1 };
    const waiter = lane.waiters.shift();
    if (waiter) waiter(this.lease(lane, inbound));
    else lane.buffer.push(inbound);
  }

  private lease(lane: LaneState, inbound: Inbound): Delivery {
    const lease: Lease = {
      ...inbound,
      lane,
      key: messageKey(inbound.message),
      state: 'out',
      timer: undefined,
    };
    lane.outstanding.add(lease);
    this.arm(lease);
    return {
      message: inbound.message,
      attempt: inbound.attempt,
      ack: () => this.finish(lease, 'ack'),
      term: () => this.finish(lease, 'term'),
      nak: (delayMs = 0) => this.giveBack(lease, delayMs),
      extend: () => {
        if (this.settleable(lease, 'extend')) this.arm(lease);
        return Promise.resolve();
      },
    };
  }

  /**
   * The lease. RabbitMQ only redelivers an unacked message when its channel closes, or after a consumer
   * timeout counted in minutes and closing the whole channel; so the adapter keeps a timer per delivery and,
   * when it runs out, gives the message back itself (nack with requeue). The broker counts that return, so the
   * redelivery comes as attempt + 1, and the return after the last attempt dead-letters it.
   */
  private arm(lease: Lease): void {
    clearTimeout(lease.timer);
    lease.timer = setTimeout(() => {
      if (lease.state !== 'out' || !lease.session.live) return;
      this.release(lease);
      this.logger.debug({ id: lease.message.id, attempt: lease.attempt }, 'lease ran out; giving it back');
      this.requeue(lease, 'lease_expired');
    }, this.limits.leaseMs);
    lease.timer.unref();
  }

  private finish(lease: Lease, action: 'ack' | 'term'): Promise<void> {
    if (!this.settleable(lease, action)) return Promise.resolve();
    this.release(lease);
    // term acks too: the message leaves the lane and is not dead-lettered.
    try {
      lease.channel.ack(lease.raw);
    } catch (err) {
      this.logger.warn(
        { err, id: lease.message.id, action },
        'could not ack; RabbitMQ will deliver it again',
      );
      return Promise.resolve();
    }
    this.published.delete(lease.key);
    return Promise.resolve();
  }

  /**
   * The nak delay, without the delayed-message plugin: the adapter holds the delivery (unacked, so the broker
   * still keeps the message safe) and gives it back when the delay ends. Chosen over a retry queue with a TTL
   * that dead-letters back into the lane because that loses the broker's delivery count (a republished message
   * starts at 0 again), a quorum queue expires messages only from its head (a long delay would hold up a short
   * one behind it), and its dead-lettering back into a full lane can drop the message. The price: a held
   * delivery keeps its prefetch slot, so the WIP limit counts it until the delay ends.
   */
  private giveBack(lease: Lease, delayMs: number): Promise<void> {
    if (!this.settleable(lease, 'nak')) return Promise.resolve();
    this.release(lease);
    if (delayMs <= 0 || lease.attempt >= this.limits.maxDeliver) {
      this.requeue(lease, 'nak');
      return Promise.resolve();
    }
    lease.state = 'held';
    lease.lane.held.add(lease);
    lease.timer = setTimeout(() => {
      if (lease.state !== 'held') return;
      lease.state = 'done';
      lease.lane.held.delete(lease);
      this.nack(lease);
    }, delayMs);
    lease.timer.unref();
    return Promise.resolve();
  }

  /**
   * Whether the delivery can still be settled. Not once its lease ran out (the redelivered copy owns the
   * message), and not once its channel is gone: RabbitMQ has taken the message back and delivers it again,
   * so acking it is a no-op (with a warning), not a crash.
   */
  private settleable(lease: Lease, action: string): boolean {
    if (lease.state !== 'out') {
      this.logger.debug({ id: lease.message.id, action }, 'delivery already settled or its lease ran out');
      return false;
    }
    if (!lease.session.live) {
      lease.state = 'done';
      this.logger.warn(
        { id: lease.message.id, attempt: lease.attempt, action },
        `${action} of a delivery whose channel is gone: ignored, RabbitMQ delivers the message again`,
      );
      return false;
    }
    return true;
  }

  private release(lease: Lease): void {
    clearTimeout(lease.timer);
    lease.timer = undefined;
    lease.state = 'done';
    lease.lane.outstanding.delete(lease);
  }

  private requeue(lease: Lease, cause: DeadLetterCause): void {
    if (lease.attempt >= this.limits.maxDeliver) {
      // This return dead-letters it; the dead letter's reason can then say what happened.
      this.hints.set(lease.key, { cause, attempts: lease.attempt, at: Date.now() });
      if (this.hints.size > MAX_HINTS) this.hints.delete(this.hints.keys().next().value as string);
    }
    this.nack(lease);
  }

  private nack(lease: Lease): void {
    if (!lease.session.live) return;
    try {
      lease.channel.nack(lease.raw, false, true);
    } catch (err) {
      this.logger.warn(
        { err, id: lease.message.id, ...messageLogTraceFields(lease.message) },
        'could not nack; RabbitMQ will deliver it again',
      );
    }
  }

  // --- dead letters --------------------------------------------------------------------------------------

  private onDeadLettered(raw: ConsumeMessage): void {
    const deadLetter = this.toDeadLetter(raw);
    if (!deadLetter) return;
    this.published.delete(messageKey(deadLetter.message));
    this.logger.info(
      { id: deadLetter.message.id, lane: deadLetter.message.lane, attempts: deadLetter.attempts },
      'dead-lettered',
    );
    this.deadLetterEmitter.emit(deadLetter);
  }

  /**
   * The broker records why (`x-death`) but resets `x-delivery-count` when it dead-letters, so the attempts of
   * a `delivery_limit` death are MAX_DELIVER (what the queue's limit is set to). When this process gave the
   * last delivery back, it also knows whether that was a nak or a lease running out.
   */
  private toDeadLetter(raw: Message): DeadLetter | undefined {
    const message = decodeMessage(raw);
    if (!message) {
      this.logger.warn({ messageId: raw.properties.messageId as unknown }, 'unreadable dead letter skipped');
      return undefined;
    }
    const death = lastDeath(raw);
    const hint = this.hints.get(messageKey(message));
    const at = hint?.at ?? death?.at ?? Date.now();
    if (hint) return deadLetterRecord(message, hint.attempts, hint.cause, at);
    const reason = death?.reason ?? 'unknown';
    if (reason === 'delivery_limit') {
      const attempts = this.limits.maxDeliver;
      const times = `${attempts} time${attempts === 1 ? '' : 's'}`;
      return {
        message,
        attempts,
        reason: `delivered ${times} (the maximum); RabbitMQ dead-lettered it when the last one came back`,
        at,
      };
    }
    return { message, attempts: deliveryCount(raw) + 1, reason: `RabbitMQ dead-lettered it (${reason})`, at };
  }

  /** Reads a lane's dead letters (up to MAX_DEAD_LETTER_SCAN) on a channel of their own; what `work` does not ack goes back. */
  private async withDeadLetters(
    session: ReadySession,
    lane: LaneState,
    work: (letters: Letter[], channel: Channel) => void | Promise<void>,
  ): Promise<void> {
    let channel: Channel;
    try {
      channel = await session.model.createChannel();
    } catch (error) {
      throw new QueueUnavailableError(`cannot read the dead letters: ${describe(error)}`, { cause: error });
    }
    channel.on('error', (err: Error) => this.logger.debug({ err }, 'dead-letter channel error'));
    try {
      const { messageCount } = await channel.checkQueue(lane.deadLetterQueue);
      const letters: Letter[] = [];
      for (let i = 0; i < Math.min(messageCount, MAX_DEAD_LETTER_SCAN); i++) {
        const raw = await channel.get(lane.deadLetterQueue, { noAck: false });
        if (raw === false) break;
        const deadLetter = this.toDeadLetter(raw);
        if (deadLetter) letters.push({ raw, deadLetter });
      }
      await work(letters, channel);
    } catch (error) {
      if (isQueueFullError(error) || error instanceof QueueUnavailableError) throw error;
      throw new QueueUnavailableError(`cannot read the dead letters: ${describe(error)}`, { cause: error });
    } finally {
      try {
        channel.nackAll(true);
      } catch {
        // The channel is gone, and with it every message it held: back in the queue already.
      }
      await channel.close().catch(ignore);
    }
  }
}

/** Dead letters by signal id, oldest first (the dead-letter queue's order). */
const byId = (letters: readonly Letter[]): Map<string, Letter[]> => {
  const groups = new Map<string, Letter[]>();
  for (const letter of letters) {
    const id = letter.deadLetter.message.id;
    const group = groups.get(id);
    if (group) group.push(letter);
    else groups.set(id, [letter]);
  }
  return groups;
};

/** As in the memory queue, a newer dead letter of a signal id stands for the older ones. */
const newest = (copies: readonly Letter[]): Letter => copies[copies.length - 1] as Letter;

export const createRabbitMqWorkQueue = async (
  options: RabbitMqWorkQueueOptions,
): Promise<RabbitMqWorkQueue> => {
  const queue = new RabbitMqWorkQueue(options);
  await queue.connect();
  return queue;
};
