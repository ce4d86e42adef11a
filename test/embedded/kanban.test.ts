import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';

const oneWorker = {
  fastPoolSize: 1,
  slowPoolSize: 1,
  poolMin: 1,
  poolMax: 1,
  autoscale: false,
} as const;

describe('Kanban: bounded lanes, expiry, retry and dead letters', () => {
  describe('a lane at its depth limit', () => {
    let t: TestSystem;
    before(async () => {
      t = await startTestSystem({ ...oneWorker, maxQueueDepth: 5 });
    });
    after(() => t.close());

    it('answers 429 with Retry-After while every signal it accepted still completes', async () => {
      const answers = await Promise.all(
        Array.from({ length: 30 }, () => t.send({ signal_type: 'execute', payload: { work_ms: 20 } })),
      );
      const accepted = answers.filter((a) => a.status === 202);
      const full = answers.filter((a) => a.status === 429);
      assert.equal(accepted.length + full.length, 30, 'every answer is 202 or 429');
      assert.ok(full.length > 0, 'some were refused');
      assert.ok(accepted.length >= 5, 'the lane took what it could hold');
      for (const answer of full) {
        assert.equal((answer.body.error as { code: string }).code, 'LANE_FULL');
        assert.ok(Number(answer.headers.get('retry-after')) >= 1);
      }
      for (const answer of accepted) await t.waitForStatus(String(answer.body.id), 'completed');
      const metrics = (await t.get<string>('/metrics')).body;
      assert.match(metrics, new RegExp(`signals_rejected_total\\{reason="lane_full"\\} ${full.length}\\b`));
    });
  });

  describe('deadlines', () => {
    let t: TestSystem;
    before(async () => {
      t = await startTestSystem({ ...oneWorker });
    });
    after(() => t.close());

    it('expires a signal not started before its timeout_ms, unprocessed, and a retry runs it', async () => {
      const blocker = await t.send({ signal_type: 'execute', payload: { work_ms: 800 } });
      await t.waitForStatus(String(blocker.body.id), 'processing');
      const late = await t.send({ signal_type: 'execute', payload: {}, timeout_ms: 50 });
      assert.equal(late.status, 202);
      const id = String(late.body.id);

      const expired = await t.waitForStatus(id, 'expired');
      assert.match(String(expired.error), /deadline/);
      assert.equal(expired.started_at, null);
      assert.equal(expired.attempts, 0);

      const retried = await t.post(`/signal/${id}/retry`);
      assert.equal(retried.status, 202);
      assert.equal(retried.body.id, id);
    });
  });

  describe('a signal that keeps failing', () => {
    let t: TestSystem;
    before(async () => {
      // A breaker that never opens, so every delivery reaches the failing service and is counted.
      t = await startTestSystem({ maxDeliver: 3, retryBackoffMs: 5, circuitBreakerThreshold: 10_000 });
    });
    after(() => t.close());

    it('is dead-lettered after MAX_DELIVER attempts, listed in /dlq, and completes once replayed', async () => {
      await t.post('/chaos/downstream', { target: 'service-a', error_rate: 1 });
      const answer = await t.send({ id: 'doomed-1', signal_type: 'validate', payload: {} });
      assert.equal(answer.status, 202);
      const dead = await t.waitForStatus('doomed-1', 'dead_lettered');
      assert.equal(dead.attempts, 3);
      assert.match(String(dead.error), /.+/);

      const listed = await t.get<{ count: number; items: Array<{ id: string; attempts: number }> }>('/dlq');
      assert.equal(listed.status, 200);
      assert.ok(listed.body.items.some((item) => item.id === 'doomed-1' && item.attempts === 3));
      const metrics = (await t.get<string>('/metrics')).body;
      assert.match(metrics, /dead_letter_total\{lane="fast"\} 1\b/);

      await t.del('/chaos');
      const replay = await t.post<{ replayed: number }>('/dlq/replay', { ids: ['doomed-1'] });
      assert.equal(replay.status, 202);
      assert.equal(replay.body.replayed, 1);
      const done = await t.waitForStatus('doomed-1', 'completed');
      assert.equal(done.attempts, 1);
      assert.equal((await t.get<{ count: number }>('/dlq')).body.count, 0);
    });

    it('takes a dead letter out of the dead-letter lane when it is retried, so a replay cannot run it twice', async () => {
      await t.post('/chaos/downstream', { target: 'service-a', error_rate: 1 });
      await t.send({ id: 'doomed-2', signal_type: 'validate', payload: {} });
      const dead = await t.waitForStatus('doomed-2', 'dead_lettered');
      assert.match(String(dead.error), /answered 50\d/, 'the cause of the last failure is kept');
      await t.del('/chaos');

      assert.equal((await t.post('/signal/doomed-2/retry')).status, 202);
      const done = await t.waitForStatus('doomed-2', 'completed');
      assert.equal((await t.get<{ count: number }>('/dlq')).body.count, 0);
      const replay = await t.post<{ replayed: number }>('/dlq/replay', {});
      assert.equal(replay.body.replayed, 0);
      assert.deepEqual(await t.statusOf('doomed-2'), done);
    });
  });

  describe('a worker that crashes while holding a signal', () => {
    let t: TestSystem;
    before(async () => {
      t = await startTestSystem({ ...oneWorker, leaseMs: 300 });
    });
    after(() => t.close());

    it('is restarted by the supervisor, and the lease brings the signal back: completed once, attempts = 2', async () => {
      const answer = await t.send({ signal_type: 'execute', payload: { work_ms: 400 } });
      const id = String(answer.body.id);
      await t.waitForStatus(id, 'processing');
      const crash = await t.post<{ crashed: { pool: string; held_signal: string } }>('/chaos/crash-worker', {
        pool: 'fast',
      });
      assert.equal(crash.status, 200);
      assert.equal(crash.body.crashed.held_signal, id);

      const done = await t.waitForStatus(id, 'completed');
      assert.equal(done.attempts, 2);
      const metrics = (await t.get<string>('/metrics')).body;
      assert.match(metrics, /worker_restarts_total\{pool="fast"\} 1\b/);
      assert.match(metrics, /signals_processed_total\{lane="fast",outcome="completed"\} 1\b/);
      const pools = (
        await t.get<{ pools: Array<{ pool: string; size: number; restarts: number }> }>('/status')
      ).body.pools;
      assert.deepEqual(
        pools.find((pool) => pool.pool === 'fast'),
        { ...pools.find((pool) => pool.pool === 'fast'), size: 1, restarts: 1 },
      );
    });
  });

  describe('a broker that cannot take the ack of a finished signal', () => {
    let t: TestSystem;
    before(async () => {
      t = await startTestSystem({ ...oneWorker, leaseMs: 300 });
    });
    after(() => t.close());

    it('keeps the signal completed; the redelivery only acks it, and the effect happens once', async () => {
      const answer = await t.send({ signal_type: 'execute', payload: { work_ms: 300 } });
      const id = String(answer.body.id);
      await t.waitForStatus(id, 'processing');
      await t.post('/chaos/queue-down', {});
      await t.waitForStatus(id, 'completed');
      await t.post('/chaos/queue-recover', {});
      const metrics = async () => (await t.get<string>('/metrics')).body;
      await waitFor(
        async () => /signals_processed_total\{lane="fast",outcome="duplicate"\} 1\b/.test(await metrics()),
        {
          message: 'the redelivery was recognised as done',
        },
      );
      const record = await t.statusOf(id);
      assert.equal(record.status, 'completed');
      assert.equal(record.attempts, 1);
      assert.equal(t.system.parts.chain.ledger.counts().duplicates, 0, 'service A was called once');
    });
  });

  describe('Heijunka: a flood of slow signals', () => {
    let t: TestSystem;
    before(async () => {
      t = await startTestSystem({
        slowPoolSize: 2,
        fastPoolSize: 2,
        poolMin: 2,
        poolMax: 2,
        autoscale: false,
        slowWorkMs: 200,
      });
    });
    after(() => t.close());

    it('does not starve the fast lane: fast signals complete while slow work is still queued', async () => {
      const slow = await Promise.all(
        Array.from({ length: 40 }, () => t.send({ signal_type: 'report', payload: {} })),
      );
      assert.ok(slow.every((answer) => answer.status === 202));
      const fast = await Promise.all(
        Array.from({ length: 5 }, () => t.send({ signal_type: 'execute', payload: {} })),
      );
      for (const answer of fast) await t.waitForStatus(String(answer.body.id), 'completed');
      const lanes = (await t.get<{ lanes: Array<{ lane: string; depth: number }> }>('/status')).body.lanes;
      assert.ok(lanes.find((lane) => lane.lane === 'slow')!.depth > 0, 'slow work is still waiting');
    });
  });

  describe('autoscaling', () => {
    let t: TestSystem;
    before(async () => {
      t = await startTestSystem({
        slowPoolSize: 2,
        fastPoolSize: 2,
        poolMin: 1,
        poolMax: 8,
        scaleCooldownMs: 0,
        scaleIdleMs: 200,
        slowWorkMs: 100,
      });
    });
    after(() => t.close());

    it('grows a pool under backlog up to its max, and shrinks it back when idle', async () => {
      const answers = await Promise.all(
        Array.from({ length: 60 }, () => t.send({ signal_type: 'batch', payload: {} })),
      );
      assert.ok(answers.every((answer) => answer.status === 202));
      const pool = () => t.system.parts.pools.slow.snapshot();
      await waitFor(() => pool().size === 8, { message: 'slow pool at max' });
      for (const answer of answers) await t.waitForStatus(String(answer.body.id), 'completed');
      await waitFor(() => pool().size === 1, { timeoutMs: 10_000, message: 'slow pool back at min' });
      assert.ok(pool().scaleUps >= 1);
      assert.ok(pool().scaleDowns >= 1);
      const metrics = (await t.get<string>('/metrics')).body;
      assert.match(metrics, /worker_pool_scale_events_total\{pool="slow",direction="up"\} [1-9]/);
    });
  });
});
