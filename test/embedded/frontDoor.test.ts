import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RoleSupervisor } from '../../src/system/distributed/RoleSupervisor.js';
import { buildSupervisorApp } from '../../src/system/distributed/supervisorApp.js';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';

interface RawAnswer {
  status: number;
  headers: string;
  body: unknown;
  /** An error the socket reported while we wrote (EPIPE, ECONNRESET), if any. */
  writeError?: string;
}

/**
 * One request over a real socket, bytes as given (no client fixes them up), read until the server closes or
 * has sent one whole answer. `body` is written after the head, chunk by chunk, each write waited for.
 */
async function raw(url: string, head: string, body?: Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = Buffer.alloc(0);
  let writeError: string | undefined;
  socket.on('error', (error: NodeJS.ErrnoException) => (writeError ??= error.code ?? error.message));
  const answered = new Promise<void>((resolve) => {
    const done = () => resolve();
    socket.on('close', done);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = /content-length: *(\d+)/i.exec(text.slice(0, end));
      if (end !== -1 && length && received.length >= end + 4 + Number(length[1])) done();
    });
  });
  await new Promise<void>((resolve) => socket.write(head, () => resolve()));
  if (body) {
    const chunk = 64 * 1024;
    for (let at = 0; at < body.length && !socket.destroyed; at += chunk) {
      await new Promise<void>((resolve) => socket.write(body.subarray(at, at + chunk), () => resolve()));
    }
  }
  await answered;
  socket.destroy();
  const text = received.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const bodyText = text.slice(split + 4);
  let parsed: unknown = bodyText;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    // not JSON: the assertion on the shape says so
  }
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
    headers: text.slice(0, split),
    body: parsed,
    ...(writeError === undefined ? {} : { writeError }),
  };
}

/** The contract: `{"error":{"code","message"}}` with a code and a message that say something. */
function assertContract(answer: { status: number; body: unknown }, status: number, code: string): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } }).error;
  assert.equal(error?.code, code, JSON.stringify(answer.body));
  assert.equal(typeof error?.message, 'string');
  assert.ok(String(error?.message).length > 5);
}

const hostOf = (url: string) => new URL(url).host;
const json = (body: string) =>
  `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('the front door', () => {
  let t: TestSystem;
  before(async () => {
    t = await startTestSystem({ allowedHosts: 'tps.example, ops.example:9999' });
  });
  after(() => t.close());

  describe('admin routes are same-site and deliberate', () => {
    it('refuse a request another site started: Origin of another site, or Sec-Fetch-Site cross-site/same-site (403 CROSS_SITE)', async () => {
      const pull = (headers: string) =>
        raw(t.url, `POST /andon/pull HTTP/1.1\r\nHost: ${hostOf(t.url)}\r\n${headers}${json('{}')}`);
      assertContract(await pull('Origin: http://evil.example\r\n'), 403, 'CROSS_SITE');
      assertContract(await pull('Origin: null\r\n'), 403, 'CROSS_SITE');
      assertContract(await pull(`Origin: ${t.url}\r\nSec-Fetch-Site: cross-site\r\n`), 403, 'CROSS_SITE');
      assertContract(await pull('Sec-Fetch-Site: same-site\r\n'), 403, 'CROSS_SITE');
      const stopAll = await raw(
        t.url,
        `DELETE /chaos HTTP/1.1\r\nHost: ${hostOf(t.url)}\r\nOrigin: http://evil.example\r\n${json('{}')}`,
      );
      assertContract(stopAll, 403, 'CROSS_SITE');
      assert.equal((await t.get<{ line: { pulled: boolean } }>('/andon/cords')).body.line.pulled, false);
    });

    it('refuse a change that is not JSON: no body, a form, text (415)', async () => {
      const host = `Host: ${hostOf(t.url)}\r\n`;
      assertContract(
        await raw(t.url, `POST /andon/pull HTTP/1.1\r\n${host}content-length: 0\r\n\r\n`),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
      assertContract(
        await raw(
          t.url,
          `POST /chaos/queue-down HTTP/1.1\r\n${host}content-type: application/x-www-form-urlencoded\r\ncontent-length: 3\r\n\r\na=1`,
        ),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
      assertContract(
        await raw(
          t.url,
          `POST /dlq/replay HTTP/1.1\r\n${host}content-type: text/plain\r\ncontent-length: 2\r\n\r\n{}`,
        ),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
      assertContract(await raw(t.url, `DELETE /load HTTP/1.1\r\n${host}\r\n`), 415, 'UNSUPPORTED_MEDIA_TYPE');
      assert.equal((await t.get<{ active: string[] }>('/chaos')).body.active.length, 0);
    });

    it('accept JSON from the same origin, as the board sends it', async () => {
      const same = `Origin: ${t.url}\r\nSec-Fetch-Site: same-origin\r\n`;
      const pulled = await raw(
        t.url,
        `POST /andon/pull HTTP/1.1\r\nHost: ${hostOf(t.url)}\r\n${same}${json('{}')}`,
      );
      assert.equal(pulled.status, 200, JSON.stringify(pulled.body));
      const reset = await raw(
        t.url,
        `POST /andon/reset HTTP/1.1\r\nHost: ${hostOf(t.url)}\r\n${same}${json('{}')}`,
      );
      assert.equal(reset.status, 200, JSON.stringify(reset.body));
    });
  });

  describe('with an admin token', () => {
    let remote: TestSystem;
    before(async () => {
      remote = await startTestSystem({ tpsAdminToken: 'front-door-token' });
    });
    after(() => remote.close());

    it('lets a remote operator with the Bearer token in, but never a cross-site browser request', async () => {
      const app = remote.system.parts.api;
      const call = (headers: Record<string, string>) =>
        app.inject({
          method: 'POST',
          url: '/andon/reset',
          remoteAddress: '10.9.8.7',
          payload: {},
          headers: { authorization: 'Bearer front-door-token', ...headers },
        });
      assert.equal((await call({})).statusCode, 200);
      const crossSite = await call({ origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
      assertContract({ status: crossSite.statusCode, body: crossSite.json() }, 403, 'CROSS_SITE');
      const noToken = await call({ authorization: '' });
      assertContract({ status: noToken.statusCode, body: noToken.json() }, 403, 'FORBIDDEN');
    });
  });

  describe('the Host allow-list', () => {
    it('answers 421 to a Host that is neither loopback nor in ALLOWED_HOSTS, on every route, /health included', async () => {
      for (const path of ['/health', '/status', '/info', '/signal/x/status', '/nowhere']) {
        const answer = await raw(t.url, `GET ${path} HTTP/1.1\r\nHost: attacker.example\r\n\r\n`);
        assertContract(answer, 421, 'MISDIRECTED_REQUEST');
      }
      const port = new URL(t.url).port;
      assertContract(
        await raw(t.url, `GET /health HTTP/1.1\r\nHost: ops.example:${port}\r\n\r\n`),
        421,
        'MISDIRECTED_REQUEST',
      );
    });

    it('answers loopback names and ALLOWED_HOSTS (a name at any port, name:port at that port)', async () => {
      for (const host of [
        'localhost',
        `127.0.0.1:${new URL(t.url).port}`,
        '[::1]:8080',
        'tps.example:1234',
        'TPS.example',
        'ops.example:9999',
      ]) {
        const answer = await raw(t.url, `GET /health HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
        assert.equal(answer.status, 200, `${host}: ${JSON.stringify(answer.body)}`);
      }
    });

    it('guards the downstream services and the run-local supervisor too', async () => {
      const serviceC = t.system.parts.chain.urls['service-c'];
      assertContract(
        await raw(serviceC, 'GET /health HTTP/1.1\r\nHost: attacker.example\r\n\r\n'),
        421,
        'MISDIRECTED_REQUEST',
      );
      assertContract(
        await raw(serviceC, `GET /nowhere HTTP/1.1\r\nHost: ${hostOf(serviceC)}\r\n\r\n`),
        404,
        'NOT_FOUND',
      );
      const roles = new RoleSupervisor({ command: process.execPath, args: [], env: {}, log: () => {} });
      const supervisor = await buildSupervisorApp({
        roles,
        brokerUrl: 'nats://127.0.0.1:4222',
        adminToken: '',
      });
      try {
        const state = await supervisor.inject({
          method: 'GET',
          url: '/state',
          headers: { host: 'attacker.example' },
        });
        assertContract({ status: state.statusCode, body: state.json() }, 421, 'MISDIRECTED_REQUEST');
        const bare = await supervisor.inject({ method: 'POST', url: '/queue-down' });
        assertContract({ status: bare.statusCode, body: bare.json() }, 415, 'UNSUPPORTED_MEDIA_TYPE');
      } finally {
        await supervisor.close();
      }
    });
  });

  describe('every answer is in the contract shape, over a real socket', () => {
    const get = (path: string, extra = '') =>
      raw(t.url, `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`);

    it('an id of 128 characters is looked up (404 SIGNAL_NOT_FOUND); a longer parameter gets 414', async () => {
      assertContract(await get(`/signal/${'a'.repeat(128)}/status`), 404, 'SIGNAL_NOT_FOUND');
      assertContract(await get(`/signal/${'a'.repeat(129)}/status`), 414, 'URI_TOO_LONG');
    });

    it('a bad URL escape, an unknown route or method, CONNECT, a malformed request line, oversized headers', async () => {
      assertContract(await get('/signal/%zz/status'), 400, 'BAD_REQUEST');
      assertContract(await raw(t.url, 'PROPFIND / HTTP/1.1\r\nHost: localhost\r\n\r\n'), 404, 'NOT_FOUND');
      assertContract(await raw(t.url, 'BREW / HTTP/1.1\r\nHost: localhost\r\n\r\n'), 400, 'BAD_REQUEST');
      // Node gives CONNECT to 'connect' listeners only, and cuts the connection when there are none.
      assertContract(
        await raw(t.url, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'),
        400,
        'BAD_REQUEST',
      );
      assertContract(await raw(t.url, 'this is not http\r\n\r\n'), 400, 'BAD_REQUEST');
      assertContract(
        await raw(t.url, 'GET / HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n'),
        400,
        'BAD_REQUEST',
      );
      assertContract(await get('/health', `x-big: ${'a'.repeat(20_000)}\r\n`), 431, 'HEADERS_TOO_LARGE');
      assertContract(await raw(t.url, 'GET /health HTTP/1.1\r\n\r\n'), 400, 'BAD_REQUEST');
    });

    it('a 12 MiB body gets 413 after it was read, not a broken pipe', async () => {
      for (const framing of ['content-length: 12582912', 'transfer-encoding: chunked']) {
        const size = 12 * 1024 * 1024;
        const chunked = framing.startsWith('transfer');
        const payload = Buffer.alloc(size, 'a');
        const body = chunked
          ? Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')])
          : payload;
        const answer = await raw(
          t.url,
          `POST /signal HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n${framing}\r\n\r\n`,
          body,
        );
        assertContract(answer, 413, 'PAYLOAD_TOO_LARGE');
        assert.equal(answer.writeError, undefined, `${framing}: the whole body was taken`);
        assert.match(answer.headers, /connection: close/i);
      }
      assert.equal((await t.send({ signal_type: 'execute', payload: {} })).status, 202);
    });
  });
});
