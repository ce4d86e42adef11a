/** The vocabulary every part of the system shares: lanes, signal types, statuses and the signal record. */

export const LANES = ['fast', 'slow'] as const;
export type LaneName = (typeof LANES)[number];

export const SIGNAL_TYPES = ['execute', 'validate', 'notify', 'report', 'batch', 'analyze'] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];

export const SIGNAL_STATUSES = [
  'queued',
  'processing',
  'completed',
  'failed',
  'expired',
  'dead_lettered',
] as const;
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];

/** Statuses a signal never leaves by itself; `POST /signal/:id/retry` accepts the last three. */
export const TERMINAL_STATUSES: ReadonlySet<SignalStatus> = new Set([
  'completed',
  'failed',
  'expired',
  'dead_lettered',
]);
export const RETRYABLE_STATUSES: ReadonlySet<SignalStatus> = new Set(['failed', 'expired', 'dead_lettered']);

export type Payload = Record<string, unknown>;

/** What the status store keeps per signal id, and what `GET /signal/:id/status` answers (times are ISO strings). */
export interface SignalRecord {
  id: string;
  signal_type: SignalType;
  lane: LaneName;
  status: SignalStatus;
  attempts: number;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  error?: string;
  trace_id: string;
  /** Epoch ms after which the signal must not start; absent when the client set no timeout_ms. */
  deadline?: number;
  timeout_ms?: number;
  /** Kept so a failed or expired signal can be retried; not shown by the status route. */
  payload?: Payload;
  /** Bumped by each retry or replay, so brokers that dedupe by message id accept the re-queue. */
  generation: number;
}

/** What travels through the queue: everything a worker needs without asking the status store. */
export interface QueueMessage {
  id: string;
  lane: LaneName;
  signal_type: SignalType;
  payload: Payload;
  /** Epoch ms when intake accepted it; queue wait is measured from here. */
  enqueued_at: number;
  deadline?: number;
  generation: number;
  trace_id: string;
  /**
   * W3C trace context of the enqueue span, when its trace is recorded; brokers carry it in a message header,
   * not in the body. Without it the worker goes on in `trace_id`'s trace, not sampled.
   */
  traceparent?: string;
}

/**
 * The broker-level dedupe key: one per (id, generation). Built by join, which makes one flat string: a template
 * literal makes a rope of three heap objects, which is what a broker's message id or the Kanban lane's index of
 * a second generation (PresentIndex) would then keep.
 */
export const messageKey = (message: Pick<QueueMessage, 'id' | 'generation'>): string =>
  [message.id, message.generation].join('#');
