import { STATUS_CODES, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify';
import { ERRORS, TpsError, type ErrorCode } from '../errors/index.js';

/** The longest path parameter a route takes: a signal id (SIGNAL_ID_PATTERN allows 128 characters). */
export const MAX_PARAM_LENGTH = 128;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An address typed as such (`10.1.2.3`, `[fd00::1]`) cannot be DNS-rebound: a browser sends it only to that
 * address. It is how Kubernetes probes and Prometheus' pod discovery reach a pod, so it passes.
 */
const isIpLiteral = (name: string): boolean =>
  /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || /^\[[0-9a-f:.]+\]$/.test(name);

/** RFC 9110's `Host`: a DNS name, an IPv4 address or a bracketed IPv6 one, and an optional numeric port. */
const HOST_SYNTAX =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * `Host` as name and port: `[::1]:8080` → `[::1]`, `8080`; `api` → `api`, undefined. Lower case. Undefined for a
 * value that is no host at all (`127.0.0.1:80@evil.example`): it must not pass as the name before its colon.
 */
export function splitHost(host: string): { name: string; port: string | undefined } | undefined {
  const value = host.trim().toLowerCase();
  if (!HOST_SYNTAX.test(value)) return undefined;
  const colon = value.lastIndexOf(':');
  // A bracketed IPv6 literal has colons of its own: only one after `]` starts the port.
  if (colon === -1 || value.lastIndexOf(']') > colon) return { name: value, port: undefined };
  return { name: value.slice(0, colon), port: value.slice(colon + 1) };
}

/**
 * ALLOWED_HOSTS as a predicate over a `Host` header: loopback names and IP addresses always, listed names at
 * their port (or at any port when listed without one).
 */
export function hostAllowList(allowedHosts: string): (host: string | undefined) => boolean {
  const entries = allowedHosts
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const split = splitHost(entry);
      if (!split) throw new Error(`ALLOWED_HOSTS: ${JSON.stringify(entry)} is not a host name[:port]`);
      return split;
    });
  return (host) => {
    const split = host === undefined ? undefined : splitHost(host);
    if (!split) return false;
    const { name, port } = split;
    if (LOOPBACK_NAMES.has(name) || isIpLiteral(name)) return true;
    return entries.some((entry) => entry.name === name && (entry.port === undefined || entry.port === port));
  };
}

/**
 * An onRequest hook every server of ours runs first: a `Host` that is neither loopback nor in ALLOWED_HOSTS gets
 * 421, so a page whose DNS name was rebound to 127.0.0.1 cannot read or drive the system through the browser.
 */
export function hostGuard(allowedHosts: string) {
  const allowed = hostAllowList(allowedHosts);
  return (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
    const host = request.headers.host;
    if (allowed(host)) return done();
    if (host === undefined || host === '') {
      return done(
        new TpsError('BAD_REQUEST', { message: 'The request names no Host (HTTP/1.1 requires one)' }),
      );
    }
    done(
      new TpsError('MISDIRECTED_REQUEST', {
        message: `This server does not answer for Host ${JSON.stringify(host.slice(0, 100))}: add it to ALLOWED_HOSTS`,
      }),
    );
  };
}

/**
 * The front door of every server of ours: the Host check, then, once the server closes, `503 SHUTTING_DOWN` in
 * the contract shape to what still arrives on an open connection (Fastify's own 503 is not in that shape).
 */
export function guardFrontDoor(app: FastifyInstance, allowedHosts: string): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', hostGuard(allowedHosts));
  // Node hands a CONNECT to the server's 'connect' listeners and, with none, cuts the connection unanswered.
  app.server.on('connect', (_request: unknown, socket: Socket) =>
    answerRaw(socket, 'BAD_REQUEST', 'CONNECT is not served here: this is no proxy'),
  );
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    void reply.header('connection', 'close');
    done(new TpsError('SHUTTING_DOWN', { retryAfterSeconds: 5 }));
  });
}

/** What Fastify answers by itself (bad URL escape, a parameter longer than any id), in the contract shape. */
const FRAMEWORK_ERRORS: Record<string, ErrorCode> = {
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

function onFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const code = FRAMEWORK_ERRORS[error.code] ?? 'BAD_REQUEST';
  const message =
    code === 'URI_TOO_LONG'
      ? `A path parameter is longer than ${MAX_PARAM_LENGTH} characters`
      : `The URL ${JSON.stringify(request.url.slice(0, 200))} is not valid (bad percent-encoding)`;
  void reply
    .code(ERRORS[code].status)
    .type('application/json')
    .send(new TpsError(code, { message }).toBody());
}

/** Node's parser errors, before any request exists: our own answer, since Fastify's is not the contract shape. */
const CLIENT_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'REQUEST_TIMEOUT', message: 'The request did not arrive in time' },
  HPE_HEADER_OVERFLOW: { code: 'HEADERS_TOO_LARGE', message: 'The request headers are larger than 16 KiB' },
  HPE_INVALID_METHOD: { code: 'BAD_REQUEST', message: 'Unknown HTTP method' },
};

/** How long a socket that sent garbage may still read our answer before we cut it. */
const CLIENT_ERROR_LINGER_MS = 1000;

function onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = CLIENT_ERRORS[error.code ?? ''];
  // Node's own rule: answer only when no response of this socket has started (keep-alive) so the peer is not fed
  // half of one answer and then another.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  answerRaw(
    socket,
    known?.code ?? 'BAD_REQUEST',
    known?.message ?? `Malformed HTTP request (${error.code ?? 'parse error'})`,
  );
}

/** An answer in the contract shape written straight to a socket no request object owns, which then closes. */
function answerRaw(socket: Socket, code: ErrorCode, message: string): void {
  const body = JSON.stringify(new TpsError(code, { message }).toBody());
  const status = ERRORS[code].status;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
}

/**
 * Options every Fastify server of ours shares so that every answer is in the contract shape: parameters as long
 * as an id, our answer to Fastify's URL errors and to Node's parser errors. Routes, 404s and thrown errors are
 * the errors plugin's (services/api/plugins/errors.ts).
 */
export function contractServerOptions() {
  return {
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: onFrameworkError,
    clientErrorHandler: onClientError,
    // Node would answer a request without Host itself, with an empty 400; hostGuard answers it in our shape.
    http: { requireHostHeader: false } satisfies ServerOptions,
    // guardFrontDoor answers instead, in our shape.
    return503OnClosing: false,
  } satisfies Pick<
    FastifyServerOptions,
    'routerOptions' | 'frameworkErrors' | 'clientErrorHandler' | 'return503OnClosing'
  > & {
    http: ServerOptions;
  };
}
