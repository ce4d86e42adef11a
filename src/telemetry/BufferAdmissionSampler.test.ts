import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, trace, type Tracer } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  ParentBasedSampler,
  type IdGenerator,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import { spreadTraceIds } from '../../test/support/traceIds.js';
import { ManualClock } from '../tps/clock.js';
import { BufferAdmissionSampler } from './BufferAdmissionSampler.js';
import { RecentTraces } from './RecentTraces.js';

/** Evenly spread trace ids (so a share of them is the same count every time), and counted span ids. */
function evenlySpreadIds(): IdGenerator {
  let spans = 0;
  return {
    generateTraceId: spreadTraceIds(),
    generateSpanId: () => (++spans).toString(16).padStart(16, '0'),
  };
}

function setup(capacity: number, ratio: Sampler = new AlwaysOnSampler()) {
  const clock = new ManualClock(0);
  const recent = new RecentTraces(capacity, { clock, admittedBySampler: true });
  const root = new BufferAdmissionSampler(ratio, recent);
  const tracer = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root }),
    spanProcessors: [recent],
    idGenerator: evenlySpreadIds(),
  }).getTracer('test');
  return { clock, recent, tracer };
}

interface MadeTrace {
  traceId: string;
  /** Whether each span (root, child, grandchild) was recording while it ran. */
  recording: boolean[];
  /** The trace id each span carried. */
  traceIds: string[];
}

/** A trace as intake and a worker make one: a root, its child, and a grandchild, which end first. */
function request(tracer: Tracer): MadeTrace {
  const root = tracer.startSpan('POST /signal', {}, ROOT_CONTEXT);
  const child = tracer.startSpan('enqueue', {}, trace.setSpan(ROOT_CONTEXT, root));
  const grandchild = tracer.startSpan('ProcessSignal', {}, trace.setSpan(ROOT_CONTEXT, child));
  const spans = [root, child, grandchild];
  const made = {
    traceId: root.spanContext().traceId,
    recording: spans.map((span) => span.isRecording()),
    traceIds: spans.map((span) => span.spanContext().traceId),
  };
  for (const span of spans.reverse()) span.end();
  return made;
}

const allRecorded = (made: MadeTrace): boolean => made.recording.every(Boolean);
const noneRecorded = (made: MadeTrace): boolean => !made.recording.some(Boolean);

describe('BufferAdmissionSampler', () => {
  it('records every new trace while the buffer takes them all', () => {
    const { recent, tracer } = setup(100);
    for (let i = 0; i < 5; i++) {
      const made = request(tracer);
      assert.ok(allRecorded(made));
      assert.equal(recent.get(made.traceId)?.spans.length, 3);
    }
  });

  it('under load records only the traces the buffer takes in, each whole, and propagates the rest', () => {
    const { clock, recent, tracer } = setup(100);
    for (let i = 0; i < 200; i++) request(tracer);
    clock.advance(1000);
    const traces = Array.from({ length: 200 }, () => request(tracer));
    assert.equal(recent.admittedShare, 10 / 200, 'the buffer of 100 takes 10 new traces a second');

    const recorded = traces.filter(allRecorded);
    assert.ok(recorded.length >= 8 && recorded.length <= 12, `${recorded.length} of 200 traces recorded`);
    for (const made of traces) {
      assert.ok(
        made.traceIds.every((id) => id === made.traceId),
        'the context still travels',
      );
      assert.ok(allRecorded(made) || noneRecorded(made), 'a trace is recorded whole or not at all');
      assert.equal(recent.get(made.traceId)?.spans.length, allRecorded(made) ? 3 : undefined);
    }

    clock.advance(1000);
    request(tracer);
    clock.advance(1000);
    assert.ok(allRecorded(request(tracer)), 'all again once the load passes');
  });

  it('records nothing the ratio sampler leaves out, and does not count it as arriving', () => {
    const { clock, recent, tracer } = setup(10, new AlwaysOffSampler());
    for (let i = 0; i < 200; i++) assert.ok(noneRecorded(request(tracer)));
    clock.advance(1000);
    request(tracer);
    assert.equal(recent.admittedShare, 1);
    assert.deepEqual(recent.list().traces, []);
  });
});
