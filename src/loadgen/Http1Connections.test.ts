import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { serveBodies, type BodyHandler, type BodyServer } from '../../test/support/bodyServer.js';
import { Http1Connections } from './Http1Connections.js';

type Outcome = number | string;

const closers: (() => Promise<unknown>)[] = [];
after(() => Promise.all(closers.map((close) => close())));

async function serve(handler: BodyHandler): Promise<BodyServer> {
  const server = await serveBodies(handler);
  closers.push(() => server.stop());
  return server;
}

function client(url: string, connections = 4, timeoutMs = 2000): Http1Connections {
  const pool = new Http1Connections(new URL(url), '/signal', {
    connections,
    timeoutMs,
    headers: { 'content-type': 'application/json' },
  });
  closers.push(() => pool.close());
  return pool;
}

/** Posts every body and waits for every outcome: a status, or a failure's code. */
function postAll(pool: Http1Connections, bodies: string[]): Promise<Outcome[]> {
  return Promise.all(
    bodies.map(
      (body) =>
        new Promise<Outcome>((resolve) => pool.post(body, (status, failure) => resolve(failure ?? status))),
    ),
  );
}

const bodies = (count: number): string[] => Array.from({ length: count }, (_, i) => JSON.stringify({ i }));

describe('Http1Connections', () => {
  it('answers every request with its own status over at most `connections` keep-alive connections', async () => {
    const seen: string[] = [];
    const server = await serve((request, body, response) => {
      seen.push(`${request.method} ${request.url} ${request.headers['content-type']} ${body}`);
      const { i } = JSON.parse(body) as { i: number };
      // Odd answers go out chunked (no length known up front), even ones with a content-length.
      if (i % 2) response.writeHead(200 + i).end(`chunked ${i}`);
      else response.end(`sized ${i}`.padEnd(i + 8, '.'));
    });
    const outcomes = await postAll(client(server.url, 3), bodies(40));
    assert.deepEqual(
      outcomes,
      bodies(40).map((_, i) => (i % 2 ? 200 + i : 200)),
    );
    assert.deepEqual(
      seen.sort(),
      bodies(40)
        .map((body) => `POST /signal application/json ${body}`)
        .sort(),
    );
    assert.ok(server.connections() <= 3, `${server.connections()} connections opened`);
  });

  it('opens a new connection after an answer that closes its own', async () => {
    const server = await serve((_request, _body, response) =>
      response.writeHead(202, { connection: 'close' }).end('{}'),
    );
    assert.deepEqual(await postAll(client(server.url, 1), bodies(5)), [202, 202, 202, 202, 202]);
    assert.equal(server.connections(), 5);
  });

  it('fails a request that is not answered within timeoutMs, and goes on with a new connection', async () => {
    let calls = 0;
    const server = await serve((_request, _body, response) => {
      if (calls++ > 0) response.end('ok');
    });
    const pool = client(server.url, 1, 200);
    assert.deepEqual(await postAll(pool, bodies(1)), ['TIMEOUT']);
    assert.deepEqual(await postAll(pool, bodies(2)), [200, 200]);
    assert.equal(server.connections(), 2);
  });

  it('fails what the server drops, and serves what is waiting on a new connection', async () => {
    const server = await serve((request, body, response) => {
      if (body === '{"i":0}') request.socket.destroy();
      else response.end('ok');
    });
    assert.deepEqual(await postAll(client(server.url, 1), bodies(3)), ['ECONNRESET', 200, 200]);
  });

  it('counts refused connections', async () => {
    const server = await serve(() => {});
    await server.stop();
    assert.deepEqual(await postAll(client(server.url, 2), bodies(3)), [
      'ECONNREFUSED',
      'ECONNREFUSED',
      'ECONNREFUSED',
    ]);
  });

  it('fails what is in flight or waiting when closed, and whatever is posted after', async () => {
    const server = await serve(() => {});
    const pool = client(server.url, 1);
    const outcomes = postAll(pool, bodies(3));
    await pool.close();
    assert.deepEqual(await outcomes, ['CLOSED', 'CLOSED', 'CLOSED']);
    assert.deepEqual(await postAll(pool, bodies(1)), ['CLOSED']);
  });

  it('reaches a server on IPv6 loopback', async (t) => {
    const server = createServer((_request, response) => response.end('ok'));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const listening = once(server, 'listening');
    server.once('error', () => undefined).listen(0, '::1');
    if (!(await Promise.race([listening.then(() => true), once(server, 'error').then(() => false)]))) {
      t.skip('no IPv6 loopback on this machine');
      return;
    }
    const url = `http://[::1]:${(server.address() as AddressInfo).port}`;
    assert.deepEqual(await postAll(client(url, 1), bodies(2)), [200, 200]);
  });
});
