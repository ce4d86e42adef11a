import {
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type ConsumerInfo,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StoredMsg,
} from '@nats-io/jetstream';
import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { pino, type Logger } from 'pino';
import { EventEmitter, type Disposable } from '../../domain/disposable.js';
import { LANES, messageKey, type LaneName, type QueueMessage } from '../../domain/signal.js';
import { QueueFullError, QueueUnavailableError, isQueueFullError } from '../../errors/queueErrors.js';
import { redactSecrets } from '../../errors/redactSecrets.js';
import { withoutStack } from '../../errors/withoutStack.js';
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
import {
  deadLetterHeaders,
  decodeDeadLetter,
  messageBody,
  messageHeaders,
  readQueueMessage,
  type StoredDeadLetter,
} from './messageFormat.js';
import { serialiseOrRefuse } from '../serialiseOrRefuse.js';
import { LanePuller } from './LanePuller.js';
import {
  ensureTopology,
  jetStreamNames,
  type JetStreamNames,
  type TopologySettings,
} from './jetStreamTopology.js';

export interface JetStreamWorkQueueOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222` (NATS_URL). */
  servers: string | string[];
  limits: WorkQueueLimits;
  /** Names streams (`<prefix>_<lane>`), subjects (`<prefix>.signals.<lane>`) and consumers. Default `tps`. */
  prefix?: string;
  /** The lanes this queue serves. Default: all of them. */
  lanes?: readonly LaneName[];
  /** Connection name, shown by the server's monitoring (`/connz`). */
  name?: string;
  logger?: Logger;
  /** How long a JetStream request (publish, ack, stream info) may take before it fails. Default 5 000 ms. */
  requestTimeoutMs?: number;
  /** How long JetStream remembers a `Nats-Msg-Id` to drop a repeated publish. Default 2 minutes. */
  duplicateWindowMs?: number;
  /** Pause between reconnect attempts; reconnecting never gives up. Default 1 000 ms. */
  reconnectTimeWaitMs?: number;
  /** Copies of each stream and consumer (NATS_REPLICAS): 1 to 5, at most the cluster's size. Default 1. */
  replicas?: number;
}

const DEFAULT_PREFIX = 'tps';
const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
const DEFAULT_RECONNECT_TIME_WAIT_MS = 1_000;
/** How long one pull request waits at the server before it is renewed. */
const PULL_EXPIRES_MS = 5_000;
/** Bounds the parallel requests that read the dead-letter stream. */
const DEAD_LETTER_READS = 16;

const MAXIMUM_MESSAGES_EXCEEDED = 10077;
const NO_MESSAGE_FOUND = 10037;
const MESSAGE_NOT_FOUND = 10057;

interface Lane {
  readonly name: LaneName;
  readonly stream: string;
  readonly subject: string;
  readonly consumer: string;
  readonly puller: LanePuller;
}

interface DeadLetterMove {
  message: QueueMessage;
  /** The body as it is stored, so the dead letter keeps exactly what was published. */
  data: Uint8Array;
  /** Sequence of the work message in the lane's stream. */
  seq: number;
  attempts: number;
  cause: DeadLetterCause;
  /** The live delivery, when this process holds it: it is terminated so the consumer forgets it. */
  live?: JsMsg;
}

const isApiError = (error: unknown, ...codes: number[]): boolean =>
  error instanceof JetStreamApiError && codes.includes(error.code);

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const withTimeout = async <T>(work: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

const mapLimit = async <T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

const validateLimits = (limits: WorkQueueLimits, lanes: readonly LaneName[]): void => {
  const counts: [string, number][] = [
    ['maxDepth', limits.maxDepth],
    ['maxDeliver', limits.maxDeliver],
    ...lanes.map((lane): [string, number] => [`wipLimit.${lane}`, limits.wipLimit[lane]]),
  ];
  for (const [name, value] of counts) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${name} must be a whole number ≥ 1, got ${value}`);
  }
  if (!(limits.leaseMs > 0)) throw new RangeError(`leaseMs must be > 0, got ${limits.leaseMs}`);
};

/** JetStream keeps 1 to 5 copies of a stream. */
const validateReplicas = (replicas: number): number => {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5)
    throw new RangeError(`replicas must be a whole number from 1 to 5, got ${replicas}`);
  return replicas;
};

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
  private readonly deadLetters = new EventEmitter<DeadLetter>();
  private readonly subscriptions: Subscription[] = [];
  private readonly leaseTimers = new Set<NodeJS.Timeout>();
  /** Dead-letter moves under way, so `close` can let them finish. */
  private readonly moves = new Set<Promise<unknown>>();
  private readonly names: JetStreamNames;
  private readonly limits: WorkQueueLimits;
  private readonly requestTimeoutMs: number;
  private readonly log: Logger;
  private state: QueueAvailability = { available: true };
  private closed = false;
  private closing: Promise<void> | undefined;

  readonly onDeadLetter = (listener: (deadLetter: DeadLetter) => void): Disposable =>
    this.deadLetters.addListener(listener);

  /** Use `createJetStreamWorkQueue`, which connects and sets up the streams first. */
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
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
          release: (msg) => msg.nak(),
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
            void this.track(this.onMaxDeliveries(lane, msg)).catch((moveError: unknown) =>
              this.log.warn(
                { err: moveError, lane: name },
                'could not dead-letter after a max-deliveries advisory',
              ),
            );
          },
        }),
      );
    }
    this.watchConnection();
  }

  /** Connects, creates or updates the streams and consumers, and subscribes to the max-deliveries advisories. */
  static async open(options: JetStreamWorkQueueOptions): Promise<JetStreamWorkQueue> {
    const lanes = options.lanes ?? LANES;
    validateLimits(options.limits, lanes);
    const topology: TopologySettings = {
      names: jetStreamNames(options.prefix ?? DEFAULT_PREFIX),
      limits: { ...options.limits, wipLimit: { ...options.limits.wipLimit } },
      lanes,
      duplicateWindowMs: options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS,
      replicas: validateReplicas(options.replicas ?? 1),
    };
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
    const refusal = this.refusal();
    if (refusal) throw refusal;
    const lane = this.lane(message.lane);
    const body = serialiseOrRefuse(message, () => messageBody(message));
    try {
      const ack = await this.js.publish(lane.subject, body, {
        msgID: messageKey(message),
        headers: messageHeaders(message),
        timeout: this.requestTimeoutMs,
      });
      return { duplicate: ack.duplicate };
    } catch (error) {
      if (isApiError(error, MAXIMUM_MESSAGES_EXCEEDED)) {
        // `discard: new` refuses only when the stream holds max_msgs: that is the depth.
        const { maxDepth } = this.limits;
        throw withoutStack(() => new QueueFullError(lane.name, maxDepth, maxDepth, { cause: error }));
      }
      throw this.unavailable(`publishing to lane ${lane.name}`, error);
    }
  }

  async receive(laneName: LaneName, signal?: AbortSignal): Promise<Delivery | undefined> {
    if (this.closed || signal?.aborted) return undefined;
    const lane = this.lane(laneName);
    for (;;) {
      const msg = await lane.puller.take(signal);
      if (!msg) {
        // The connection closed under the queue (not by `close`): say so rather than look empty, so a worker
        // loop backs off instead of spinning.
        if (!this.closed && !signal?.aborted && this.nc.isClosed()) {
          throw this.refusal() ?? new QueueUnavailableError('the NATS connection closed');
        }
        return undefined;
      }
      const delivery = this.delivery(lane, msg);
      if (delivery) return delivery;
    }
  }

  async stats(): Promise<Record<LaneName, LaneStats>> {
    const refusal = this.refusal();
    if (refusal) throw refusal;
    try {
      const lanes = [...this.lanes.values()];
      const [consumers, deadLettered] = await Promise.all([
        Promise.all(lanes.map((lane) => this.jsm.consumers.info(lane.stream, lane.consumer))),
        this.deadLetterCounts(),
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
      throw this.unavailable('reading the lane stats', error);
    }
  }

  /** Newest first, across the lanes this queue serves; one entry per signal id. */
  async listDeadLetters(limit = Number.POSITIVE_INFINITY): Promise<DeadLetter[]> {
    const refusal = this.refusal();
    if (refusal) throw refusal;
    if (!(limit > 0)) return [];
    try {
      const stored = await this.readDeadLetters(await this.deadLetterSubjects());
      const newest = new Map<string, StoredDeadLetter>();
      for (const entry of stored) {
        const seen = newest.get(entry.deadLetter.message.id);
        if (
          !seen ||
          entry.deadLetter.message.generation > seen.deadLetter.message.generation ||
          (entry.deadLetter.message.generation === seen.deadLetter.message.generation && entry.seq > seen.seq)
        ) {
          newest.set(entry.deadLetter.message.id, entry);
        }
      }
      return [...newest.values()]
        .sort((a, b) => b.deadLetter.at - a.deadLetter.at || b.seq - a.seq)
        .slice(0, limit)
        .map((entry) => entry.deadLetter);
    } catch (error) {
      throw this.unavailable('listing the dead letters', error);
    }
  }

  /**
   * Each dead letter (all, or those whose signal id is in `ids`), oldest first, goes back to its lane as
   * generation + 1 and leaves the dead-letter stream. Those that do not fit under maxDepth stay dead-lettered;
   * one whose next generation is already in the lane counts as moved.
   */
  async replayDeadLetters(ids?: readonly string[]): Promise<DeadLetter[]> {
    const refusal = this.refusal();
    if (refusal) throw refusal;
    let entries: StoredDeadLetter[];
    try {
      const subjects = ids
        ? [...new Set(ids)].flatMap((id) =>
            [...this.lanes.keys()].map((lane) => this.names.deadLetterSubject(lane, id)),
          )
        : await this.deadLetterSubjects();
      entries = await this.readDeadLetters(subjects);
    } catch (error) {
      throw this.unavailable('reading the dead letters', error);
    }
    const moved: DeadLetter[] = [];
    for (const { deadLetter, seq } of entries.sort((a, b) => a.seq - b.seq)) {
      try {
        await this.publish({ ...deadLetter.message, generation: deadLetter.message.generation + 1 });
      } catch (error) {
        if (isQueueFullError(error)) continue;
        throw error;
      }
      try {
        await this.deleteMessage(this.names.deadLetterStream, seq);
      } catch (error) {
        throw this.unavailable('removing a replayed dead letter', error);
      }
      moved.push(deadLetter);
    }
    return moved;
  }

  availability(): QueueAvailability {
    return { ...this.state };
  }

  /** A round trip to JetStream (not just the connection): rejects with `QueueUnavailableError` when it fails. */
  async ping(): Promise<void> {
    const refusal = this.refusal();
    if (refusal) throw refusal;
    try {
      await this.jsm.getAccountInfo();
    } catch (error) {
      throw this.unavailable('asking JetStream for the account info', error);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    for (const timer of this.leaseTimers) clearTimeout(timer);
    this.leaseTimers.clear();
    // Wakes waiting receives and gives back messages nobody took.
    for (const lane of this.lanes.values()) lane.puller.close();
    await withTimeout(Promise.allSettled([...this.moves]), this.requestTimeoutMs, 'dead-letter moves').catch(
      () => undefined,
    );
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    if (this.nc.isClosed()) return;
    if (this.state.available) {
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

  private delivery(lane: Lane, msg: JsMsg): Delivery | undefined {
    const message = readQueueMessage(msg.data, msg.headers);
    if (!message) {
      this.log.error({ lane: lane.name, seq: msg.seq }, 'not a queue message; terminated');
      msg.term();
      return undefined;
    }
    const attempt = msg.info.deliveryCount;
    const last = attempt >= this.limits.maxDeliver;
    let settled = false;
    let leaseTimer: NodeJS.Timeout | undefined;

    const stopLease = (): void => {
      if (!leaseTimer) return;
      clearTimeout(leaseTimer);
      this.leaseTimers.delete(leaseTimer);
      leaseTimer = undefined;
    };
    const deadLetter = (cause: DeadLetterCause): Promise<void> =>
      this.track(
        this.moveToDeadLetters(lane, {
          message,
          data: msg.data,
          seq: msg.seq,
          attempts: attempt,
          cause,
          live: msg,
        }),
      );
    // Only the last attempt needs a clock here: earlier ones are redelivered by the server when their lease ends.
    const startLease = (): void => {
      if (!last) return;
      stopLease();
      const timer = setTimeout(() => {
        this.leaseTimers.delete(timer);
        if (settled || this.closed) return;
        settled = true;
        void deadLetter('lease_expired').catch((error: unknown) =>
          this.log.warn(
            { err: error, lane: lane.name, id: message.id, ...messageLogTraceFields(message) },
            'could not dead-letter an expired last attempt',
          ),
        );
      }, this.limits.leaseMs);
      timer.unref();
      this.leaseTimers.add(timer);
      leaseTimer = timer;
    };
    const settle = async (action: () => Promise<void>): Promise<void> => {
      if (settled) return;
      const refusal = this.refusal();
      if (refusal) throw refusal;
      settled = true;
      stopLease();
      try {
        await action();
      } catch (error) {
        throw this.unavailable('settling a delivery', error);
      }
    };

    startLease();
    return {
      message,
      attempt,
      ack: () =>
        settle(async () => {
          await msg.ackAck({ timeout: this.requestTimeoutMs });
        }),
      nak: (delayMs = 0) =>
        last
          ? settle(() => deadLetter('nak'))
          : settle(() => this.send(() => msg.nak(delayMs > 0 ? delayMs : undefined))),
      term: () => settle(() => this.send(() => msg.term())),
      extend: async () => {
        if (settled) return;
        const refusal = this.refusal();
        if (refusal) throw refusal;
        startLease();
        try {
          await this.send(() => msg.working());
        } catch (error) {
          throw this.unavailable('extending a lease', error);
        }
      },
    };
  }

  /** Sends an ack-protocol message and waits until the server has read it. */
  private async send(write: () => void): Promise<void> {
    write();
    await withTimeout(this.nc.flush(), this.requestTimeoutMs, 'NATS flush');
  }

  /**
   * Stores the message in the dead-letter stream, then removes it from the lane. The dead-letter stream
   * dedupes by work message, so when two processes move the same message only the first fires `onDeadLetter`.
   */
  private async moveToDeadLetters(lane: Lane, move: DeadLetterMove): Promise<void> {
    const deadLetter = deadLetterRecord(move.message, move.attempts, move.cause, Date.now());
    const source = `${lane.stream}:${move.seq}`;
    const ack = await this.js.publish(this.names.deadLetterSubject(lane.name, move.message.id), move.data, {
      msgID: `${messageKey(move.message)}@${source}`,
      headers: deadLetterHeaders(deadLetter, source),
      timeout: this.requestTimeoutMs,
    });
    if (move.live) {
      const live = move.live;
      await this.send(() => live.term());
    }
    await this.deleteMessage(lane.stream, move.seq);
    if (ack.duplicate) return;
    this.log.warn(
      {
        lane: lane.name,
        id: move.message.id,
        ...messageLogTraceFields(move.message),
        attempts: move.attempts,
      },
      'dead-lettered',
    );
    this.deadLetters.emit(deadLetter);
  }

  /** The server gave up on a message whose last lease ran out where no process was watching it. */
  private async onMaxDeliveries(lane: Lane, msg: Msg): Promise<void> {
    if (this.closed) return;
    const advisory = msg.json<{ stream_seq?: unknown; deliveries?: unknown }>();
    if (typeof advisory.stream_seq !== 'number') return;
    const stored = await this.jsm.streams.getMessage(lane.stream, { seq: advisory.stream_seq });
    // Already moved (by this process or another).
    if (!stored) return;
    const message = readQueueMessage(stored.data, stored.header);
    if (!message) {
      this.log.error({ lane: lane.name, seq: stored.seq }, 'not a queue message; removed');
      await this.deleteMessage(lane.stream, stored.seq);
      return;
    }
    const attempts = typeof advisory.deliveries === 'number' ? advisory.deliveries : this.limits.maxDeliver;
    await this.moveToDeadLetters(lane, {
      message,
      data: stored.data,
      seq: stored.seq,
      attempts,
      cause: 'lease_expired',
    });
  }

  /** Deletes one message; one that is already gone is fine. */
  private async deleteMessage(stream: string, seq: number): Promise<void> {
    try {
      await this.jsm.streams.deleteMessage(stream, seq, false);
    } catch (error) {
      if (!isApiError(error, MESSAGE_NOT_FOUND, NO_MESSAGE_FOUND)) throw error;
    }
  }

  /** The dead-letter subjects (one per signal id) of the lanes this queue serves. */
  private async deadLetterSubjects(): Promise<string[]> {
    const info = await this.jsm.streams.info(this.names.deadLetterStream, {
      subjects_filter: this.names.deadLetterSubjects,
    });
    return Object.keys(info.state.subjects ?? {}).filter((subject) => {
      const parsed = this.names.parseDeadLetterSubject(subject);
      return parsed !== undefined && this.lanes.has(parsed.lane as LaneName);
    });
  }

  private async deadLetterCounts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const subject of await this.deadLetterSubjects()) {
      const lane = this.names.parseDeadLetterSubject(subject)?.lane;
      if (lane !== undefined) counts.set(lane, (counts.get(lane) ?? 0) + 1);
    }
    return counts;
  }

  private async readDeadLetters(subjects: readonly string[]): Promise<StoredDeadLetter[]> {
    const stored = await mapLimit(subjects, DEAD_LETTER_READS, (subject) =>
      this.jsm.streams.getMessage(this.names.deadLetterStream, { last_by_subj: subject }),
    );
    return stored
      .filter((msg): msg is StoredMsg => msg !== null)
      .map(decodeDeadLetter)
      .filter((entry): entry is StoredDeadLetter => entry !== undefined);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.moves.add(work);
    const done = (): void => void this.moves.delete(work);
    void work.then(done, done);
    return work;
  }

  private watchConnection(): void {
    const status = this.nc.status();
    void (async () => {
      for await (const event of status) {
        switch (event.type) {
          case 'disconnect':
            this.setUnavailable(`disconnected from NATS at ${event.server}`);
            break;
          case 'reconnecting':
            if (!this.state.available && !this.state.cause?.endsWith('; reconnecting')) {
              this.setUnavailable(`${this.state.cause ?? 'disconnected from NATS'}; reconnecting`);
            }
            break;
          case 'staleConnection':
            this.setUnavailable('the NATS server stopped answering pings');
            break;
          case 'reconnect':
            this.state = { available: true };
            this.log.info({ server: event.server }, 'reconnected to NATS');
            // A server that lost its store comes back without the streams: set them up again.
            ensureTopology(this.jsm, this.topology).catch((error: unknown) =>
              this.log.error({ err: error }, 'could not set up the lanes again after reconnecting'),
            );
            break;
          case 'error':
            this.log.warn({ err: event.error }, 'NATS connection error');
            break;
          case 'ldm':
            this.log.warn({ server: event.server }, 'NATS server entering lame-duck mode');
            break;
          case 'close':
            this.setUnavailable(this.closed ? 'the queue is closed' : 'the NATS connection closed');
            break;
          default:
            break;
        }
      }
    })();
    void this.nc.closed().then(() => {
      this.setUnavailable(this.closed ? 'the queue is closed' : 'the NATS connection closed');
      // Settling or pulling on a closed connection cannot succeed; receivers get undefined.
      if (!this.closed) for (const lane of this.lanes.values()) lane.puller.close();
    });
  }

  private setUnavailable(cause: string): void {
    if (!this.state.available && this.state.cause === cause) return;
    const wasAvailable = this.state.available;
    this.state = { available: false, cause };
    if (wasAvailable && !this.closed) this.log.warn({ cause }, 'NATS unavailable');
  }

  private refusal(): QueueUnavailableError | undefined {
    if (this.closed) return new QueueUnavailableError('the NATS queue is closed');
    if (this.state.available) return undefined;
    return new QueueUnavailableError(`NATS is unavailable: ${this.state.cause ?? 'unknown cause'}`);
  }

  private unavailable(action: string, error: unknown): Error {
    if (error instanceof QueueUnavailableError || isQueueFullError(error)) return error;
    const state = this.state.available ? '' : ` (${this.state.cause ?? 'disconnected'})`;
    return new QueueUnavailableError(`${action} failed${state}: ${describe(error)}`, { cause: error });
  }
}

/** Connects to NATS, creates or updates the lanes' streams and consumers, and returns the queue. */
export const createJetStreamWorkQueue = (options: JetStreamWorkQueueOptions): Promise<JetStreamWorkQueue> =>
  JetStreamWorkQueue.open(options);
