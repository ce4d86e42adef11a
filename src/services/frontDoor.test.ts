import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { errorsPlugin } from './api/plugins/errors.js';
import { contractServerOptions, guardFrontDoor, hostAllowList, splitHost } from './frontDoor.js';

describe('the Host allow-list', () => {
  it('splits a Host into name and port, IPv6 literals included', () => {
    assert.deepEqual(splitHost('API:8080'), { name: 'api', port: '8080' });
    assert.deepEqual(splitHost('api'), { name: 'api', port: undefined });
    assert.deepEqual(splitHost('[::1]:80'), { name: '[::1]', port: '80' });
    assert.deepEqual(splitHost('[::1]'), { name: '[::1]', port: undefined });
  });

  it('takes nothing that is no host at all, however it begins', () => {
    for (const host of ['127.0.0.1:80@evil.example', 'localhost:x', 'a b', 'localhost:80:80', '[::1]x'])
      assert.equal(splitHost(host), undefined, host);
    assert.equal(hostAllowList('')('127.0.0.1:80@evil.example'), false);
  });

  it('always answers loopback names and IP addresses, at any port', () => {
    const allowed = hostAllowList('');
    for (const host of [
      'localhost',
      'localhost:8080',
      '127.0.0.1:1',
      '[::1]:8080',
      '10.1.2.3:8080',
      '[fd00::1]',
    ])
      assert.ok(allowed(host), host);
  });

  it('refuses other names, a missing Host, and names that only look like loopback', () => {
    const allowed = hostAllowList('');
    for (const host of [
      undefined,
      '',
      'attacker.example',
      'localhost.attacker.example',
      '127.0.0.1.nip.io:80',
    ])
      assert.equal(allowed(host), false, String(host));
  });

  it('answers ALLOWED_HOSTS: a name at any port, name:port at that port only', () => {
    const allowed = hostAllowList(' api , worker-fast:8081,');
    assert.ok(allowed('api'));
    assert.ok(allowed('API:8080'));
    assert.ok(allowed('worker-fast:8081'));
    assert.equal(allowed('worker-fast:9999'), false);
    assert.equal(allowed('worker-fast'), false);
    assert.equal(allowed('apix'), false);
  });
});

describe('a closing server', () => {
  it('answers what still arrives on an open connection with 503 SHUTTING_DOWN in the contract shape', async () => {
    const app = Fastify(contractServerOptions());
    guardFrontDoor(app, '');
    await app.register(errorsPlugin);
    let release = () => {};
    const entered = new Promise<void>((resolve) => {
      app.get('/slow', async () => {
        resolve();
        await new Promise<void>((done) => (release = done));
        return { slow: true };
      });
    });
    app.get('/health', async () => ({ status: 'healthy' }));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.write('GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await entered;
    const closed = app.close();
    // The connection is busy, so closing leaves it open: a request still comes in on it.
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await once(socket, 'close');
    await closed;
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    assert.match(answers[0] ?? '', /^HTTP\/1\.1 200/);
    assert.match(answers[1] ?? '', /^HTTP\/1\.1 503/);
    const body = JSON.parse((answers[1] ?? '').split('\r\n\r\n')[1] ?? '') as { error: { code: string } };
    assert.equal(body.error.code, 'SHUTTING_DOWN');
  });
});

describe('a request that never finishes', () => {
  it('gets 408 REQUEST_TIMEOUT in the contract shape, written on the raw socket', async () => {
    const options = contractServerOptions();
    // Node looks for late requests every connectionsCheckingInterval (30 s by default): shortened for the test.
    const app = Fastify({
      ...options,
      requestTimeout: 200,
      http: { ...options.http, connectionsCheckingInterval: 20 },
    });
    app.get('/health', async () => ({ status: 'healthy' }));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n'); // the blank line never comes
      await once(socket, 'close');
      assert.match(received, /^HTTP\/1\.1 408 /);
      const body = JSON.parse(received.split('\r\n\r\n')[1] ?? '') as {
        error: { code: string; message: string };
      };
      assert.equal(body.error.code, 'REQUEST_TIMEOUT');
    } finally {
      await app.close();
    }
  });
});
