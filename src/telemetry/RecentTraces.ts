import { SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanKindName, TraceDetail, TraceList, TraceQuery } from '../domain/traces.js';
import {
  ATTRIBUTES,
  averageValueStream,
  detailTrace,
  matchesQuery,
  summarizeTrace,
  type RecordedSpan,
} from '../tps/valuestream/index.js';

const KINDS: Record<SpanKind, SpanKindName> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};
/** A runaway trace (a signal retried for ever) stops growing here instead of taking the memory. */
const MAX_SPANS_PER_TRACE = 256;
const DEFAULT_LIMIT = 50;

const epochMs = ([seconds, nanos]: HrTime): number => seconds * 1000 + nanos / 1e6;

/**
 * The last N traces of this process, for `GET /traces`: a span processor that keeps finished spans grouped
 * by trace, oldest trace dropped first. Written here because the SDK's InMemorySpanExporter keeps every span
 * unbounded and ungrouped; this keeps a fixed number of traces and only the fields the viewer shows.
 */
export class RecentTraces implements SpanProcessor {
  private readonly traces = new Map<string, RecordedSpan[]>();

  constructor(readonly capacity: number) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    const { traceId } = span.spanContext();
    let spans = this.traces.get(traceId);
    if (!spans) {
      if (this.traces.size >= this.capacity) {
        const oldest = this.traces.keys().next();
        if (!oldest.done) this.traces.delete(oldest.value);
      }
      spans = [];
      this.traces.set(traceId, spans);
    }
    if (spans.length < MAX_SPANS_PER_TRACE) spans.push(this.record(span));
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.traces.clear();
    return Promise.resolve();
  }

  get(traceId: string): TraceDetail | undefined {
    const spans = this.traces.get(traceId);
    return spans ? detailTrace(traceId, spans.map(withPrimitiveAttributes)) : undefined;
  }

  /** Newest first, filtered; the averages are over the listed traces that a worker finished. */
  list(query: TraceQuery = {}): TraceList {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const found = [];
    for (const [traceId, spans] of [...this.traces].reverse()) {
      const summary = summarizeTrace(traceId, spans);
      if (matchesQuery(summary, query)) found.push(summary);
      if (found.length >= limit) break;
    }
    const finished = found.filter((trace) => trace.outcome !== 'in_progress' && trace.outcome !== 'rejected');
    return { traces: found, averages: averageValueStream(finished), capacity: this.capacity };
  }

  /**
   * The span's own attributes object is kept, not copied: an ended span no longer changes, and this runs for
   * every span of every signal. Values other than strings, numbers and booleans are left out when a trace is
   * read (`get`); the summaries read attributes as strings.
   */
  private record(span: ReadableSpan): RecordedSpan {
    const attributes = span.attributes as RecordedSpan['attributes'];
    const service = attributes[ATTRIBUTES.service] ?? span.resource.attributes['service.name'] ?? 'unknown';
    const recorded: RecordedSpan = {
      span_id: span.spanContext().spanId,
      name: span.name,
      service: String(service),
      kind: KINDS[span.kind],
      stage: attributes[ATTRIBUTES.stage] === 'wait' ? 'wait' : 'work',
      start: epochMs(span.startTime),
      end: epochMs(span.endTime),
      status: span.status.code === SpanStatusCode.ERROR ? 'error' : 'ok',
      attributes,
    };
    const parent = span.parentSpanContext?.spanId;
    if (parent !== undefined) recorded.parent_span_id = parent;
    if (recorded.status === 'error' && span.status.message) recorded.error = span.status.message;
    return recorded;
  }
}

function withPrimitiveAttributes(span: RecordedSpan): RecordedSpan {
  const attributes: RecordedSpan['attributes'] = {};
  for (const [key, value] of Object.entries(span.attributes as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      attributes[key] = value;
  }
  return { ...span, attributes };
}
