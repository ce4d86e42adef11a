import { SpanStatusCode, type Attributes, type Span, type SpanKind, type Tracer } from '@opentelemetry/api';

export { ATTRIBUTES } from '../tps/valuestream/index.js';

/** Marks the span failed with the error's message and the exception event. */
export function recordFailure(span: Span, error: unknown): void {
  const failure = error instanceof Error ? error : new Error(String(error));
  span.recordException(failure);
  span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
}

/** Runs `work` in an active span of its own, recording a thrown error on it, and ends the span. */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: { kind: SpanKind; attributes: Attributes },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}
