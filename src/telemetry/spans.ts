import {
  SpanStatusCode,
  context,
  type Attributes,
  type Context,
  type Span,
  type SpanKind,
  type Tracer,
} from '@opentelemetry/api';

export { ATTRIBUTES } from '../tps/valuestream/index.js';

/** Marks the span failed with the error's message and the exception event. */
export function recordFailure(span: Span, error: unknown): void {
  const failure = error instanceof Error ? error : new Error(String(error));
  span.recordException(failure);
  span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
}

type SpanOptions = { kind: SpanKind; attributes: Attributes };

/**
 * Runs `work` in an active span of its own, recording a thrown error on it, and ends the span. The span's parent
 * is the active context, or `parent` (a request's extracted trace context) without activating that first.
 */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  return tracer.startActiveSpan(name, options, parent, (span) => endAfter(span, work));
}

/**
 * As `inSpan`, for a span that starts no spans of its own (a store write, an enqueue): it is a child of the
 * active span but is not made active itself, which saves a context switch per call on the hot path.
 */
export function inLeafSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return endAfter(tracer.startSpan(name, options), work);
}

async function endAfter<T>(span: Span, work: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await work(span);
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}
