import {
  isSpanContextValid,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanKind,
  type Tracer,
} from '@opentelemetry/api';
import { isSampled } from './traceContext.js';

export { ATTRIBUTES } from '../tps/valuestream/index.js';

/** Marks the span failed with the error's message and the exception event. */
export function recordFailure(span: Span, error: unknown): void {
  const failure = error instanceof Error ? error : new Error(String(error));
  span.recordException(failure);
  span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
}

type SpanOptions = {
  kind: SpanKind;
  attributes: Attributes;
  /** Whether a thrown error fails the span; default every one (an HTTP server span: only a 5xx answer). */
  isFailure?: (error: unknown) => boolean;
};

/*
 * The trace context is passed by hand, never held in an ambient "active" context. On Node 20 the ambient one
 * lives in AsyncLocalStorage, which puts a promise hook on every promise the process makes, traced or not:
 * 2.4 KB of the 27 KB that intake allocated per request (docs/performance.md). So each part that records a
 * span takes the context its span belongs to, and hands its children the context `inSpan` gives it.
 */

/**
 * Runs `work` in a span of its own, a child of `parent`, recording a thrown error on it, and ends the span.
 * `work` gets the span and the context to pass to the spans it starts (its children).
 */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  parent: Context,
  work: (span: Span, context: Context) => Promise<T>,
): Promise<T> {
  const unsampled = unsampledSpanOf(parent);
  if (unsampled) return runIn(unsampled, parent, work);
  const span = tracer.startSpan(name, options, parent);
  return endAfter(span, options, () => work(span, trace.setSpan(parent, span)));
}

/** As `inSpan`, for a span that starts no spans of its own (a store write, an enqueue). */
export function inLeafSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  parent: Context,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const unsampled = unsampledSpanOf(parent);
  if (unsampled) return runIn(unsampled, parent, work);
  const span = tracer.startSpan(name, options, parent);
  return endAfter(span, options, () => work(span));
}

/**
 * The span of `parent` when its trace is not sampled: the system's parent-based sampler records no child of
 * it, so a child would be a span started, never recorded and ended, only to carry the same trace id. Intake
 * started two such spans per request, 2 KB of the 24 KB it allocated (docs/performance.md). The work runs in
 * the parent's span instead, which the parent's owner ends.
 */
function unsampledSpanOf(parent: Context): Span | undefined {
  const span = trace.getSpan(parent);
  if (!span) return undefined;
  const context = span.spanContext();
  return !isSampled(context) && isSpanContextValid(context) ? span : undefined;
}

/** `work` in an existing span, failing as a rejected promise as `endAfter` does, even when it throws at once. */
function runIn<T>(
  span: Span,
  context: Context,
  work: (span: Span, context: Context) => Promise<T>,
): Promise<T> {
  try {
    return work(span, context);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

async function endAfter<T>(span: Span, options: SpanOptions, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (options.isFailure?.(error) ?? true) recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}
