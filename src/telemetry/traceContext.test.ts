import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, TraceFlags, defaultTextMapSetter, trace, type SpanContext } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { contextFromTraceparent, traceparentOf } from './traceContext.js';

const spanContext = (traceFlags: number): SpanContext => ({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags,
});

function propagatorTraceparent(ctx: SpanContext): string | undefined {
  const carrier: Record<string, string> = {};
  new W3CTraceContextPropagator().inject(
    trace.setSpanContext(ROOT_CONTEXT, ctx),
    carrier,
    defaultTextMapSetter,
  );
  return carrier.traceparent;
}

describe('traceparentOf', () => {
  it('writes what the W3C propagator writes, sampled or not', () => {
    for (const flags of [TraceFlags.SAMPLED, TraceFlags.NONE]) {
      const expected = propagatorTraceparent(spanContext(flags));
      assert.ok(expected);
      assert.equal(traceparentOf(spanContext(flags)), expected);
    }
  });

  it('is undefined for a context that is not valid, as the propagator writes nothing', () => {
    const invalid = { ...spanContext(TraceFlags.SAMPLED), traceId: '0'.repeat(32) };
    assert.equal(propagatorTraceparent(invalid), undefined);
    assert.equal(traceparentOf(invalid), undefined);
  });

  it('names the context it came from when read back', () => {
    const read = trace.getSpanContext(contextFromTraceparent(traceparentOf(spanContext(TraceFlags.SAMPLED))));
    assert.equal(read?.traceId, spanContext(TraceFlags.SAMPLED).traceId);
    assert.equal(read?.spanId, spanContext(TraceFlags.SAMPLED).spanId);
    assert.equal(read?.traceFlags, TraceFlags.SAMPLED);
  });
});
