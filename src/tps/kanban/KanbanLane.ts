import type { QueueMessage } from '../../domain/signal.js';
import type { DeadLetter } from '../../queue/WorkQueue.js';
import type { Clock } from '../clock.js';
import { deadLetterRecord, type DeadLetterCause } from './deadLetter.js';
import { Fifo } from './Fifo.js';
import { MinHeap } from './MinHeap.js';
import { PresentIndex } from './PresentIndex.js';

export interface KanbanLaneLimits {
  /** Waiting messages the lane admits; a redelivery may go past it, because nothing accepted is dropped. */
  maxDepth: number;
  /** Deliveries out at once and not yet settled. */
  wipLimit: number;
  /** How long a delivery may stay unsettled before it goes back in line. */
  leaseMs: number;
  /** Deliveries a message gets; the one that would exceed it goes to the dead-letter list instead. */
  maxDeliver: number;
}

export type OfferResult = 'accepted' | 'duplicate' | 'full';

export interface LeasedItem {
  readonly message: QueueMessage;
  /** 1 on the first delivery, 2 on the first redelivery, … */
  readonly attempt: number;
  /** Proves ownership of this delivery; stale once the delivery is settled or its lease has expired. */
  readonly token: string;
  readonly leaseUntil: number;
}

export type NakResult =
  | { kind: 'requeued'; readyAt: number }
  | { kind: 'dead_lettered'; deadLetter: DeadLetter }
  | { kind: 'stale' };

export interface ExpiryResult {
  /** Back in line for another delivery. */
  redelivered: QueueMessage[];
  deadLettered: DeadLetter[];
}

interface Entry {
  readonly message: QueueMessage;
  deliveries: number;
}

interface Lease {
  readonly entry: Entry;
  readonly token: string;
  leaseUntil: number;
}

interface Delayed {
  readonly entry: Entry;
  readonly readyAt: number;
  readonly seq: number;
}

/**
 * One Kanban lane as a state machine: a bounded line of waiting messages, a WIP limit on deliveries out,
 * leases that expire into redelivery, and a dead-letter list for messages that keep coming back.
 *
 * Nothing here runs by itself: the adapter calls `expireLeases` and `take` when `nextWakeAt` says time has
 * changed something, or when work arrives or is settled. Redeliveries go ahead of fresh messages, as
 * JetStream and RabbitMQ do.
 */
export class KanbanLane {
  /** Every message waiting or in flight, by (id, generation): the dedupe index. */
  private readonly present = new PresentIndex<Entry>();
  private readonly fresh = new Fifo<Entry>();
  private readonly retries = new Fifo<Entry>();
  private readonly delayed = new MinHeap<Delayed>((a, b) => a.readyAt - b.readyAt || a.seq - b.seq);
  /** In order of expiry: every lease lasts leaseMs, and `extend` moves a lease to the end. */
  private readonly leases = new Map<string, Lease>();
  /** By signal id, oldest first; a newer dead letter of the same id replaces the older one. */
  private readonly deadLetters = new Map<string, DeadLetter>();
  private seq = 0;

  constructor(
    readonly limits: Readonly<KanbanLaneLimits>,
    private readonly clock: Clock,
  ) {
    for (const name of ['maxDepth', 'wipLimit', 'maxDeliver'] as const) {
      if (!Number.isInteger(limits[name]) || limits[name] < 1) {
        throw new RangeError(`${name} must be a whole number ≥ 1, got ${limits[name]}`);
      }
    }
    if (!(limits.leaseMs > 0)) throw new RangeError(`leaseMs must be > 0, got ${limits.leaseMs}`);
  }

  /** Messages waiting, including those whose nak delay has not elapsed. */
  get depth(): number {
    return this.fresh.size + this.retries.size + this.delayed.size;
  }

  get inflight(): number {
    return this.leases.size;
  }

  get deadLettered(): number {
    return this.deadLetters.size;
  }

  offer(message: QueueMessage): OfferResult {
    if (this.present.has(message)) return 'duplicate';
    if (this.depth >= this.limits.maxDepth) return 'full';
    const entry: Entry = { message, deliveries: 0 };
    this.present.add(entry);
    this.fresh.push(entry);
    return 'accepted';
  }

  /** The next message to work on, or undefined when the lane is empty or at its WIP limit. */
  take(now = this.clock.now()): LeasedItem | undefined {
    if (this.leases.size >= this.limits.wipLimit) return undefined;
    this.promoteDelayed(now);
    const entry = this.retries.shift() ?? this.fresh.shift();
    if (!entry) return undefined;
    entry.deliveries += 1;
    const lease: Lease = { entry, token: String(++this.seq), leaseUntil: now + this.limits.leaseMs };
    this.leases.set(lease.token, lease);
    return {
      message: entry.message,
      attempt: entry.deliveries,
      token: lease.token,
      leaseUntil: lease.leaseUntil,
    };
  }

  /** Done: the message leaves the lane. False when the token is stale. */
  ack(token: string): boolean {
    return this.drop(token);
  }

  /** Never deliver again and do not dead-letter. False when the token is stale. */
  term(token: string): boolean {
    return this.drop(token);
  }

  /** Back in line after `delayMs`, or to the dead-letter list when it has had all its deliveries. */
  nak(token: string, delayMs = 0, now = this.clock.now()): NakResult {
    const lease = this.leases.get(token);
    if (!lease) return { kind: 'stale' };
    this.leases.delete(token);
    const deadLetter = this.giveBack(lease.entry, 'nak', now, delayMs);
    return deadLetter
      ? { kind: 'dead_lettered', deadLetter }
      : { kind: 'requeued', readyAt: now + Math.max(0, delayMs) };
  }

  /** Renews the lease for another leaseMs from now. False when the token is stale. */
  extend(token: string, now = this.clock.now()): boolean {
    const lease = this.leases.get(token);
    if (!lease) return false;
    lease.leaseUntil = now + this.limits.leaseMs;
    this.leases.delete(token);
    this.leases.set(token, lease);
    return true;
  }

  /** Takes back every delivery whose lease has run out; their tokens go stale. */
  expireLeases(now = this.clock.now()): ExpiryResult {
    const result: ExpiryResult = { redelivered: [], deadLettered: [] };
    for (const lease of this.leases.values()) {
      if (lease.leaseUntil > now) break;
      this.leases.delete(lease.token);
      const deadLetter = this.giveBack(lease.entry, 'lease_expired', now, 0);
      if (deadLetter) result.deadLettered.push(deadLetter);
      else result.redelivered.push(lease.entry.message);
    }
    return result;
  }

  /** When time alone next changes the lane (a lease runs out or a nak delay ends); undefined if never. */
  nextWakeAt(): number | undefined {
    const lease = this.leases.values().next();
    const leaseUntil = lease.done ? undefined : lease.value.leaseUntil;
    const readyAt = this.delayed.peek()?.readyAt;
    if (leaseUntil === undefined) return readyAt;
    if (readyAt === undefined) return leaseUntil;
    return Math.min(leaseUntil, readyAt);
  }

  /** Newest first. */
  listDeadLetters(limit = Number.POSITIVE_INFINITY): DeadLetter[] {
    const newestFirst = [...this.deadLetters.values()].reverse();
    return newestFirst.slice(0, Math.max(0, limit));
  }

  /**
   * Offers each dead letter (all, or those whose signal id is in `ids`), oldest first, again as generation + 1
   * so brokers that dedupe by (id, generation) take it. Those that do not fit under maxDepth stay dead-lettered.
   * Returns the dead letters that moved (one whose next generation is already in the lane counts as moved).
   */
  replayDeadLetters(ids?: readonly string[]): DeadLetter[] {
    const wanted = ids ? new Set(ids) : undefined;
    const moved: DeadLetter[] = [];
    for (const [id, deadLetter] of this.deadLetters) {
      if (wanted && !wanted.has(id)) continue;
      const outcome = this.offer({ ...deadLetter.message, generation: deadLetter.message.generation + 1 });
      if (outcome === 'full') continue;
      this.deadLetters.delete(id);
      moved.push(deadLetter);
    }
    return moved;
  }

  private drop(token: string): boolean {
    const lease = this.leases.get(token);
    if (!lease) return false;
    this.leases.delete(token);
    this.present.delete(lease.entry);
    return true;
  }

  private giveBack(
    entry: Entry,
    cause: DeadLetterCause,
    now: number,
    delayMs: number,
  ): DeadLetter | undefined {
    if (entry.deliveries >= this.limits.maxDeliver) {
      this.present.delete(entry);
      const deadLetter = deadLetterRecord(entry.message, entry.deliveries, cause, now);
      this.deadLetters.delete(entry.message.id);
      this.deadLetters.set(entry.message.id, deadLetter);
      return deadLetter;
    }
    if (delayMs > 0) this.delayed.push({ entry, readyAt: now + delayMs, seq: ++this.seq });
    else this.retries.push(entry);
    return undefined;
  }

  private promoteDelayed(now: number): void {
    for (let next = this.delayed.peek(); next && next.readyAt <= now; next = this.delayed.peek()) {
      this.delayed.pop();
      this.retries.push(next.entry);
    }
  }
}
