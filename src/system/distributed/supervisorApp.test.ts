import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RoleSupervisor } from './RoleSupervisor.js';
import { buildSupervisorApp } from './supervisorApp.js';

describe('the supervisor of tps run-local, without a broker of its own', async () => {
  const roles = new RoleSupervisor({ command: process.execPath, args: [], env: {}, log: () => {} });
  const app = await buildSupervisorApp({ roles, brokerUrl: 'nats://127.0.0.1:4222', adminToken: '' });
  after(() => app.close());
  const post = (url: string) => app.inject({ method: 'POST', url, remoteAddress: '127.0.0.1', payload: {} });

  it('refuses queue-down and queue-recover with 409 BROKER_NOT_OWNED: it never stops a broker it did not start', async () => {
    for (const url of ['/queue-down', '/queue-recover']) {
      const answer = await post(url);
      assert.equal(answer.statusCode, 409);
      const { error } = answer.json<{ error: { code: string; message: string } }>();
      assert.equal(error.code, 'BROKER_NOT_OWNED');
      assert.match(error.message, /did not start the broker at nats:\/\/127\.0\.0\.1:4222.*--own-nats/);
    }
  });

  it('answers 409 NO_WORKER to crash-worker when it runs no worker of that pool', async () => {
    const answer = await post('/crash-worker');
    assert.equal(answer.statusCode, 409);
    assert.equal(answer.json<{ error: { code: string } }>().error.code, 'NO_WORKER');
  });

  it('says in /state that the broker is not its own', async () => {
    const answer = await app.inject({ method: 'GET', url: '/state', remoteAddress: '127.0.0.1' });
    assert.deepEqual(answer.json(), {
      roles: [],
      broker: { url: 'nats://127.0.0.1:4222', owned: false, running: true },
    });
  });

  it('is admin: a caller off loopback without the token gets 403', async () => {
    const answer = await app.inject({ method: 'POST', url: '/queue-down', remoteAddress: '10.0.0.9' });
    assert.equal(answer.statusCode, 403);
  });
});
