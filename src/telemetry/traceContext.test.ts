import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ROOT_CONTEXT,
  TraceFlags,
  context,
  defaultTextMapSetter,
  trace,
  type SpanContext,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { activeTraceparent, contextFromTraceparent } from './traceContext.js';
import { createTracing } from './tracing.js';

// The context manager that activeTraceparent reads through.
createTracing({ version: 'test', sampleRatio: 1, buffer: 0, otlpEndpoint: '' });

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

const activeIn = (ctx: SpanContext): string | undefined =>
  context.with(trace.setSpanContext(ROOT_CONTEXT, ctx), activeTraceparent);

describe('activeTraceparent', () => {
  it('writes what the W3C propagator writes, sampled or not', () => {
    for (const flags of [TraceFlags.SAMPLED, TraceFlags.NONE]) {
      const expected = propagatorTraceparent(spanContext(flags));
      assert.ok(expected);
      assert.equal(activeIn(spanContext(flags)), expected);
    }
  });

  it('is undefined without a valid span, as the propagator writes nothing', () => {
    assert.equal(activeTraceparent(), undefined);
    const invalid = { ...spanContext(TraceFlags.SAMPLED), traceId: '0'.repeat(32) };
    assert.equal(propagatorTraceparent(invalid), undefined);
    assert.equal(activeIn(invalid), undefined);
  });

  it('names the context it came from when read back', () => {
    const written = activeIn(spanContext(TraceFlags.SAMPLED));
    const read = trace.getSpanContext(contextFromTraceparent(written));
    assert.equal(read?.traceId, spanContext(TraceFlags.SAMPLED).traceId);
    assert.equal(read?.spanId, spanContext(TraceFlags.SAMPLED).spanId);
    assert.equal(read?.traceFlags, TraceFlags.SAMPLED);
  });
});
