/**
 * What `GET /traces` and `GET /traces/:id` answer: recent traces kept in process, told as the value stream
 * of one signal (API → queue → worker → downstream → database). Times are milliseconds; span offsets are
 * from the start of the trace.
 */

/** Whether a span is time spent waiting (in a queue, for a retry) or time spent working on the signal. */
export type StageKind = 'wait' | 'work';

export type SpanKindName = 'server' | 'client' | 'producer' | 'consumer' | 'internal';

/** How the signal of a trace ended, as far as this process saw; `in_progress` while no worker has finished it. */
export const TRACE_OUTCOMES = [
  'in_progress',
  'completed',
  'failed',
  'expired',
  'dead_lettered',
  'retried',
  'rejected',
] as const;
export type TraceOutcome = (typeof TRACE_OUTCOMES)[number];

export interface TraceSpan {
  span_id: string;
  parent_span_id?: string;
  name: string;
  /** The role that recorded it: api, queue, worker, service-c, service-b, service-a, store. */
  service: string;
  kind: SpanKindName;
  stage: StageKind;
  start_ms: number;
  duration_ms: number;
  status: 'ok' | 'error';
  error?: string;
  attributes: Record<string, string | number | boolean>;
}

/** Lead time = the whole trace; process time = the work spans at the top of the worker's part; PCE = process / lead. */
export interface ValueStream {
  lead_time_ms: number;
  process_time_ms: number;
  wait_time_ms: number;
  /** Process-cycle efficiency, 0..1. */
  pce: number;
}

export interface TraceSummary extends ValueStream {
  trace_id: string;
  signal_id?: string;
  signal_type?: string;
  lane?: string;
  outcome: TraceOutcome;
  /** ISO time of the first span. */
  started_at: string;
  duration_ms: number;
  span_count: number;
  error: boolean;
  services: string[];
}

export interface TraceDetail extends TraceSummary {
  spans: TraceSpan[];
}

export interface TraceList {
  traces: TraceSummary[];
  /** Averages over the traces listed that a worker finished (outcome not in_progress or rejected). */
  averages: ValueStream & { count: number };
  /** How many traces the process keeps (TRACE_BUFFER). */
  capacity: number;
}

/** `GET /traces` query: every field optional. */
export interface TraceQuery {
  lane?: string;
  outcome?: TraceOutcome | 'error';
  min_ms?: number;
  signal_id?: string;
  limit?: number;
}

/**
 * A finished span as another process of the distributed mode forwards it to the API (`POST /traces/spans`), so
 * the API's `/traces` holds whole traces: the span with its trace id and absolute times (epoch ms).
 */
export interface ForwardedSpan extends Omit<TraceSpan, 'start_ms' | 'duration_ms'> {
  trace_id: string;
  start: number;
  end: number;
}

/** What the API answers a batch of forwarded spans: how many joined a trace it holds, and the share it keeps. */
export interface ForwardedSpansAnswer {
  accepted: number;
  /** The share of traces (by trace id) the API's buffer takes in now; a sender may leave the others out. */
  share: number;
}

/**
 * How the viewer and the waterfall name a span: its name, and for an HTTP client span, whose name is the
 * method alone as the conventions have it, the service it calls (`POST → service-c`).
 */
export const spanLabel = (span: Pick<TraceSpan, 'name' | 'attributes'>): string => {
  const peer = span.attributes['tps.peer'];
  return peer === undefined ? span.name : `${span.name} → ${String(peer)}`;
};
