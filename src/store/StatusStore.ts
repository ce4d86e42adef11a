import type { Context } from '@opentelemetry/api';
import type { SignalRecord } from '../domain/signal.js';

/**
 * Where signal statuses live, by id. The in-memory adapter serves embedded mode; PostgreSQL serves the
 * distributed one. Both pass `src/store/conformance.ts`.
 *
 * Retention is bounded: terminal records (completed, failed, expired, dead-lettered) are forgotten after
 * the retention time or when the store is over its size, oldest first; records still in flight never are.
 *
 * A record's payload is kept for retries; a store may let go of it once the signal is completed or
 * dead-lettered (the dead letter carries its own), and the memory store keeps all payloads within
 * STATUS_PAYLOAD_BUDGET_BYTES. A record without its payload is still served; its retry answers 409.
 *
 * `trace`: the trace context a write belongs to (the signal's). Adapters ignore it; `TracedStatusStore` records
 * the write as a span of that trace.
 */
export interface StatusStore {
  /** Inserts when the id is new; otherwise leaves the stored record alone and returns it. */
  create(record: SignalRecord, trace?: Context): Promise<{ record: SignalRecord; created: boolean }>;
  get(id: string): Promise<SignalRecord | undefined>;
  /** Applies the patch to a stored record; `undefined` when the id is unknown. */
  update(
    id: string,
    patch: Partial<Omit<SignalRecord, 'id'>>,
    trace?: Context,
  ): Promise<SignalRecord | undefined>;
  delete(id: string): Promise<void>;
  /** How many records are held (for the status page and the retention test). */
  size(): Promise<number>;
  close(): Promise<void>;
}
