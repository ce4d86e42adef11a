import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';

type Breaker = { name: string; state: string; last_failure?: string; opens: number };
type Station = { id: string; level: string; cause: string };

describe('Jidoka: the line stops itself, and by hand', () => {
  describe('a failing downstream service', () => {
    let t: TestSystem;
    before(async () => {
      t = await startTestSystem({
        circuitBreakerThreshold: 3,
        circuitBreakerResetMs: 400,
        breakerProbes: 2,
        retryBackoffMs: 20,
        maxDeliver: 50,
      });
    });
    after(() => t.close());

    const breaker = async (name: string) =>
      (await t.get<{ breakers: Breaker[] }>('/status')).body.breakers.find((b) => b.name === name);

    it('opens the lane breaker, intake answers 503 at once, the probes close it and queued signals complete', async () => {
      await t.post('/chaos/downstream', { target: 'service-c', error_rate: 1 });
      // Each spends 200 ms at work before its first downstream call, so all are accepted before the breaker opens.
      const before = await Promise.all(
        Array.from({ length: 6 }, () => t.send({ signal_type: 'execute', payload: { work_ms: 200 } })),
      );
      assert.ok(before.every((answer) => answer.status === 202));

      const open = await waitFor(
        async () => ((await breaker('lane:fast'))?.state === 'open' ? breaker('lane:fast') : undefined),
        {
          message: 'lane:fast open',
        },
      );
      assert.match(String(open?.last_failure), /service-c/);

      const refused = await t.send({ signal_type: 'execute', payload: {} });
      assert.equal(refused.status, 503);
      assert.equal((refused.body.error as { code: string }).code, 'LINE_STOPPED');
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      const slowLane = await t.send({ signal_type: 'report', payload: {} });
      assert.equal(slowLane.status, 202, 'the other lane keeps running');

      const stations = (await t.get<{ andon: { stations: Station[] } }>('/status')).body.andon.stations;
      const lane = stations.find((station) => station.id === 'lane:fast');
      assert.equal(lane?.level, 'red');
      assert.match(String(lane?.cause), /breaker|stopped/);

      await t.del('/chaos');
      for (const answer of before) await t.waitForStatus(String(answer.body.id), 'completed');
      await waitFor(async () => (await breaker('lane:fast'))?.state === 'closed', {
        message: 'lane:fast closed',
      });
      assert.equal((await t.send({ signal_type: 'execute', payload: {} })).status, 202);

      const metrics = (await t.get<string>('/metrics')).body;
      assert.match(metrics, /circuit_breaker_events_total\{breaker="lane:fast",event="open"\} [1-9]/);
      assert.match(metrics, /circuit_breaker_events_total\{breaker="lane:fast",event="closed"\} [1-9]/);
    });
  });

  describe('a lane left idle while its breaker is open', () => {
    let t: TestSystem;
    before(async () => {
      t = await startTestSystem({
        circuitBreakerThreshold: 2,
        circuitBreakerResetMs: 300,
        breakerProbes: 2,
        maxDeliver: 1,
      });
    });
    after(() => t.close());

    it('recovers: once a probe is due, new signals are taken as trial work and their success closes it', async () => {
      const lane = () => t.system.parts.laneBreakers.fast;
      await t.post('/chaos/downstream', { target: 'service-c', error_rate: 1 });
      const doomed = await Promise.all(
        [1, 2].map(() => t.send({ signal_type: 'execute', payload: { work_ms: 50 } })),
      );
      for (const answer of doomed) await t.waitForStatus(String(answer.body.id), 'dead_lettered');
      assert.equal(lane().state, 'open');
      assert.equal((await t.get<{ lanes: Array<{ depth: number }> }>('/status')).body.lanes[0]?.depth, 0);

      await t.del('/chaos');
      const completed = await waitFor(
        async () => {
          const answer = await t.send({ signal_type: 'execute', payload: {} });
          if (answer.status !== 202) return undefined;
          await t.waitForStatus(String(answer.body.id), 'completed');
          return lane().state === 'closed';
        },
        { timeoutMs: 10_000, intervalMs: 50, message: 'lane:fast closed by trial signals' },
      );
      assert.equal(completed, true);
    });
  });

  describe('the andon cord', () => {
    let t: TestSystem;
    before(async () => {
      t = await startTestSystem();
    });
    after(() => t.close());

    it('stops a lane by hand until it is reset; the other lane keeps running', async () => {
      const pulled = await t.post('/andon/pull', { lane: 'fast', reason: 'defect spotted', by: 'test' });
      assert.equal(pulled.status, 200);
      const refused = await t.send({ signal_type: 'execute', payload: {} });
      assert.equal(refused.status, 503);
      assert.match(String((refused.body.error as { message: string }).message), /defect spotted/);
      assert.equal((await t.send({ signal_type: 'report', payload: {} })).status, 202);

      const health = await t.get<{ andon: { red: string[] } }>('/health');
      assert.ok(health.body.andon.red.some((line) => line.includes('defect spotted')));

      assert.equal((await t.post('/andon/reset', { lane: 'fast' })).status, 200);
      assert.equal((await t.send({ signal_type: 'execute', payload: {} })).status, 202);
    });

    it('stops the whole line when no lane is named (a body of {})', async () => {
      assert.equal((await t.post('/andon/pull', {})).status, 200);
      assert.equal((await t.send({ signal_type: 'execute', payload: {} })).status, 503);
      assert.equal((await t.send({ signal_type: 'report', payload: {} })).status, 503);
      assert.equal((await t.post('/andon/reset', {})).status, 200);
      assert.equal((await t.send({ signal_type: 'report', payload: {} })).status, 202);
    });

    it('refuses admin routes to callers off loopback without the token', async () => {
      const app = t.system.parts.api;
      const remote = await app.inject({
        method: 'POST',
        url: '/andon/pull',
        remoteAddress: '10.1.2.3',
        payload: {},
      });
      assert.equal(remote.statusCode, 403);
      assert.equal(remote.json<{ error: { code: string } }>().error.code, 'FORBIDDEN');
      const chaos = await app.inject({ method: 'DELETE', url: '/chaos', remoteAddress: '10.1.2.3' });
      assert.equal(chaos.statusCode, 403);
    });
  });

  describe('with an admin token', () => {
    let t: TestSystem;
    before(async () => {
      t = await startTestSystem({ tpsAdminToken: 's3cret-token' });
    });
    after(() => t.close());

    it('lets a remote caller with the right bearer token in, and no one else', async () => {
      const app = t.system.parts.api;
      const pull = (authorization?: string) =>
        app.inject({
          method: 'POST',
          url: '/andon/reset',
          remoteAddress: '10.1.2.3',
          payload: {},
          headers: authorization ? { authorization } : {},
        });
      assert.equal((await pull('Bearer s3cret-token')).statusCode, 200);
      assert.equal((await pull('Bearer wrong')).statusCode, 403);
      assert.equal((await pull()).statusCode, 403);
    });
  });
});
