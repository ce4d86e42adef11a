import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanKindName, TraceDetail, TraceList, TraceQuery } from '../domain/traces.js';
import { systemClock, type Clock } from '../tps/clock.js';
import type { TraceIntake } from './BufferAdmissionSampler.js';
import {
  ATTRIBUTES,
  TraceAdmission,
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

export interface RecentTracesOptions {
  clock?: Clock;
  /**
   * A `BufferAdmissionSampler` asks `takesNewTrace` where each trace begins, so every span that ends here
   * belongs to a trace already taken in. Default false: the buffer chooses as spans end (when an exporter
   * wants every trace recorded).
   */
  admittedBySampler?: boolean;
}

/** One trace of the buffer: its id and the spans recorded so far. */
interface TraceSlot {
  readonly traceId: string;
  readonly spans: RecordedSpan[];
}

/**
 * The last N traces of this process, for `GET /traces`: a span processor that keeps finished spans grouped
 * by trace, oldest trace dropped first. Written here because the SDK's InMemorySpanExporter keeps every span
 * unbounded and ungrouped; this keeps a fixed number of traces and only the fields the viewer shows.
 *
 * The traces sit in a ring of fixed size, and the index from trace id to slot holds numbers only. A Map of
 * trace id → spans, deleting the oldest trace for each new one, would hand the spans to the garbage collector
 * the hard way: each time such a Map rebuilds its table, the old table (already in the old generation, dead but
 * not yet collected) still points at the new one, so every young table, with all the spans in it, survives the
 * next young collection and is promoted. Under load that was about 500 B promoted per request, collected only by
 * full collections.
 */
export class RecentTraces implements SpanProcessor, TraceIntake {
  private readonly slots: (TraceSlot | undefined)[];
  private readonly slotOf = new Map<string, number>();
  /** The slot the next new trace takes, evicting the trace in it. */
  private next = 0;
  private readonly admission: TraceAdmission;
  private readonly admittedBySampler: boolean;

  /**
   * Takes in at most capacity / 10 new traces a second (counted where they begin, in this process), so what it
   * holds spans ten seconds or more; traces begun elsewhere are not counted and not held back.
   */
  constructor(
    readonly capacity: number,
    options: RecentTracesOptions = {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a whole number ≥ 1, got ${capacity}`);
    }
    this.slots = new Array<TraceSlot | undefined>(capacity).fill(undefined);
    this.admission = new TraceAdmission(Math.max(1, Math.ceil(capacity / 10)), options.clock ?? systemClock);
    this.admittedBySampler = options.admittedBySampler ?? false;
  }

  /** Counts a trace that begins now, and answers whether the buffer takes it in (for the sampler). */
  takesNewTrace(traceId: string): boolean {
    return this.admission.admitNew(traceId);
  }

  /** The share of new traces taken in now: 1 until more than capacity / 10 arrive a second. */
  get admittedShare(): number {
    return this.admission.currentShare;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    const { traceId } = span.spanContext();
    let spans = this.spansOf(traceId);
    if (this.admittedBySampler) spans ??= this.open(traceId);
    else {
      // Traces are counted where they begin: a span without any parent (intake's POST /signal, unless the
      // caller sent a traceparent). The spans that continue a trace from elsewhere (the worker's, the
      // downstream services') get the same answer for the same trace id without counting it again.
      if (span.parentSpanContext === undefined) this.admission.arrived();
      if (!spans) {
        if (!this.admission.admit(traceId)) return;
        spans = this.open(traceId);
      }
    }
    if (spans.length < MAX_SPANS_PER_TRACE) spans.push(recordedSpanOf(span));
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.slots.fill(undefined);
    this.slotOf.clear();
    this.next = 0;
    return Promise.resolve();
  }

  /**
   * A span another process recorded (forwarded to the API): it joins its trace if the buffer holds it, and is
   * dropped otherwise. Traces begin at the API, so a trace the buffer does not hold is one it left out or already
   * dropped; taking it in here would bring back part of it. Answers whether it joined.
   */
  addForwarded(traceId: string, span: RecordedSpan): boolean {
    const spans = this.spansOf(traceId);
    if (!spans || spans.length >= MAX_SPANS_PER_TRACE) return false;
    spans.push(span);
    return true;
  }

  /** The share of traces a forwarding process may leave out: none while the sampler admits (they all count). */
  get forwardedShare(): number {
    return this.admittedBySampler ? 1 : this.admission.currentShare;
  }

  get(traceId: string): TraceDetail | undefined {
    const spans = this.spansOf(traceId);
    return spans ? detailTrace(traceId, spans.map(withPrimitiveAttributes)) : undefined;
  }

  /** Newest first, filtered; the averages are over the listed traces that a worker finished. */
  list(query: TraceQuery = {}): TraceList {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const found = [];
    for (let age = 1; age <= this.capacity && found.length < limit; age++) {
      const slot = this.slots[(this.next - age + this.capacity) % this.capacity];
      if (!slot) break;
      const summary = summarizeTrace(slot.traceId, slot.spans);
      if (matchesQuery(summary, query)) found.push(summary);
    }
    const finished = found.filter((trace) => trace.outcome !== 'in_progress' && trace.outcome !== 'rejected');
    return { traces: found, averages: averageValueStream(finished), capacity: this.capacity };
  }

  private spansOf(traceId: string): RecordedSpan[] | undefined {
    const index = this.slotOf.get(traceId);
    return index === undefined ? undefined : this.slots[index]?.spans;
  }

  /** A new trace in the next slot, in place of the oldest one. */
  private open(traceId: string): RecordedSpan[] {
    const index = this.next;
    const evicted = this.slots[index];
    if (evicted) this.slotOf.delete(evicted.traceId);
    const slot: TraceSlot = { traceId, spans: [] };
    this.slots[index] = slot;
    this.slotOf.set(traceId, index);
    this.next = (index + 1) % this.capacity;
    return slot.spans;
  }
}

/**
 * A finished span as the buffer keeps it. The span's own attributes object is kept, not copied: an ended span
 * no longer changes, and this runs for every span of every signal. Values other than strings, numbers and
 * booleans are left out when a trace is read (`get`); the summaries read attributes as strings.
 */
export function recordedSpanOf(span: ReadableSpan): RecordedSpan {
  const attributes = span.attributes as RecordedSpan['attributes'];
  const service = attributes[ATTRIBUTES.service] ?? span.resource.attributes['service.name'] ?? 'unknown';
  const recorded: RecordedSpan = {
    span_id: span.spanContext().spanId,
    name: span.name,
    service: String(service),
    kind: KINDS[span.kind],
    stage: attributes[ATTRIBUTES.stage] === 'wait' ? 'wait' : 'work',
    start: hrTimeToMilliseconds(span.startTime),
    end: hrTimeToMilliseconds(span.endTime),
    status: span.status.code === SpanStatusCode.ERROR ? 'error' : 'ok',
    attributes,
  };
  const parent = span.parentSpanContext?.spanId;
  if (parent !== undefined) recorded.parent_span_id = parent;
  if (recorded.status === 'error' && span.status.message) recorded.error = span.status.message;
  return recorded;
}

export function withPrimitiveAttributes(span: RecordedSpan): RecordedSpan {
  const attributes: RecordedSpan['attributes'] = {};
  for (const [key, value] of Object.entries(span.attributes as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      attributes[key] = value;
  }
  return { ...span, attributes };
}
