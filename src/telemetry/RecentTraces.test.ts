import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, trace, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { ManualClock } from '../tps/clock.js';
import { RecentTraces } from './RecentTraces.js';

function setup(capacity: number) {
  const clock = new ManualClock(0);
  const recent = new RecentTraces(capacity, { clock });
  const tracer = new BasicTracerProvider({ spanProcessors: [recent] }).getTracer('test');
  return { clock, recent, tracer };
}

/** A trace as intake makes one: a child span that ends first, then its root; returns the trace id. */
function request(tracer: Tracer, name: string): string {
  const root = tracer.startSpan(name, {}, ROOT_CONTEXT);
  tracer.startSpan(`${name} child`, {}, trace.setSpan(ROOT_CONTEXT, root)).end();
  root.end();
  return root.spanContext().traceId;
}

describe('RecentTraces', () => {
  it('keeps the newest traces, newest first, each with all its spans', () => {
    const { recent, tracer } = setup(5);
    const ids = Array.from({ length: 8 }, (_, i) => request(tracer, `r${i}`));
    const listed = recent.list({ limit: 50 }).traces.map((summary) => summary.trace_id);
    assert.deepEqual(listed, ids.slice(3).reverse());
    assert.equal(recent.get(ids[7]!)?.spans.length, 2);
    assert.equal(recent.get(ids[0]!), undefined, 'the oldest went first');
  });

  it('under load takes in a share of new traces, whole, and all of them again once it passes', () => {
    const { clock, recent, tracer } = setup(10);
    for (let i = 0; i < 200; i++) request(tracer, 'burst');
    clock.advance(1000);
    const ids = Array.from({ length: 200 }, () => request(tracer, 'load'));
    assert.ok(recent.admittedShare < 0.1, `share ${recent.admittedShare}`);
    const held = ids.filter((id) => recent.get(id) !== undefined);
    assert.ok(held.length < 10, `${held.length} of 200 traces taken in`);
    for (const id of held) assert.equal(recent.get(id)?.spans.length, 2);

    clock.advance(1000);
    request(tracer, 'quiet');
    clock.advance(1000);
    const after = Array.from({ length: 5 }, () => request(tracer, 'quiet'));
    assert.equal(recent.admittedShare, 1);
    for (const id of after) assert.equal(recent.get(id)?.spans.length, 2);
  });

  it('takes a span another process forwarded into a trace it holds, and drops one of a trace it does not', () => {
    const { recent, tracer } = setup(2);
    const held = request(tracer, 'held');
    const forwarded = (spanId: string) => ({
      span_id: spanId,
      name: 'process fast',
      service: 'worker',
      kind: 'consumer' as const,
      stage: 'work' as const,
      start: 5,
      end: 9,
      status: 'ok' as const,
      attributes: { 'tps.outcome': 'completed' },
    });
    assert.equal(recent.addForwarded(held, forwarded('aaaaaaaaaaaaaaaa')), true);
    assert.equal(recent.get(held)?.spans.length, 3);
    assert.equal(recent.get(held)?.outcome, 'completed');
    assert.equal(recent.addForwarded('f'.repeat(32), forwarded('bbbbbbbbbbbbbbbb')), false);
    assert.equal(recent.get('f'.repeat(32)), undefined, 'no trace is begun by a forwarded span');
    assert.equal(recent.forwardedShare, 1);
  });

  it('refuses a capacity below one', () => {
    assert.throws(() => new RecentTraces(0), /capacity must be a whole number ≥ 1/);
  });
});
