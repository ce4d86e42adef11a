import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, context, createContextKey } from '@opentelemetry/api';
import { createTracing } from './tracing.js';

const options = { version: 'test', sampleRatio: 1, otlpEndpoint: '' };

describe('createTracing', () => {
  it('records what its trace buffer takes in when no exporter is set', async () => {
    const tracing = await createTracing({ ...options, buffer: 10 });
    const span = tracing.tracerFor('api').startSpan('POST /signal', {}, ROOT_CONTEXT);
    assert.equal(span.isRecording(), true);
    span.end();
    assert.equal(tracing.recent?.get(span.spanContext().traceId)?.spans.length, 1);
    await tracing.shutdown();
  });

  it('records nothing, but still gives every span a trace id, when nothing would read the spans', async () => {
    const tracing = await createTracing({ ...options, buffer: 0 });
    const span = tracing.tracerFor('api').startSpan('POST /signal', {}, ROOT_CONTEXT);
    assert.equal(span.isRecording(), false);
    assert.match(span.spanContext().traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(span.spanContext().traceId, '0'.repeat(32));
    span.end();
    assert.equal(tracing.recent, undefined);
    await tracing.shutdown();
  });

  it('registers no context manager, so no promise hooks: the trace context is passed by hand', async () => {
    const tracing = await createTracing({ ...options, buffer: 10 });
    const marked = ROOT_CONTEXT.setValue(createContextKey('marker'), true);
    assert.equal(
      context.with(marked, () => context.active()),
      ROOT_CONTEXT,
      'a global context manager would answer the context given to `with`',
    );
    await tracing.shutdown();
  });
});
