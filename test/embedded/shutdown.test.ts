import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort, spawnRole, waitForHealthy } from '../support/processes.js';
import { startTestSystem } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';

describe('graceful shutdown', () => {
  it('drains: intake answers 503 at once, the signal in hand finishes, then everything closes', async () => {
    const t = await startTestSystem({ fastPoolSize: 1, poolMin: 1, autoscale: false });
    const answer = await t.send({ signal_type: 'execute', payload: { work_ms: 400 } });
    const id = String(answer.body.id);
    await t.waitForStatus(id, 'processing');

    const closing = t.close();
    const refused = await t.send({ signal_type: 'execute', payload: {} });
    assert.equal(refused.status, 503);
    assert.equal((refused.body.error as { code: string }).code, 'SHUTTING_DOWN');
    assert.ok(refused.headers.get('retry-after'));
    await closing;

    const record = await t.system.parts.store.get(id);
    assert.equal(record?.status, 'completed');
  });

  it('lets the workers finish the signals still queued in memory before it stops', async () => {
    const t = await startTestSystem({ fastPoolSize: 1, poolMin: 1, autoscale: false });
    const answers = await Promise.all(
      [1, 2, 3].map(() => t.send({ signal_type: 'execute', payload: { work_ms: 100 } })),
    );
    await t.close();
    for (const answer of answers) {
      assert.equal((await t.system.parts.store.get(String(answer.body.id)))?.status, 'completed');
    }
  });

  it('releases work still in hand when the drain time runs out, for redelivery', async () => {
    const t = await startTestSystem({ fastPoolSize: 1, poolMin: 1, autoscale: false, shutdownTimeoutMs: 50 });
    const answer = await t.send({ signal_type: 'execute', payload: { work_ms: 5000 } });
    const id = String(answer.body.id);
    await t.waitForStatus(id, 'processing');
    const stats = t.system.parts.queue.stats.bind(t.system.parts.queue);
    const released = waitFor(async () => (await stats()).fast.depth === 1, {
      message: 'signal back in its lane',
    });
    await t.close();
    await released;
  });

  it('exits on SIGTERM within the bound, after saying it drained', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const role = spawnRole(['start'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '2000',
    });
    try {
      await waitForHealthy(url, role, 20_000);
      const sent = await fetch(`${url}/signal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signal_type: 'execute', payload: { work_ms: 300 } }),
      });
      assert.equal(sent.status, 202);
      const code = await role.stop();
      assert.equal(code, 0, role.output());
      assert.match(role.output(), /draining/);
      assert.match(role.output(), /stopped/);
    } finally {
      await role.kill();
    }
  });
});
