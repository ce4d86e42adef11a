import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NATS, POSTGRES, skipUnless } from '../support/services.js';
import {
  assertApiHoldsWholeTrace,
  assertTraceCrossesBroker,
  sendSignal,
  startTopology,
  statusOf,
  type Topology,
} from '../support/topology.js';
import { waitFor } from '../support/waitFor.js';

const skip = await skipUnless(NATS, POSTGRES);

describe(
  'distributed mode over NATS JetStream: tps api, tps worker ×2, tps downstream',
  { skip, timeout: 180_000 },
  () => {
    let t: Topology;
    before(async () => {
      t = await startTopology({ QUEUE_BACKEND: 'nats', NATS_URL: 'nats://127.0.0.1:4222', LEASE_MS: '1500' });
    });
    after(() => t?.stop());

    const completed = (id: string, timeoutMs = 20_000) =>
      waitFor(
        async () => {
          const record = await statusOf(t.apiUrl, id);
          return record.status === 'completed' ? record : undefined;
        },
        { timeoutMs, intervalMs: 50, message: `signal ${id} completed` },
      );

    it('takes a signal at the API and reports the status a worker process wrote', async () => {
      const fast = await sendSignal(t.apiUrl, { signal_type: 'execute', payload: { task: 'e2e' } });
      assert.equal(fast.status, 202);
      const slow = await sendSignal(t.apiUrl, { signal_type: 'report', payload: {} });
      assert.equal(slow.status, 202);
      assert.equal((await completed(String(fast.body.id))).attempts, 1);
      assert.equal((await completed(String(slow.body.id))).lane, 'slow');

      const info = (await (await fetch(`${t.apiUrl}/info`)).json()) as Record<string, unknown>;
      const { durability, ...queue } = info.queue as { durability: string };
      assert.deepEqual(queue, { backend: 'nats', durable: true });
      assert.match(durability, /queued signals outlive this process/);
      assert.equal(info.mode, 'distributed');
      const worker = await (await fetch(`${t.workerUrls.fast}/metrics`)).text();
      assert.match(worker, /signals_processed_total\{lane="fast",outcome="completed"\} [1-9]/);
    });

    it('carries the trace across the broker: the worker’s spans continue the API’s trace', async () => {
      await assertTraceCrossesBroker(t, 'fast');
    });

    it('shows the whole trace on the API: the worker and downstream processes send it their spans', async () => {
      await assertApiHoldsWholeTrace(t, 'fast');
    });

    it('answers the same id twice with the same signal across processes', async () => {
      const first = await sendSignal(t.apiUrl, { id: 'e2e-idem-1', signal_type: 'notify', payload: {} });
      assert.equal(first.status, 202);
      await completed('e2e-idem-1');
      const again = await sendSignal(t.apiUrl, { id: 'e2e-idem-1', signal_type: 'notify', payload: {} });
      assert.equal(again.status, 200);
      assert.equal(again.body.status, 'completed');
    });

    it('stops the workers’ pulling when the andon cord is pulled at the API, and starts it again on reset', async () => {
      const workerStatus = async () =>
        (await (await fetch(`${t.workerUrls.fast}/status`)).json()) as {
          pool: { busy: number };
          cords: { lanes: { fast: { pulled: boolean; reason?: string } } };
        };
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) {
        const answer = await sendSignal(t.apiUrl, { signal_type: 'execute', payload: { work_ms: 400 } });
        assert.equal(answer.status, 202);
        ids.push(String(answer.body.id));
      }
      const pull = await fetch(`${t.apiUrl}/andon/pull`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lane: 'fast', reason: 'e2e cord' }),
      });
      assert.equal(pull.status, 200);
      await waitFor(async () => (await workerStatus()).cords.lanes.fast.reason === 'e2e cord', {
        timeoutMs: 10_000,
        message: 'the fast worker follows the cord pulled at the API',
      });
      const finished = async () =>
        (await Promise.all(ids.map((id) => statusOf(t.apiUrl, id)))).filter((r) => r.status === 'completed')
          .length;
      // What the workers held when the cord reached them may finish; nothing more is pulled while it stays pulled.
      const heldAtStop = (await workerStatus()).pool.busy;
      const atStop = await finished();
      await new Promise((resolve) => setTimeout(resolve, 1500)); // absence can only be shown by waiting
      const afterWait = await finished();
      assert.ok(
        afterWait <= atStop + heldAtStop,
        `${afterWait} completed after the stop, ${atStop} + ${heldAtStop} held`,
      );
      assert.ok(afterWait < ids.length, 'work waits in the lane while the cord is pulled');

      const reset = await fetch(`${t.apiUrl}/andon/reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lane: 'fast' }),
      });
      assert.equal(reset.status, 200);
      for (const id of ids) await completed(id, 30_000);
      assert.equal((await workerStatus()).cords.lanes.fast.pulled, false);
    });

    it('loses nothing when a worker is killed -9 holding a signal: the lease redelivers it, completed once', async () => {
      const held = await sendSignal(t.apiUrl, { signal_type: 'execute', payload: { work_ms: 3000 } });
      const id = String(held.body.id);
      await waitFor(async () => (await statusOf(t.apiUrl, id)).status === 'processing', {
        timeoutMs: 10_000,
        message: 'processing',
      });
      await t.workers.fast.kill();
      const others = await Promise.all(
        Array.from({ length: 5 }, () => sendSignal(t.apiUrl, { signal_type: 'validate', payload: {} })),
      );
      assert.ok(
        others.every((answer) => answer.status === 202),
        'intake goes on while no fast worker runs',
      );

      t.workers.fast = await t.startWorker('fast');
      const done = await completed(id, 30_000);
      assert.equal(done.attempts, 2, 'the second delivery completed it');
      for (const answer of others) await completed(String(answer.body.id), 30_000);
    });

    it('loses nothing and applies each effect once when a worker is killed -9 in the middle of load', async () => {
      const effectsUrl = `http://127.0.0.1:${String(t.env.DOWNSTREAM_PORT)}/effects`;
      const effects = async () =>
        (await (await fetch(effectsUrl)).json()) as { applied: number; duplicates: number };
      const before = await effects();
      const ids: string[] = [];
      let restarted: Promise<void> | undefined;
      for (let i = 0; i < 120; i++) {
        const answer = await sendSignal(t.apiUrl, { signal_type: 'execute', payload: { work_ms: 20 } });
        assert.equal(answer.status, 202);
        ids.push(String(answer.body.id));
        if (i === 60) {
          await t.workers.fast.kill();
          restarted = t.startWorker('fast').then((worker) => {
            t.workers.fast = worker;
          });
        }
      }
      await restarted;
      for (const id of ids) await completed(id, 60_000);
      const after = await effects();
      assert.equal(after.applied - before.applied, ids.length, 'one effect per accepted signal');
    });
  },
);
