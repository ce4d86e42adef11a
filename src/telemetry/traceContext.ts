import {
  ROOT_CONTEXT,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * W3C trace context and baggage, read from and written to plain header maps (HTTP requests, NATS and AMQP
 * headers). One propagator instance, not the global one, so two systems in one process never share state.
 */
const propagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});

export type Carrier = Record<string, string | string[] | undefined>;

/** The context a request or message carries; the root context when it carries none. */
export const extractContext = (carrier: Carrier): Context =>
  propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);

/** The context a `traceparent` value names (a message's trace context as it travels in broker headers). */
export const contextFromTraceparent = (traceparent: string | undefined): Context =>
  traceparent === undefined ? ROOT_CONTEXT : extractContext({ traceparent });

/** Headers that carry `span` (and the active baggage) to the next hop. */
export function headersFor(span: Span, headers: Record<string, string> = {}): Record<string, string> {
  propagator.inject(trace.setSpan(context.active(), span), headers, defaultTextMapSetter);
  return headers;
}

/** The `traceparent` of `span`, or undefined when it has no valid context (tracing off). */
export const traceparentOf = (span: Span): string | undefined => headersFor(span).traceparent;

/** Whether the active context's baggage marks the request as synthetic (load generator traffic). */
export const isSyntheticContext = (ctx: Context): boolean =>
  propagation.getBaggage(ctx)?.getEntry('synthetic_request')?.value === 'true';
