import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { POSTGRES, RABBITMQ, skipUnless } from '../support/services.js';
import {
  assertApiHoldsWholeTrace,
  assertTraceCrossesBroker,
  sendSignal,
  startTopology,
  statusOf,
  type Topology,
} from '../support/topology.js';
import { waitFor } from '../support/waitFor.js';

const skip = await skipUnless(RABBITMQ, POSTGRES);

describe('distributed mode over RabbitMQ', { skip, timeout: 180_000 }, () => {
  let t: Topology;
  before(async () => {
    t = await startTopology({
      QUEUE_BACKEND: 'rabbitmq',
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
      LEASE_MS: '1500',
    });
  });
  after(() => t?.stop());

  const completed = (id: string) =>
    waitFor(
      async () => {
        const record = await statusOf(t.apiUrl, id);
        return record.status === 'completed' ? record : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, message: `signal ${id} completed` },
    );

  it('carries signals from the API to the workers of both lanes', async () => {
    const answers = await Promise.all(
      ['execute', 'notify', 'report', 'batch'].map((type) =>
        sendSignal(t.apiUrl, { signal_type: type, payload: {} }),
      ),
    );
    assert.ok(answers.every((answer) => answer.status === 202));
    for (const answer of answers) assert.equal((await completed(String(answer.body.id))).status, 'completed');
    const info = (await (await fetch(`${t.apiUrl}/info`)).json()) as Record<string, unknown>;
    const { durability, ...queue } = info.queue as { durability: string };
    assert.deepEqual(queue, { backend: 'rabbitmq', durable: true });
    assert.match(durability, /queued signals outlive this process/);
  });

  it('carries the trace across the broker: the worker’s spans continue the API’s trace', async () => {
    await assertTraceCrossesBroker(t, 'slow');
  });

  it('shows the whole trace on the API, the worker’s and downstream’s spans included', async () => {
    await assertApiHoldsWholeTrace(t, 'slow');
  });

  it('loses nothing when a worker is killed -9 holding a signal', async () => {
    const held = await sendSignal(t.apiUrl, { signal_type: 'execute', payload: { work_ms: 3000 } });
    const id = String(held.body.id);
    await waitFor(async () => (await statusOf(t.apiUrl, id)).status === 'processing', {
      timeoutMs: 10_000,
      message: 'processing',
    });
    await t.workers.fast.kill();
    t.workers.fast = await t.startWorker('fast');
    const done = await completed(id);
    assert.ok(Number(done.attempts) >= 2, 'delivered again after the crash');
  });
});
