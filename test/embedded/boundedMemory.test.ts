import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';

type ErrorBody = { error: { code: string; message: string } };
type PayloadRetention = { budget_bytes: number; retained_bytes: number; retained: number };

const oneWorker = { fastPoolSize: 1, slowPoolSize: 1, poolMin: 1, poolMax: 1, autoscale: false } as const;

describe('Bounded memory: payloads within a budget, and a cap on /events clients', () => {
  describe('the status store’s payload budget', () => {
    const budget = 8 * 1024;
    let t: TestSystem;
    before(async () => {
      t = await startTestSystem({ ...oneWorker, statusPayloadBudgetBytes: budget });
    });
    after(() => t.close());

    it('keeps payloads under STATUS_PAYLOAD_BUDGET_BYTES, and a retry of a dropped one answers 409 saying why', async () => {
      // Long enough that all twenty queue behind it however slow the machine.
      const blocker = await t.send({ signal_type: 'execute', payload: { work_ms: 6_000 } });
      await t.waitForStatus(String(blocker.body.id), 'processing');
      // Queued behind the blocker past their 1 ms deadline: each expires unprocessed, and may be retried.
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const answer = await t.send({
          signal_type: 'execute',
          payload: { note: 'x'.repeat(2_000), i },
          timeout_ms: 1,
        });
        assert.equal(answer.status, 202);
        ids.push(String(answer.body.id));
        if (i % 5 !== 4) continue;
        const { payloads } = (await t.get<{ store: { payloads: PayloadRetention } }>('/info')).body.store;
        assert.equal(payloads.budget_bytes, budget);
        assert.ok(payloads.retained_bytes <= budget, `${payloads.retained_bytes} bytes kept`);
      }
      for (const id of ids) await t.waitForStatus(id, 'expired', 30_000);

      const dropped = await t.post<ErrorBody>(`/signal/${ids[0]}/retry`);
      assert.equal(dropped.status, 409);
      assert.equal(dropped.body.error.code, 'PAYLOAD_DROPPED');
      assert.match(dropped.body.error.message, /no longer keeps its payload.*STATUS_PAYLOAD_BUDGET_BYTES/);
      assert.equal((await t.statusOf(String(ids[0]))).status, 'expired', 'the refused retry changed nothing');

      const kept = await t.post(`/signal/${ids[ids.length - 1]}/retry`);
      assert.equal(kept.status, 202);
    });
  });

  describe('the /events client cap', () => {
    let t: TestSystem;
    const streams: AbortController[] = [];
    before(async () => {
      t = await startTestSystem({ maxEventClients: 2 });
    });
    after(async () => {
      for (const stream of streams) stream.abort();
      await t.close();
    });

    const follow = async (): Promise<Response> => {
      const stream = new AbortController();
      streams.push(stream);
      return fetch(`${t.url}/events`, { signal: stream.signal });
    };

    it('answers 503 with Retry-After beyond MAX_EVENT_CLIENTS, and takes a client again once one leaves', async () => {
      const first = await follow();
      const second = await follow();
      assert.deepEqual([first.status, second.status], [200, 200]);

      const third = await follow();
      assert.equal(third.status, 503);
      assert.equal(third.headers.get('retry-after'), '5');
      const body = (await third.json()) as ErrorBody;
      assert.equal(body.error.code, 'TOO_MANY_EVENT_CLIENTS');
      assert.match(body.error.message, /MAX_EVENT_CLIENTS/);

      streams[0]?.abort();
      const again = await waitFor(
        async () => {
          const response = await follow();
          if (response.status === 200) return response;
          await response.arrayBuffer();
          return undefined;
        },
        { message: 'a client taken once one left' },
      );
      assert.equal(again.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    });
  });
});
