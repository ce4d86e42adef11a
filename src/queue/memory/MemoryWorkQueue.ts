import { EventEmitter, type Disposable } from '../../domain/disposable.js';
import { LANES, type LaneName, type Payload, type QueueMessage } from '../../domain/signal.js';
import { QueueFullError, QueueUnavailableError } from '../../errors/queueErrors.js';
import { withoutStack } from '../../errors/withoutStack.js';
import { systemClock, type Clock } from '../../tps/clock.js';
import { KanbanLane, type LeasedItem } from '../../tps/kanban/KanbanLane.js';
import { serialiseOrRefuse } from '../serialiseOrRefuse.js';
import type {
  QueueAvailability,
  DeadLetter,
  Delivery,
  LaneStats,
  PublishReceipt,
  WorkQueue,
  WorkQueueLimits,
} from '../WorkQueue.js';

export interface MemoryWorkQueueOptions {
  clock?: Clock;
  /** The lanes this queue serves. Default: all of them. */
  lanes?: readonly LaneName[];
}

interface Waiter {
  deliver(delivery: Delivery | undefined): void;
}

interface LaneState {
  readonly name: LaneName;
  readonly kanban: KanbanLane;
  readonly waiters: Waiter[];
  timer: NodeJS.Timeout | undefined;
  timerAt: number | undefined;
}

/**
 * The embedded Kanban queue: one `KanbanLane` per lane, with promises for waiting workers and one unref'd
 * timer per lane set to the lane's next lease expiry or nak delay. Not durable: work lives in this process.
 *
 * Messages are copied on publish, as a broker would. Settling a delivery whose lease has already run out does
 * nothing: the redelivered copy owns the message.
 */
export class MemoryWorkQueue implements WorkQueue {
  readonly backend = 'memory';
  readonly durable = false;

  private readonly clock: Clock;
  private readonly lanes = new Map<LaneName, LaneState>();
  private readonly deadLetterEmitter = new EventEmitter<DeadLetter>();
  private state: QueueAvailability = { available: true };
  private closed = false;

  readonly onDeadLetter = (listener: (deadLetter: DeadLetter) => void): Disposable =>
    this.deadLetterEmitter.addListener(listener);

  constructor(limits: WorkQueueLimits, options: MemoryWorkQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    for (const name of options.lanes ?? LANES) {
      const kanban = new KanbanLane(
        {
          maxDepth: limits.maxDepth,
          wipLimit: limits.wipLimit[name],
          leaseMs: limits.leaseMs,
          maxDeliver: limits.maxDeliver,
        },
        this.clock,
      );
      this.lanes.set(name, { name, kanban, waiters: [], timer: undefined, timerAt: undefined });
    }
  }

  publish(message: QueueMessage): Promise<PublishReceipt> {
    const refusal = this.refusal();
    if (refusal) return Promise.reject(refusal);
    const lane = this.lanes.get(message.lane);
    if (!lane) return Promise.reject(this.noSuchLane(message.lane));
    const { kanban } = lane;
    // A copy, as a broker would keep, but only when the lane has room: a refused message is not stored.
    let offered = message;
    try {
      if (kanban.depth < kanban.limits.maxDepth) offered = serialiseOrRefuse(message, () => copyOf(message));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const outcome = kanban.offer(offered);
    if (outcome === 'full') {
      return Promise.reject(
        withoutStack(() => new QueueFullError(lane.name, kanban.depth, kanban.limits.maxDepth)),
      );
    }
    if (outcome === 'accepted') this.pump(lane);
    return Promise.resolve({ duplicate: outcome === 'duplicate' });
  }

  receive(laneName: LaneName, signal?: AbortSignal): Promise<Delivery | undefined> {
    if (this.closed || signal?.aborted) return Promise.resolve(undefined);
    const lane = this.lanes.get(laneName);
    if (!lane) return Promise.reject(this.noSuchLane(laneName));
    return new Promise((resolve) => {
      const onAbort = (): void => {
        const index = lane.waiters.indexOf(waiter);
        if (index >= 0) lane.waiters.splice(index, 1);
        resolve(undefined);
      };
      const waiter: Waiter = {
        deliver: (delivery) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(delivery);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      lane.waiters.push(waiter);
      this.pump(lane);
    });
  }

  stats(): Promise<Record<LaneName, LaneStats>> {
    const stats: Partial<Record<LaneName, LaneStats>> = {};
    for (const { name, kanban } of this.lanes.values()) {
      stats[name] = {
        depth: kanban.depth,
        capacity: kanban.limits.maxDepth,
        inflight: kanban.inflight,
        wipLimit: kanban.limits.wipLimit,
        deadLettered: kanban.deadLettered,
      };
    }
    // A queue built for some lanes only reports those.
    return Promise.resolve(stats as Record<LaneName, LaneStats>);
  }

  /** Newest first, across lanes. */
  listDeadLetters(limit = Number.POSITIVE_INFINITY): Promise<DeadLetter[]> {
    const all = [...this.lanes.values()].flatMap(({ kanban }) => kanban.listDeadLetters(limit));
    return Promise.resolve(all.sort((a, b) => b.at - a.at).slice(0, Math.max(0, limit)));
  }

  /** Each message goes back as generation + 1; those that do not fit under maxDepth stay dead-lettered. */
  replayDeadLetters(ids?: readonly string[]): Promise<DeadLetter[]> {
    const refusal = this.refusal();
    if (refusal) return Promise.reject(refusal);
    const moved: DeadLetter[] = [];
    for (const lane of this.lanes.values()) {
      const laneMoved = lane.kanban.replayDeadLetters(ids);
      if (laneMoved.length > 0) this.pump(lane);
      moved.push(...laneMoved);
    }
    return Promise.resolve(moved);
  }

  /**
   * Plays a broker outage: while unavailable, publish, replay and settling reject with
   * `QueueUnavailableError` and receive hands out nothing. Leases keep running out meanwhile.
   */
  setAvailable(available: boolean, cause?: string): void {
    this.state = available ? { available } : { available, ...(cause === undefined ? {} : { cause }) };
    if (available) for (const lane of this.lanes.values()) this.pump(lane);
  }

  availability(): QueueAvailability {
    return { ...this.state };
  }

  close(): Promise<void> {
    this.closed = true;
    for (const lane of this.lanes.values()) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
      lane.timerAt = undefined;
      for (const waiter of lane.waiters.splice(0)) waiter.deliver(undefined);
    }
    return Promise.resolve();
  }

  private noSuchLane(name: LaneName): RangeError {
    return new RangeError(`this queue has no lane ${String(name)}`);
  }

  private refusal(): QueueUnavailableError | undefined {
    return this.closed ? new QueueUnavailableError('the memory queue is closed') : this.unavailable();
  }

  /** Reclaims expired leases, hands work to waiting receivers, and sets the lane's timer. */
  private pump(lane: LaneState): void {
    if (this.closed) return;
    const now = this.clock.now();
    const { deadLettered } = lane.kanban.expireLeases(now);
    if (this.state.available) {
      while (lane.waiters.length > 0) {
        const item = lane.kanban.take(now);
        if (!item) break;
        lane.waiters.shift()?.deliver(this.delivery(lane, item));
      }
    }
    this.schedule(lane, now);
    for (const deadLetter of deadLettered) this.deadLetterEmitter.emit(deadLetter);
  }

  private schedule(lane: LaneState, now: number): void {
    const at = lane.kanban.nextWakeAt();
    if (at === lane.timerAt) return;
    clearTimeout(lane.timer);
    lane.timerAt = at;
    lane.timer = undefined;
    if (at === undefined) return;
    lane.timer = setTimeout(
      () => {
        lane.timer = undefined;
        lane.timerAt = undefined;
        this.pump(lane);
      },
      Math.max(1, at - now),
    );
    lane.timer.unref();
  }

  private delivery(lane: LaneState, item: LeasedItem): Delivery {
    const settle = (apply: () => DeadLetter | undefined): Promise<void> => {
      const refusal = this.unavailable();
      if (refusal) return Promise.reject(refusal);
      const deadLetter = apply();
      this.pump(lane);
      if (deadLetter) this.deadLetterEmitter.emit(deadLetter);
      return Promise.resolve();
    };
    const { token } = item;
    return {
      message: item.message,
      attempt: item.attempt,
      ack: () => settle(() => void lane.kanban.ack(token)),
      term: () => settle(() => void lane.kanban.term(token)),
      extend: () => settle(() => void lane.kanban.extend(token)),
      nak: (delayMs = 0) =>
        settle(() => {
          const result = lane.kanban.nak(token, delayMs);
          return result.kind === 'dead_lettered' ? result.deadLetter : undefined;
        }),
    };
  }

  private unavailable(): QueueUnavailableError | undefined {
    if (this.state.available) return undefined;
    const cause = this.state.cause === undefined ? '' : `: ${this.state.cause}`;
    return new QueueUnavailableError(`the memory queue is unavailable${cause}`);
  }
}

/**
 * A copy that shares nothing mutable with the publisher. Strings cannot change, so only the payload is copied,
 * through JSON as the NATS and RabbitMQ adapters carry it (and about twice as fast as structuredClone for the
 * small objects payloads are): copying the whole message would also copy its id and trace id strings, which
 * then live as long as the message waits.
 */
const copyOf = (message: QueueMessage): QueueMessage => ({
  ...message,
  payload: JSON.parse(JSON.stringify(message.payload)) as Payload,
});

export const createMemoryWorkQueue = (
  limits: WorkQueueLimits,
  options?: MemoryWorkQueueOptions,
): MemoryWorkQueue => new MemoryWorkQueue(limits, options);
