import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, TraceFlags, defaultTextMapSetter, trace, type SpanContext } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  contextFromTraceparent,
  messageTraceContext,
  recordedTraceparentOf,
  traceparentOf,
} from './traceContext.js';

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

describe('recordedTraceparentOf', () => {
  it('is the traceparent of a sampled context, and undefined for one not sampled', () => {
    assert.equal(
      recordedTraceparentOf(spanContext(TraceFlags.SAMPLED)),
      traceparentOf(spanContext(TraceFlags.SAMPLED)),
    );
    assert.equal(recordedTraceparentOf(spanContext(TraceFlags.NONE)), undefined);
  });
});

describe('messageTraceContext', () => {
  const { traceId, spanId } = spanContext(TraceFlags.SAMPLED);

  it('is the context of the message’s traceparent when it has one', () => {
    const read = trace.getSpanContext(
      messageTraceContext({ trace_id: traceId, traceparent: `00-${traceId}-${spanId}-01` }),
    );
    assert.deepEqual(
      { traceId: read?.traceId, spanId: read?.spanId, flags: read?.traceFlags },
      { traceId, spanId, flags: TraceFlags.SAMPLED },
    );
  });

  it('goes on in the message’s trace id, not sampled, without a traceparent', () => {
    const read = trace.getSpanContext(messageTraceContext({ trace_id: traceId }));
    assert.equal(read?.traceId, traceId);
    assert.equal(read?.traceFlags, TraceFlags.NONE);
    assert.match(read?.spanId ?? '', /^(?!0{16})[0-9a-f]{16}$/);
  });

  it('finds a parent span id other than zeros when the lower half of the trace id is zeros', () => {
    const read = trace.getSpanContext(
      messageTraceContext({ trace_id: `${'ab'.repeat(8)}${'0'.repeat(16)}` }),
    );
    assert.equal(read?.spanId, 'ab'.repeat(8));
  });

  it('is the root context for a trace id that is not valid', () => {
    for (const trace_id of ['0'.repeat(32), 'not-a-trace-id', '']) {
      assert.equal(messageTraceContext({ trace_id }), ROOT_CONTEXT, trace_id);
    }
  });
});
