import type { TraceDetail, TraceOutcome, TraceQuery, TraceSpan, TraceSummary } from '../../domain/traces.js';
import { measureValueStream, round } from './measureValueStream.js';

/** A finished span with absolute times (epoch ms), as a trace store keeps it. */
export interface RecordedSpan extends Omit<TraceSpan, 'start_ms' | 'duration_ms'> {
  start: number;
  end: number;
}

/** Attribute names the summary reads; the code that records spans sets them. */
export const ATTRIBUTES = {
  /** Which role recorded the span, as the viewer groups them: api, queue, worker, service-c, store… */
  service: 'tps.service',
  /** `wait` for time spent waiting (in a queue); work otherwise. */
  stage: 'tps.stage',
  signalId: 'tps.signal_id',
  signalType: 'tps.signal_type',
  lane: 'tps.lane',
  outcome: 'tps.outcome',
  /** The service a client span calls (service-c, -b, -a): its HTTP name alone is the method. */
  peer: 'tps.peer',
} as const;

/** A worker attempt's outcome as a trace's outcome; a duplicate delivery says nothing about the signal. */
const OUTCOMES: Record<string, TraceOutcome | undefined> = {
  completed: 'completed',
  failed: 'failed',
  expired: 'expired',
  dead_lettered: 'dead_lettered',
  retried: 'retried',
  deferred: 'retried',
  abandoned: 'in_progress',
};

/**
 * The verdict of the latest attempt to start (a dead-letter counts as starting when the queue gave up, which
 * is before the failed attempt's span ends); without one, rejected if intake failed, else still in progress.
 */
export function traceOutcome(spans: readonly RecordedSpan[]): TraceOutcome {
  const verdictOf = (span: RecordedSpan) => OUTCOMES[String(span.attributes[ATTRIBUTES.outcome])];
  const verdicts = spans
    .filter((span) => verdictOf(span) !== undefined)
    .sort(
      (a, b) =>
        a.start - b.start ||
        Number(verdictOf(a) === 'dead_lettered') - Number(verdictOf(b) === 'dead_lettered'),
    );
  const latest = verdicts.at(-1);
  if (latest) return verdictOf(latest) ?? 'in_progress';
  const intake = spans.find((span) => span.parent_span_id === undefined);
  return intake && refused(intake) ? 'rejected' : 'in_progress';
}

/**
 * Whether intake refused the signal: an error answer. A 4xx leaves an HTTP server span's status unset (the
 * conventions count it as the caller's error, not the server's), so its status code says it.
 */
const refused = (intake: RecordedSpan): boolean =>
  intake.status === 'error' || Number(intake.attributes[HTTP_RESPONSE_STATUS_CODE] ?? 0) >= 400;

/** The HTTP semantic convention's attribute (spelled here: this module imports no I/O library). */
const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';

const firstAttribute = (spans: readonly RecordedSpan[], name: string): string | undefined => {
  for (const span of spans) {
    const value = span.attributes[name];
    if (value !== undefined) return String(value);
  }
  return undefined;
};

export function summarizeTrace(traceId: string, spans: readonly RecordedSpan[]): TraceSummary {
  const stream = measureValueStream(spans);
  const start = Math.min(...spans.map((span) => span.start));
  const signalId = firstAttribute(spans, ATTRIBUTES.signalId);
  const signalType = firstAttribute(spans, ATTRIBUTES.signalType);
  const lane = firstAttribute(spans, ATTRIBUTES.lane);
  const outcome = traceOutcome(spans);
  return {
    trace_id: traceId,
    ...(signalId === undefined ? {} : { signal_id: signalId }),
    ...(signalType === undefined ? {} : { signal_type: signalType }),
    ...(lane === undefined ? {} : { lane }),
    outcome,
    started_at: new Date(start).toISOString(),
    duration_ms: stream.lead_time_ms,
    span_count: spans.length,
    error: spans.some((span) => span.status === 'error') || outcome === 'rejected',
    services: [...new Set(spans.map((span) => span.service))],
    ...stream,
  };
}

/** The whole trace, spans in start order with times relative to the trace's start. */
export function detailTrace(traceId: string, spans: readonly RecordedSpan[]): TraceDetail {
  const summary = summarizeTrace(traceId, spans);
  const origin = Math.min(...spans.map((span) => span.start));
  return {
    ...summary,
    spans: [...spans]
      .sort((a, b) => a.start - b.start)
      .map(({ start, end, ...span }) => ({
        ...span,
        start_ms: round(start - origin),
        duration_ms: round(end - start),
      })),
  };
}

/** Whether a summary passes a `GET /traces` filter (`outcome: 'error'` means any span failed). */
export function matchesQuery(summary: TraceSummary, query: TraceQuery): boolean {
  if (query.lane !== undefined && summary.lane !== query.lane) return false;
  if (query.signal_id !== undefined && summary.signal_id !== query.signal_id) return false;
  if (query.min_ms !== undefined && summary.duration_ms < query.min_ms) return false;
  if (query.outcome === 'error') return summary.error;
  return query.outcome === undefined || summary.outcome === query.outcome;
}
