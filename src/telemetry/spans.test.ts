import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, type Span } from '@opentelemetry/api';
import { contextFromTraceparent } from './traceContext.js';
import { createTracing } from './tracing.js';
import { inLeafSpan, inSpan } from './spans.js';

const options = { kind: SpanKind.INTERNAL, attributes: {} };
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

async function tracingWith(sampleRatio: number) {
  const tracing = await createTracing({ version: 'test', sampleRatio, otlpEndpoint: '', buffer: 10 });
  return { tracing, tracer: tracing.tracerFor('api') };
}

describe('inSpan and inLeafSpan', () => {
  it('record a parent and its children in a sampled trace, each with a span id of its own', async () => {
    const { tracing, tracer } = await tracingWith(1);
    const seen: Span[] = [];
    await inSpan(tracer, 'parent', options, ROOT_CONTEXT, (parent, context) => {
      seen.push(parent);
      return inLeafSpan(tracer, 'child', options, context, (child) => {
        seen.push(child);
        return Promise.resolve();
      });
    });
    const [parent, child] = seen;
    assert.equal(child!.spanContext().traceId, parent!.spanContext().traceId);
    assert.notEqual(child!.spanContext().spanId, parent!.spanContext().spanId);
    const names = tracing.recent?.get(parent!.spanContext().traceId)?.spans.map((span) => span.name);
    assert.deepEqual(names?.sort(), ['child', 'parent']);
    await tracing.shutdown();
  });

  it('start no child span in a trace that is not sampled: the child runs in its parent span', async () => {
    const { tracing, tracer } = await tracingWith(0);
    const seen: Span[] = [];
    await inSpan(tracer, 'parent', options, ROOT_CONTEXT, (parent, context) => {
      seen.push(parent);
      return inSpan(tracer, 'child', options, context, (child, childContext) => {
        seen.push(child);
        return inLeafSpan(tracer, 'leaf', options, childContext, (leaf) => {
          seen.push(leaf);
          return Promise.resolve();
        });
      });
    });
    const [parent, child, leaf] = seen;
    assert.equal(parent!.spanContext().traceFlags, 0);
    assert.equal(child, parent);
    assert.equal(leaf, parent);
    assert.equal(tracing.recent?.get(parent!.spanContext().traceId), undefined);
    await tracing.shutdown();
  });

  it('record the child of a sampled parent from another process, and skip one of an unsampled parent', async () => {
    const { tracing, tracer } = await tracingWith(0);
    // Whether the span records is read while it runs: an ended span no longer does.
    const spanOf = (traceparent: string): Promise<{ recording: boolean; spanId: string; traceId: string }> =>
      inLeafSpan(tracer, 'attempt', options, contextFromTraceparent(traceparent), (span) =>
        Promise.resolve({ recording: span.isRecording(), ...span.spanContext() }),
      );
    const sampled = await spanOf(`00-${TRACE}-00f067aa0ba902b7-01`);
    assert.equal(sampled.recording, true);
    assert.equal(sampled.traceId, TRACE);
    assert.notEqual(sampled.spanId, '00f067aa0ba902b7');
    const unsampled = await spanOf(`00-${TRACE}-00f067aa0ba902b7-00`);
    assert.equal(unsampled.recording, false);
    assert.equal(unsampled.spanId, '00f067aa0ba902b7');
    await tracing.shutdown();
  });

  it('answer a rejected promise when the work throws at once, sampled or not', async () => {
    for (const ratio of [0, 1]) {
      const { tracing, tracer } = await tracingWith(ratio);
      const outcome = inSpan(tracer, 'parent', options, ROOT_CONTEXT, (_span, context) =>
        inLeafSpan(tracer, 'child', options, context, () => {
          throw new Error('at once');
        }),
      );
      await assert.rejects(outcome, /at once/);
      await tracing.shutdown();
    }
  });
});
