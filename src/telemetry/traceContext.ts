import {
  ROOT_CONTEXT,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  propagation,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * W3C trace context and baggage, read from and written to plain header maps (HTTP requests, NATS and AMQP
 * headers). One propagator instance, not the global one, so two systems in one process never share state.
 */
const traceContext = new W3CTraceContextPropagator();
const propagator = new CompositePropagator({ propagators: [traceContext, new W3CBaggagePropagator()] });

export type Carrier = Record<string, string | string[] | undefined>;

/** The context a request or message carries; the root context when it carries none. */
export const extractContext = (carrier: Carrier): Context =>
  propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);

/** The context a `traceparent` value names (a message's trace context as it travels in broker headers). */
export const contextFromTraceparent = (traceparent: string | undefined): Context =>
  traceparent === undefined
    ? ROOT_CONTEXT
    : traceContext.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);

/**
 * The trace a queued message continues in. A message carries a `traceparent` only when its trace is recorded
 * (see `recordedTraceparentOf`); otherwise its trace id is all a worker needs, and the trace goes on under that
 * id, not sampled, so the downstream services still log it.
 */
export const messageTraceContext = (message: { traceparent?: string; trace_id: string }): Context =>
  message.traceparent === undefined
    ? unsampledContext(message.trace_id)
    : contextFromTraceparent(message.traceparent);

/**
 * A remote parent in trace `traceId`, not sampled. A valid context needs a parent span id: nothing records this
 * trace, so no span has it, and it is taken from the trace id itself (its lower half, unless that is all zeros).
 */
function unsampledContext(traceId: string): Context {
  const lower = traceId.slice(16);
  const spanId = /^0*$/.test(lower) ? traceId.slice(0, 16) : lower;
  const spanContext = { traceId, spanId, traceFlags: TraceFlags.NONE, isRemote: true };
  return isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
}

/**
 * The `traceparent` a queued message carries: only a recorded trace's. An unrecorded one would be 72 bytes kept
 * for every waiting message, a tenth of what a waiting signal holds, to say no more than its trace id does.
 */
export const recordedTraceparentOf = (spanContext: SpanContext): string | undefined =>
  isSampled(spanContext) ? traceparentOf(spanContext) : undefined;

/** Whether the context's trace is sampled: recorded here, and by every parent-based sampler after. */
export const isSampled = (spanContext: SpanContext): boolean =>
  (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0;

/** `headers` plus the span and baggage of `ctx`, for the next HTTP hop. */
export function withTraceHeaders(headers: Record<string, string>, ctx: Context): Record<string, string> {
  propagator.inject(ctx, headers, defaultTextMapSetter);
  return headers;
}

/**
 * A span's `traceparent`, undefined when its context is not valid. Written as the W3C propagator writes it, but
 * by join: one flat string instead of a rope of five heap objects, which a queued message would keep for as
 * long as it waits.
 */
export function traceparentOf(spanContext: SpanContext): string | undefined {
  if (!isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags || TraceFlags.NONE).toString(16).padStart(2, '0');
  return [TRACEPARENT_VERSION, spanContext.traceId, spanContext.spanId, flags].join('-');
}

const TRACEPARENT_VERSION = '00';

/** Whether the baggage of `ctx` marks the request as synthetic (load generator traffic). */
export const isSyntheticContext = (ctx: Context): boolean =>
  propagation.getBaggage(ctx)?.getEntry('synthetic_request')?.value === 'true';

/** The trace fields of a log line: what Loki's link to the trace and "logs for this span" match on. */
export interface LogTraceFields {
  trace_id: string;
  span_id?: string;
}

/**
 * The `trace_id` and `span_id` a log line written inside a span carries. Passed by hand, as the trace context is
 * (see spans.ts): with no ambient context, a pino mixin would see no span. `fallbackTraceId`: the trace a line
 * is about when no span context is at hand (a message's `trace_id`).
 */
export function logTraceFields(
  spanContext: SpanContext | undefined,
  fallbackTraceId: string,
): LogTraceFields {
  return spanContext && isSpanContextValid(spanContext)
    ? { trace_id: spanContext.traceId, span_id: spanContext.spanId }
    : { trace_id: fallbackTraceId };
}

/** A log line's trace fields from the context it was written in (the span `inSpan` gave the work). */
export const logTraceFieldsOf = (ctx: Context | undefined, fallbackTraceId: string): LogTraceFields =>
  logTraceFields(ctx === undefined ? undefined : trace.getSpanContext(ctx), fallbackTraceId);

/**
 * The trace fields of a line about a queued message outside any span of this process (a broker adapter's): the
 * message's trace, and the span that published it when its trace is recorded.
 */
export const messageLogTraceFields = (message: { traceparent?: string; trace_id: string }): LogTraceFields =>
  logTraceFields(trace.getSpanContext(contextFromTraceparent(message.traceparent)), message.trace_id);
