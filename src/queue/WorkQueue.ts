import type { Disposable } from '../domain/disposable.js';
import type { LaneName, QueueMessage } from '../domain/signal.js';

/**
 * The Kanban port: bounded lanes that workers pull from, with ack, lease and redelivery.
 * Memory, NATS JetStream and RabbitMQ adapters implement it and pass the one conformance suite
 * (`src/queue/conformance.ts`).
 *
 * Semantics every adapter keeps:
 * - `publish` resolves only once the backend has durably accepted the message (memory: enqueued).
 *   A lane at `maxDepth` rejects with `QueueFullError`; a backend that is down rejects with
 *   `QueueUnavailableError`. Publishing a message whose (id, generation) is already in the lane
 *   resolves `{ duplicate: true }` and adds nothing.
 * - `receive` hands one message to one caller. A lane never has more than `wipLimit` deliveries
 *   un-acked; `receive` waits while it is at the limit or empty.
 * - A delivery not acked, nak'ed or terminated within `leaseMs` (renewed by `extend`) is delivered
 *   again, with `attempt` one higher. The delivery that would exceed `maxDeliver` goes to the
 *   dead-letter lane instead, and `onDeadLetter` fires.
 */
export interface WorkQueue {
  readonly backend: 'memory' | 'nats' | 'rabbitmq' | 'nats+rabbitmq';
  /** Whether accepted work survives a crash of this process. */
  readonly durable: boolean;

  publish(message: QueueMessage): Promise<PublishReceipt>;
  /** Resolves the next delivery, or `undefined` once `signal` aborts or the queue closes. */
  receive(lane: LaneName, signal?: AbortSignal): Promise<Delivery | undefined>;
  stats(): Promise<Record<LaneName, LaneStats>>;

  listDeadLetters(limit?: number): Promise<DeadLetter[]>;
  /** Moves dead letters back to their lanes (all when `ids` is omitted); returns the ids moved. */
  replayDeadLetters(ids?: readonly string[]): Promise<DeadLetter[]>;
  onDeadLetter(listener: (deadLetter: DeadLetter) => void): Disposable;

  /** Whether the backend takes and gives work right now, and if not, why (for /health and the andon). */
  availability(): QueueAvailability;

  /** Stops handing out work, wakes every waiting `receive` with `undefined`, releases resources. */
  close(): Promise<void>;
}

export interface QueueAvailability {
  available: boolean;
  cause?: string;
  /** A composite queue is taking work on its secondary backend because its primary is down. */
  fallbackActive?: boolean;
  /** Available, but with less margin than it should have (a composite queue whose fallback is down). */
  degraded?: boolean;
}

export interface PublishReceipt {
  duplicate: boolean;
  /** The backend that took the message, where the queue has two (`nats+rabbitmq`): the fallback may have. */
  carrier?: MessagingBackend;
}

/** A backend that carries messages: what a trace names as `messaging.system`. */
export type MessagingBackend = 'memory' | 'nats' | 'rabbitmq';

/** The backend a queue normally carries messages on: a composite queue's primary. */
export const primaryBackendOf = (queue: Pick<WorkQueue, 'backend'>): MessagingBackend =>
  queue.backend === 'nats+rabbitmq' ? 'nats' : queue.backend;

export interface Delivery {
  readonly message: QueueMessage;
  /** 1 on the first delivery, 2 on the first redelivery, … */
  readonly attempt: number;
  /** The backend that delivered it, where the queue has two (`nats+rabbitmq`). */
  readonly carrier?: MessagingBackend;
  /** Done: the message leaves the queue. */
  ack(): Promise<void>;
  /** Give it back for another attempt after `delayMs` (counts as a delivery attempt). */
  nak(delayMs?: number): Promise<void>;
  /** Never deliver again and do not dead-letter (the processor decided it failed for good). */
  term(): Promise<void>;
  /** Still working: renew the lease. */
  extend(): Promise<void>;
}

export interface LaneStats {
  /** Messages waiting to be delivered (not counting in-flight ones). */
  depth: number;
  capacity: number;
  /** Delivered and not yet acked. */
  inflight: number;
  wipLimit: number;
  deadLettered: number;
}

export interface DeadLetter {
  message: QueueMessage;
  attempts: number;
  reason: string;
  /** Epoch ms. */
  at: number;
}

/** Settings every adapter takes, named after the environment variables that set them. */
export interface WorkQueueLimits {
  /** MAX_QUEUE_DEPTH: waiting messages per lane. */
  maxDepth: number;
  /** WIP_LIMIT: un-acked deliveries per lane. */
  wipLimit: Record<LaneName, number>;
  /** LEASE_MS: how long a delivery may stay un-acked before it is redelivered. */
  leaseMs: number;
  /** MAX_DELIVER: deliveries before a message is dead-lettered. */
  maxDeliver: number;
}
