import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TraceDetail, TraceList, TraceSpan } from '../../src/domain/traces.js';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Waits until the signal's trace has the worker's verdict, then returns the whole trace. */
async function finishedTrace(t: TestSystem, signalId: string, outcome = 'completed'): Promise<TraceDetail> {
  const summary = await waitFor(
    async () => {
      const list = (await t.get<TraceList>(`/traces?signal_id=${signalId}`)).body;
      return list.traces.find((trace) => trace.outcome === outcome);
    },
    { message: `a ${outcome} trace of signal ${signalId}` },
  );
  const detail = await t.get<TraceDetail>(`/traces/${summary.trace_id}`);
  assert.equal(detail.status, 200);
  return detail.body;
}

describe('the value stream: one trace per signal, API → queue → worker → C → B → A → store', () => {
  let t: TestSystem;
  before(async () => {
    t = await startTestSystem({ fastWorkMs: 5, downstreamLatencyMs: 5, circuitBreakerThreshold: 1000 });
  });
  after(() => t.close());

  it('records every stage of a signal under the trace id that intake answered with', async () => {
    const accepted = await t.send({ signal_type: 'execute', payload: {} });
    assert.equal(accepted.status, 202);
    const { id, trace_id } = accepted.body as { id: string; trace_id: string };
    const trace = await finishedTrace(t, id);

    assert.equal(trace.trace_id, trace_id);
    assert.equal((await t.statusOf(id)).trace_id, trace_id);
    assert.equal(trace.signal_id, id);
    assert.equal(trace.lane, 'fast');
    assert.equal(trace.error, false);
    const names = trace.spans.map((span) => span.name);
    for (const name of [
      'POST /signal',
      'store create',
      'publish fast',
      'queue wait fast',
      'process fast',
      'work',
      'store update processing',
      'POST',
      'POST /work',
      'store update completed',
    ]) {
      assert.ok(names.includes(name), `span ${name} in ${names.join(', ')}`);
    }
    assert.deepEqual([...trace.services].sort(), [
      'api',
      'queue',
      'service-a',
      'service-b',
      'service-c',
      'store',
      'worker',
    ]);
  });

  it('links the spans into one tree rooted at POST /signal, each hop the child of its caller', async () => {
    const { id } = (await t.send({ signal_type: 'validate', payload: {} })).body as { id: string };
    const trace = await finishedTrace(t, id);
    const byId = new Map(trace.spans.map((span) => [span.span_id, span]));
    const roots = trace.spans.filter((span) => span.parent_span_id === undefined);
    assert.deepEqual(
      roots.map((span) => span.name),
      ['POST /signal'],
    );
    for (const span of trace.spans) {
      if (span.parent_span_id)
        assert.ok(byId.has(span.parent_span_id), `parent of ${span.name} is in the trace`);
    }
    // The HTTP spans share their names (`POST`, `POST /work`): the lane (`service`) tells the hops apart.
    const key = (span: TraceSpan | undefined) => (span ? `${span.name} @${span.service}` : undefined);
    const parentOf = (name: string, service: string) => {
      const span = trace.spans.find((candidate) => candidate.name === name && candidate.service === service);
      assert.ok(span, `span ${name} @${service}`);
      return span.parent_span_id ? key(byId.get(span.parent_span_id)) : undefined;
    };
    assert.equal(parentOf('publish fast', 'api'), 'POST /signal @api');
    assert.equal(parentOf('process fast', 'worker'), 'publish fast @api');
    assert.equal(parentOf('queue wait fast', 'queue'), 'publish fast @api');
    assert.equal(parentOf('POST', 'worker'), 'process fast @worker');
    assert.equal(parentOf('POST /work', 'service-c'), 'POST @worker');
    assert.equal(parentOf('POST', 'service-c'), 'POST /work @service-c');
    assert.equal(parentOf('POST /work', 'service-b'), 'POST @service-c');
    assert.equal(parentOf('POST', 'service-b'), 'POST /work @service-b');
    assert.equal(parentOf('POST /work', 'service-a'), 'POST @service-b');
    assert.equal(trace.spans.find((span) => span.name === 'queue wait fast')?.stage, 'wait');
    assert.equal(trace.spans.find((span) => span.name === 'process fast')?.stage, 'work');
  });

  it('speaks the OpenTelemetry semantic conventions: HTTP server and client, messaging, store', async () => {
    const { id } = (await t.send({ signal_type: 'execute', payload: {} })).body as { id: string };
    const trace = await finishedTrace(t, id);
    const one = (name: string, service: string) => {
      const span = trace.spans.find((candidate) => candidate.name === name && candidate.service === service);
      assert.ok(span, `span ${name} @${service}`);
      return span;
    };
    const intake = one('POST /signal', 'api');
    assert.equal(intake.kind, 'server');
    assert.equal(intake.attributes['http.request.method'], 'POST');
    assert.equal(intake.attributes['http.route'], '/signal');
    assert.equal(intake.attributes['http.response.status_code'], 202);
    assert.equal(intake.attributes['url.scheme'], 'http');
    assert.equal(intake.attributes['url.path'], '/signal');
    assert.equal(intake.attributes['server.address'], new URL(t.url).hostname);
    assert.equal(intake.attributes['server.port'], Number(new URL(t.url).port));

    const publish = one('publish fast', 'api');
    assert.equal(publish.kind, 'producer');
    assert.equal(publish.attributes['messaging.system'], 'memory');
    assert.equal(publish.attributes['messaging.operation.type'], 'send');
    assert.equal(publish.attributes['messaging.destination.name'], 'fast');
    assert.equal(publish.attributes['messaging.message.id'], id);
    const process = one('process fast', 'worker');
    assert.equal(process.kind, 'consumer');
    assert.equal(process.attributes['messaging.system'], 'memory');
    assert.equal(process.attributes['messaging.operation.type'], 'process');
    assert.equal(process.attributes['messaging.destination.name'], 'fast');
    assert.equal(process.attributes['messaging.message.id'], id);
    assert.equal(process.attributes['tps.outcome'], 'completed');

    const call = one('POST', 'worker');
    assert.equal(call.kind, 'client');
    assert.equal(call.attributes['http.request.method'], 'POST');
    assert.equal(call.attributes['http.response.status_code'], 200);
    assert.equal(call.attributes['tps.peer'], 'service-c');
    const callee = new URL(String(call.attributes['url.full']));
    assert.equal(callee.pathname, '/work');
    assert.equal(call.attributes['server.address'], callee.hostname);
    assert.equal(call.attributes['server.port'], Number(callee.port));
    const served = one('POST /work', 'service-c');
    assert.equal(served.kind, 'server');
    assert.equal(served.attributes['http.route'], '/work');
    assert.equal(served.attributes['http.response.status_code'], 200);

    const write = one('store update completed', 'store');
    assert.equal(write.kind, 'client');
    assert.equal(write.attributes['tps.store'], 'memory');
    assert.equal(write.attributes['tps.status'], 'completed');
    assert.equal(write.attributes['db.system.name'], undefined, 'the memory store is no database');
  });

  it('records a refusal (4xx) as the answer’s status and error.type, the server span not failed', async () => {
    const signalId = `conflict-${hex(4)}`;
    assert.equal((await t.send({ id: signalId, signal_type: 'execute', payload: {} })).status, 202);
    const refused = await t.send({ id: signalId, signal_type: 'report', payload: {} });
    assert.equal(refused.status, 409);
    const list = await waitFor(
      async () => {
        const traces = (await t.get<TraceList>(`/traces?signal_id=${signalId}&outcome=rejected`)).body;
        return traces.traces[0];
      },
      { message: `the refused request's trace of ${signalId}` },
    );
    assert.equal(list.error, true, 'a refused request still counts as an error in the list');
    const trace = (await t.get<TraceDetail>(`/traces/${list.trace_id}`)).body;
    const intake = trace.spans.find((span) => span.name === 'POST /signal');
    assert.equal(intake?.status, 'ok');
    assert.equal(intake?.attributes['http.response.status_code'], 409);
    assert.equal(intake?.attributes['error.type'], 'ID_CONFLICT');
  });

  it('tells wait from work: lead time = process time + wait time, efficiency between 0 and 1', async () => {
    const { id } = (await t.send({ signal_type: 'execute', payload: { work_ms: 30 } })).body as {
      id: string;
    };
    const trace = await finishedTrace(t, id);
    assert.ok(trace.process_time_ms >= 30, `process time ${trace.process_time_ms} ms covers 30 ms of work`);
    assert.ok(trace.lead_time_ms >= trace.process_time_ms);
    assert.ok(Math.abs(trace.lead_time_ms - trace.process_time_ms - trace.wait_time_ms) < 0.01);
    assert.ok(trace.pce > 0 && trace.pce <= 1, `pce ${trace.pce}`);
    const list = (await t.get<TraceList>('/traces?outcome=completed')).body;
    assert.ok(list.averages.count >= 1);
    assert.ok(list.averages.pce > 0 && list.averages.pce <= 1);
    assert.ok(list.traces.every((trace) => trace.outcome === 'completed'));
  });

  it('continues a caller’s trace from its traceparent header', async () => {
    const [traceId, parentId] = [hex(16), hex(8)];
    const accepted = await t.post(
      '/signal',
      { signal_type: 'notify', payload: {} },
      { traceparent: `00-${traceId}-${parentId}-01`, baggage: 'synthetic_request=true' },
    );
    assert.equal(accepted.status, 202);
    assert.equal(accepted.body.trace_id, traceId);
    const trace = await finishedTrace(t, String(accepted.body.id));
    const intake = trace.spans.find((span) => span.name === 'POST /signal');
    assert.equal(intake?.parent_span_id, parentId);
    assert.equal(intake?.attributes.synthetic_request, true);
  });

  it('marks the failing hop and the failed attempt, and filters traces by error', async () => {
    await t.post('/chaos/downstream', { target: 'service-a', error_rate: 1 });
    try {
      const { id } = (await t.send({ signal_type: 'execute', payload: {} })).body as { id: string };
      const trace = await finishedTrace(t, id, 'retried');
      assert.equal(trace.error, true);
      const failed = trace.spans.filter((span) => span.status === 'error').map((span) => span.name);
      const failedHops = trace.spans.filter((span) => span.status === 'error').map((span) => span.service);
      assert.ok(failedHops.includes('service-a'), `failed spans: ${failed.join(', ')}`);
      assert.ok(failed.includes('process fast'));
      const errors = (await t.get<TraceList>('/traces?outcome=error')).body;
      assert.ok(errors.traces.some((summary) => summary.signal_id === id));
      assert.ok(errors.traces.every((summary) => summary.error));
    } finally {
      await t.del('/chaos');
    }
  });

  it('takes forwarded spans into the traces it holds (POST /traces/spans), and refuses a malformed batch', async () => {
    const { id, trace_id } = (await t.send({ signal_type: 'execute', payload: {} })).body as {
      id: string;
      trace_id: string;
    };
    await finishedTrace(t, id);
    const span = (traceId: string) => ({
      trace_id: traceId,
      span_id: hex(8),
      name: 'forwarded',
      service: 'elsewhere',
      kind: 'internal',
      stage: 'work',
      start: Date.now(),
      end: Date.now() + 1,
      status: 'ok',
      attributes: { 'tps.note': 'sent by another process' },
    });
    const answer = await t.post('/traces/spans', { spans: [span(trace_id), span(hex(16))] });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { accepted: 1, share: 1 });
    const trace = (await t.get<TraceDetail>(`/traces/${trace_id}`)).body;
    assert.ok(trace.services.includes('elsewhere'));
    for (const bad of [{}, { spans: [{ ...span(trace_id), span_id: 'nope' }] }, { spans: 'all' }]) {
      const refused = await t.post<{ error: { code: string } }>('/traces/spans', bad);
      assert.equal(refused.status, 400, JSON.stringify(bad));
      assert.equal(refused.body.error.code, 'VALIDATION_FAILED');
    }
  });

  it('answers bad filters with 400, an unknown trace with 404, in the error shape', async () => {
    for (const query of ['lane=middle', 'min_ms=-1', 'outcome=maybe', 'limit=abc', 'colour=red']) {
      const answer = await t.get<{ error: { code: string } }>(`/traces?${query}`);
      assert.equal(answer.status, 400, query);
      assert.equal(answer.body.error.code, 'VALIDATION_FAILED', query);
    }
    assert.equal((await t.get('/traces/not-a-trace-id')).status, 400);
    const missing = await t.get<{ error: { code: string } }>(`/traces/${hex(16)}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'TRACE_NOT_FOUND');
  });
});

describe('tracing settings', () => {
  it('keeps no trace of unsampled signals, yet every signal still has a trace id', async () => {
    const t = await startTestSystem({ traceSampleRatio: 0 });
    try {
      const accepted = await t.send({ signal_type: 'execute', payload: {} });
      assert.match(String(accepted.body.trace_id), /^[0-9a-f]{32}$/);
      await t.waitForStatus(String(accepted.body.id), 'completed');
      assert.deepEqual((await t.get<TraceList>('/traces')).body.traces, []);
    } finally {
      await t.close();
    }
  });

  it('keeps at most TRACE_BUFFER traces, dropping the oldest', async () => {
    const t = await startTestSystem({ traceBuffer: 3 });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const accepted = await t.send({ signal_type: 'execute', payload: {} });
        ids.push(String(accepted.body.id));
        await t.waitForStatus(String(accepted.body.id), 'completed');
      }
      const list = (await t.get<TraceList>('/traces?limit=10')).body;
      assert.equal(list.capacity, 3);
      assert.ok(list.traces.length <= 3);
      assert.equal(
        list.traces.some((trace) => trace.signal_id === ids[0]),
        false,
      );
      assert.equal(list.traces[0]?.signal_id, ids[4]);
    } finally {
      await t.close();
    }
  });

  it('answers 501 when no traces are kept', async () => {
    const t = await startTestSystem({ traceBuffer: 0 });
    try {
      const answer = await t.get<{ error: { code: string; message: string } }>('/traces');
      assert.equal(answer.status, 501);
      assert.match(answer.body.error.message, /TRACE_BUFFER/);
    } finally {
      await t.close();
    }
  });
});

describe('a dead-lettered signal’s trace', () => {
  it('ends dead_lettered after its last failed attempt', async () => {
    const t = await startTestSystem({ maxDeliver: 2, retryBackoffMs: 0, circuitBreakerThreshold: 1000 });
    try {
      await t.post('/chaos/downstream', { target: 'service-c', error_rate: 1 });
      const { id } = (await t.send({ signal_type: 'execute', payload: {} })).body as { id: string };
      await t.waitForStatus(id, 'dead_lettered');
      const trace = await finishedTrace(t, id, 'dead_lettered');
      assert.equal(trace.spans.filter((span) => span.name === 'process fast').length, 2);
      assert.ok(trace.spans.some((span) => span.name === 'dead-letter fast' && span.status === 'error'));
    } finally {
      await t.close();
    }
  });

  it('records nothing for a trace its caller did not sample, not even a trace of its own', async () => {
    const t = await startTestSystem({ maxDeliver: 1, retryBackoffMs: 0, circuitBreakerThreshold: 1000 });
    try {
      await t.post('/chaos/downstream', { target: 'service-c', error_rate: 1 });
      const accepted = await t.post(
        '/signal',
        { signal_type: 'execute', payload: {} },
        { traceparent: `00-${hex(16)}-${hex(8)}-00` },
      );
      const id = String(accepted.body.id);
      await t.waitForStatus(id, 'dead_lettered');
      const list = (await t.get<TraceList>(`/traces?signal_id=${id}`)).body;
      assert.deepEqual(list.traces, []);
    } finally {
      await t.close();
    }
  });
});
