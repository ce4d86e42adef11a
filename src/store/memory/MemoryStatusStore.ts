import { TERMINAL_STATUSES, type SignalRecord, type SignalStatus } from '../../domain/signal.js';
import { systemClock, type Clock } from '../../tps/clock.js';
import { inspectPayload } from '../../tps/pokayoke/index.js';
import type { StatusStore } from '../StatusStore.js';

export interface MemoryStatusStoreOptions {
  /** Records held at most, as long as enough of them are terminal. Default 100 000. */
  maxRecords?: number;
  /** How long a terminal record is kept after it became terminal. Default 15 minutes. */
  retentionMs?: number;
  /** Payload bytes kept for retries, about as JSON text; over it the oldest are dropped. Default 64 MiB. */
  payloadBudgetBytes?: number;
  clock?: Clock;
}

/** What the store holds of payloads, for `/info`. */
export interface PayloadRetention {
  budget_bytes: number;
  retained_bytes: number;
  retained: number;
  /** Payloads let go over the budget since start (not counting those of completed or dead-lettered signals). */
  dropped_over_budget: number;
}

/**
 * Statuses whose payload is no longer needed: a completed signal is never retried, and a dead letter carries its
 * own payload in the dead-letter lane, where retry and replay take it from.
 */
const PAYLOAD_NOT_NEEDED: ReadonlySet<SignalStatus> = new Set(['completed', 'dead_lettered']);

/** Sizes are estimates from a walk, not limited by structure here: the API already held bodies to its limits. */
const UNLIMITED = { maxDepth: Number.POSITIVE_INFINITY, maxMembers: Number.POSITIVE_INFINITY };

/** Expired records removed per write at most, so one write never pays for a long quiet spell. */
const EVICTION_BATCH = 32;

/** When a record became terminal. A record has at most one current mark; older ones in the line are stale. */
interface TerminalMark {
  readonly id: string;
  readonly since: number;
}

/**
 * Signal statuses in a Map, with bounded retention. Terminal records also get a mark in a line kept in the
 * order they became terminal, so the oldest terminal record is always at the head: eviction is O(1) per
 * record, and records still in flight have no current mark, so are never evicted. (A Map would keep that order
 * too, but V8 walks the holes deleted entries leave each time iteration starts again from the front.)
 */
export class MemoryStatusStore implements StatusStore {
  private readonly records = new Map<string, SignalRecord>();
  private readonly marks = new Map<string, TerminalMark>();
  /** Marks oldest first, from `head` on; a mark no longer in `marks` is skipped when it reaches the head. */
  private line: (TerminalMark | undefined)[] = [];
  private head = 0;
  private readonly maxRecords: number;
  private readonly retentionMs: number;
  private readonly payloadBudgetBytes: number;
  /** Ids whose record still holds its payload, oldest first, with the payload's estimated bytes. */
  private readonly payloadBytes = new Map<string, number>();
  private retainedBytes = 0;
  private droppedOverBudget = 0;
  private readonly clock: Clock;

  constructor(options: MemoryStatusStoreOptions = {}) {
    this.maxRecords = options.maxRecords ?? 100_000;
    this.retentionMs = options.retentionMs ?? 15 * 60_000;
    this.payloadBudgetBytes = options.payloadBudgetBytes ?? 64 * 1024 * 1024;
    this.clock = options.clock ?? systemClock;
    if (!Number.isInteger(this.maxRecords) || this.maxRecords < 1) {
      throw new RangeError(`maxRecords must be a whole number ≥ 1, got ${this.maxRecords}`);
    }
    if (!(this.retentionMs >= 0)) throw new RangeError(`retentionMs must be ≥ 0, got ${this.retentionMs}`);
    if (!(this.payloadBudgetBytes >= 0)) {
      throw new RangeError(`payloadBudgetBytes must be ≥ 0, got ${this.payloadBudgetBytes}`);
    }
  }

  create(record: SignalRecord): Promise<{ record: SignalRecord; created: boolean }> {
    const now = this.clock.now();
    const existing = this.live(record.id, now);
    if (existing) return Promise.resolve({ record: { ...existing }, created: false });
    const stored = { ...record };
    this.records.set(stored.id, stored);
    // A new id has no mark to replace (an expired one went in `live`): only a terminal record needs one.
    if (TERMINAL_STATUSES.has(stored.status)) this.track(stored, now);
    this.keepPayload(stored);
    this.evict(now, EVICTION_BATCH);
    return Promise.resolve({ record: { ...stored }, created: true });
  }

  get(id: string): Promise<SignalRecord | undefined> {
    const record = this.live(id, this.clock.now());
    return Promise.resolve(record && { ...record });
  }

  update(id: string, patch: Partial<Omit<SignalRecord, 'id'>>): Promise<SignalRecord | undefined> {
    const now = this.clock.now();
    const stored = this.live(id, now);
    if (!stored) return Promise.resolve(undefined);
    const wasTerminal = TERMINAL_STATUSES.has(stored.status);
    // In place: the stored record has usually reached the old generation by now, and a new object per
    // status change would be promoted again and leave the old one for a full collection to find.
    Object.assign(stored, patch).id = id;
    if (wasTerminal !== TERMINAL_STATUSES.has(stored.status)) this.track(stored, now);
    if ('payload' in patch || PAYLOAD_NOT_NEEDED.has(stored.status)) this.keepPayload(stored);
    this.evict(now, EVICTION_BATCH);
    return Promise.resolve({ ...stored });
  }

  delete(id: string): Promise<void> {
    this.forget(id);
    return Promise.resolve();
  }

  size(): Promise<number> {
    this.evict(this.clock.now(), Number.POSITIVE_INFINITY);
    return Promise.resolve(this.records.size);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  payloadRetention(): PayloadRetention {
    return {
      budget_bytes: this.payloadBudgetBytes,
      retained_bytes: this.retainedBytes,
      retained: this.payloadBytes.size,
      dropped_over_budget: this.droppedOverBudget,
    };
  }

  /**
   * Bounded memory: a record keeps its payload only while a retry may need it, and all kept payloads stay
   * within the budget, the oldest let go first (their retry then answers 409 PAYLOAD_DROPPED).
   */
  private keepPayload(record: SignalRecord): void {
    this.releasePayload(record.id);
    if (record.payload === undefined) return;
    if (PAYLOAD_NOT_NEEDED.has(record.status)) {
      delete record.payload;
      return;
    }
    const shape = inspectPayload(record.payload, UNLIMITED);
    const bytes = shape.ok ? shape.bytes : 0;
    this.payloadBytes.set(record.id, bytes);
    this.retainedBytes += bytes;
    if (this.retainedBytes <= this.payloadBudgetBytes) return;
    for (const [id] of this.payloadBytes) {
      if (this.retainedBytes <= this.payloadBudgetBytes) break;
      this.releasePayload(id);
      const oldest = this.records.get(id);
      if (oldest) delete oldest.payload;
      this.droppedOverBudget += 1;
    }
  }

  private releasePayload(id: string): void {
    const bytes = this.payloadBytes.get(id);
    if (bytes === undefined) return;
    this.payloadBytes.delete(id);
    this.retainedBytes -= bytes;
  }

  /** The stored record, unless it is terminal and past retention (then it goes now). */
  private live(id: string, now: number): SignalRecord | undefined {
    const record = this.records.get(id);
    if (!record) return undefined;
    const mark = this.marks.get(id);
    if (mark && this.expired(mark, now)) {
      this.forget(id);
      return undefined;
    }
    return record;
  }

  private track(record: SignalRecord, now: number): void {
    this.marks.delete(record.id);
    if (!TERMINAL_STATUSES.has(record.status)) return;
    const mark: TerminalMark = { id: record.id, since: now };
    this.marks.set(record.id, mark);
    this.line.push(mark);
  }

  private forget(id: string): void {
    this.releasePayload(id);
    this.records.delete(id);
    this.marks.delete(id);
  }

  private expired(mark: TerminalMark, now: number): boolean {
    return now - mark.since >= this.retentionMs;
  }

  /** Oldest terminal records first: those past retention (up to `limit`), then any over maxRecords. */
  private evict(now: number, limit: number): void {
    let expiredRemoved = 0;
    while (this.head < this.line.length) {
      const mark = this.line[this.head];
      if (mark && this.marks.get(mark.id) === mark) {
        const overSize = this.records.size > this.maxRecords;
        if (!overSize && (expiredRemoved >= limit || !this.expired(mark, now))) break;
        if (!overSize) expiredRemoved += 1;
        this.forget(mark.id);
      }
      this.line[this.head] = undefined;
      this.head += 1;
    }
    if (this.head >= 1_024 && this.head * 2 >= this.line.length) {
      this.line = this.line.slice(this.head);
      this.head = 0;
    }
  }
}

export const createMemoryStatusStore = (options?: MemoryStatusStoreOptions): MemoryStatusStore =>
  new MemoryStatusStore(options);
