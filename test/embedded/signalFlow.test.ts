import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SystemStatus } from '../../src/domain/status.js';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';

describe('the embedded system: a signal from intake to completion', () => {
  let t: TestSystem;
  before(async () => {
    t = await startTestSystem();
  });
  after(() => t.close());

  it('answers 202 with an id, lane and trace id, then moves queued → processing → completed', async () => {
    const accepted = await t.send({ signal_type: 'execute', payload: { task: 'test', work_ms: 300 } });
    assert.equal(accepted.status, 202);
    const { id, lane, status, trace_id } = accepted.body as {
      id: string;
      lane: string;
      status: string;
      trace_id: string;
    };
    assert.equal(status, 'queued');
    assert.equal(lane, 'fast');
    assert.match(trace_id, /^[0-9a-f]{32}$/);

    const processing = await t.waitForStatus(id, 'processing');
    assert.equal(processing.attempts, 1);
    assert.ok(processing.started_at);
    const completed = await t.waitForStatus(id, 'completed');
    assert.equal(completed.attempts, 1);
    assert.ok(Date.parse(String(completed.completed_at)) >= Date.parse(String(completed.started_at)));
    assert.equal(completed.error, undefined);
    assert.equal(completed.payload, undefined, 'the payload is not echoed back');
  });

  it('routes report, batch and analyze to the slow lane', async () => {
    for (const type of ['report', 'batch', 'analyze']) {
      const answer = await t.send({ signal_type: type, payload: {} });
      assert.equal(answer.status, 202);
      assert.equal(answer.body.lane, 'slow');
    }
  });

  it('takes a client id once: the same id again answers 200 with the existing signal', async () => {
    const first = await t.send({ id: 'order-42', signal_type: 'notify', payload: { n: 1 } });
    assert.equal(first.status, 202);
    const again = await t.send({ id: 'order-42', signal_type: 'notify', payload: { n: 1 } });
    assert.equal(again.status, 200);
    assert.equal(again.body.id, 'order-42');
    assert.equal(again.body.trace_id, first.body.trace_id);
    await t.waitForStatus('order-42', 'completed');
    const metrics = (await t.get<string>('/metrics')).body;
    const accepted = /signals_accepted_total\{lane="fast"\} (\d+)/.exec(metrics);
    assert.ok(accepted);
    const conflict = await t.send({ id: 'order-42', signal_type: 'report', payload: {} });
    assert.equal(conflict.status, 409);
    assert.equal((conflict.body.error as { code: string }).code, 'ID_CONFLICT');
  });

  it('answers 404 in the error shape for an unknown signal and an unknown route', async () => {
    const unknown = await t.get('/signal/no-such-signal/status');
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body.error as { code: string }).code, 'SIGNAL_NOT_FOUND');
    const route = await t.get('/nowhere');
    assert.equal(route.status, 404);
    assert.deepEqual(Object.keys(route.body), ['error']);
    assert.equal((route.body.error as { code: string }).code, 'NOT_FOUND');
  });

  it('refuses to retry a signal that has not failed', async () => {
    const answer = await t.send({ signal_type: 'execute', payload: {} });
    const id = String(answer.body.id);
    await t.waitForStatus(id, 'completed');
    const retry = await t.post(`/signal/${id}/retry`);
    assert.equal(retry.status, 409);
    assert.equal((retry.body.error as { code: string }).code, 'NOT_RETRYABLE');
    assert.equal((await t.post('/signal/unknown-id/retry')).status, 404);
  });

  it('reports health, info and the contract metrics', async () => {
    const health = await t.get('/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'healthy');
    const info = await t.get('/info');
    assert.equal(info.body.mode, 'embedded');
    const { durability, ...queue } = info.body.queue as { durability: string };
    assert.deepEqual(queue, { backend: 'memory', durable: false });
    assert.match(durability, /SHUTDOWN_TIMEOUT_MS \(10000 ms\), and those left then are lost/);
    assert.equal((info.body.config as Record<string, unknown>).MAX_QUEUE_DEPTH, 1000);
    const metrics = (await t.get<string>('/metrics')).body;
    for (const name of [
      'api_requests_total',
      'api_latency_seconds',
      'signals_accepted_total',
      'signals_processed_total',
      'signal_queue_wait_seconds',
      'signal_processing_seconds',
      'signal_lead_time_seconds',
      'queue_depth',
      'queue_capacity',
      'queue_inflight',
      'worker_pool_size',
      'worker_pool_busy',
      'circuit_breaker_state',
      'downstream_latency_seconds',
      'andon_level',
      'chaos_active',
      'nodejs_eventloop_lag_seconds',
    ]) {
      assert.match(metrics, new RegExp(`^${name}`, 'm'), `${name} is exported`);
    }
  });

  it('shows stations, lanes, pools, breakers and percentiles in /status', async () => {
    const status = (await t.get<SystemStatus>('/status')).body;
    assert.ok(status.andon.stations.length >= 8);
    assert.deepEqual(
      status.lanes.map((lane) => lane.lane),
      ['fast', 'slow'],
    );
    assert.deepEqual(status.breakers.map((breaker) => breaker.name).sort(), [
      'lane:fast',
      'lane:slow',
      'queue',
      'service-a',
      'service-b',
    ]);
    assert.ok(status.percentiles_ms.lead_time.fast.count > 0);
  });

  it('compares takt time with cycle time per lane in /status once signals flow', async () => {
    const sent = await Promise.all(
      Array.from({ length: 5 }, () => t.send({ signal_type: 'execute', payload: {} })),
    );
    for (const answer of sent) await t.waitForStatus(String(answer.body.id), 'completed');
    const pace = (await t.get<SystemStatus>('/status')).body.value_stream;
    assert.ok(pace.fast.takt_ms !== null && pace.fast.takt_ms > 0, 'fast signals arrived: a takt time');
    assert.ok(pace.fast.cycle_ms !== null && pace.fast.cycle_ms > 0, 'fast signals completed: a cycle time');
    assert.equal(typeof pace.fast.keeping_up, 'boolean');
  });
});
