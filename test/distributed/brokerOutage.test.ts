import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NatsServerProcess } from '../../src/system/distributed/NatsServerProcess.js';
import { POSTGRES, RABBITMQ, skipUnless } from '../support/services.js';
import { sendSignal, startTopology, statusOf, type Topology } from '../support/topology.js';
import { waitFor } from '../support/waitFor.js';

const skip = await skipUnless(POSTGRES, RABBITMQ);
const completed = (t: Topology, id: string, timeoutMs = 30_000) =>
  waitFor(async () => (await statusOf(t.apiUrl, id)).status === 'completed', {
    timeoutMs,
    intervalMs: 50,
    message: `signal ${id} completed`,
  });
const health = async (t: Topology) =>
  (await (await fetch(`${t.apiUrl}/health`)).json()) as Record<string, unknown>;

describe('when NATS goes down', { skip, timeout: 240_000 }, () => {
  describe('with QUEUE_BACKEND=nats+rabbitmq', () => {
    let nats: NatsServerProcess;
    let t: Topology;
    before(async () => {
      nats = await NatsServerProcess.start();
      t = await startTopology({
        QUEUE_BACKEND: 'nats+rabbitmq',
        NATS_URL: nats.url,
        AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
        CIRCUIT_BREAKER_THRESHOLD: '2',
        CIRCUIT_BREAKER_RESET_MS: '1000',
        BREAKER_PROBES: '1',
      });
    });
    after(async () => {
      await t?.stop();
      await nats?.destroy();
    });

    it('takes intake on RabbitMQ, says so, loses nothing, and goes back to NATS when it returns', async () => {
      const before = await sendSignal(t.apiUrl, { signal_type: 'execute', payload: {} });
      assert.equal(before.status, 202);
      await completed(t, String(before.body.id));

      await nats.stop();
      const during: string[] = [];
      await waitFor(
        async () => {
          const answer = await sendSignal(t.apiUrl, { signal_type: 'execute', payload: {} });
          assert.notEqual(answer.status, 500, JSON.stringify(answer.body));
          if (answer.status === 202) during.push(String(answer.body.id));
          return during.length >= 10;
        },
        { timeoutMs: 30_000, intervalMs: 20, message: '10 signals accepted while NATS is down' },
      );
      const andon = (await health(t)).andon as { yellow: string[]; red: string[] };
      assert.ok(
        [...andon.yellow, ...andon.red].some((line) => /fallback active/.test(line)),
        JSON.stringify(andon),
      );
      for (const id of during) await completed(t, id);

      await nats.resume();
      await waitFor(
        async () => {
          const answer = await sendSignal(t.apiUrl, { signal_type: 'execute', payload: {} });
          return answer.status === 202 && !JSON.stringify(await health(t)).includes('fallback active');
        },
        { timeoutMs: 30_000, intervalMs: 200, message: 'intake back on NATS' },
      );
    });
  });

  describe('with QUEUE_BACKEND=nats alone', () => {
    let nats: NatsServerProcess;
    let t: Topology;
    before(async () => {
      nats = await NatsServerProcess.start();
      t = await startTopology({
        QUEUE_BACKEND: 'nats',
        NATS_URL: nats.url,
        CIRCUIT_BREAKER_THRESHOLD: '2',
        CIRCUIT_BREAKER_RESET_MS: '1000',
        BREAKER_PROBES: '1',
      });
    });
    after(async () => {
      await t?.stop();
      await nats?.destroy();
    });

    it('answers 503 with Retry-After while NATS is down, and recovers by itself', async () => {
      const accepted = await sendSignal(t.apiUrl, { signal_type: 'execute', payload: {} });
      assert.equal(accepted.status, 202);
      await completed(t, String(accepted.body.id));

      await nats.stop();
      const refused = await waitFor(
        async () => {
          const answer = await sendSignal(t.apiUrl, { signal_type: 'execute', payload: {} });
          return answer.status === 503 ? answer : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 50, message: 'intake answers 503' },
      );
      assert.equal((refused.body.error as { code: string }).code, 'QUEUE_UNAVAILABLE');
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.equal((await fetch(`${t.apiUrl}/health`)).status, 503);

      await nats.resume();
      const after = await waitFor(
        async () => {
          const answer = await sendSignal(t.apiUrl, { signal_type: 'execute', payload: {} });
          return answer.status === 202 ? answer : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200, message: 'intake recovers' },
      );
      await completed(t, String(after.body.id));
    });
  });
});
