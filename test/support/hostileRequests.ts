/**
 * Random and adversarial HTTP requests for the hostile-input property test: JSON bodies, headers, methods,
 * URLs, and admin calls that must be refused. Each request is bytes on a socket, so nothing in between
 * normalises it; its printed form (in a fast-check counterexample) is short, whatever the size of its body.
 */
import fc from 'fast-check';
import { SIGNAL_TYPES } from '../../src/domain/signal.js';

export interface HostileRequest {
  /** One word for the failure report: which family of input this is. */
  kind: string;
  method: string;
  /** The request-target as sent: it may be malformed on purpose. */
  target: string;
  /** Header lines as sent; `host` replaces the default Host, `null` sends none. */
  headers: Array<[string, string]>;
  host?: string | null;
  body?: Buffer;
  /** A whole request line sent instead of `method target HTTP/1.1`. */
  requestLine?: string;
  /** Why this request must be refused (a 4xx): a hostile admin call, a Host not on the allow-list. */
  mustBeRefused?: string;
}

const KEEP = 160;
const short = (text: string): string =>
  text.length > KEEP ? `${text.slice(0, KEEP)}… (${text.length} chars)` : text;

/** How a counterexample prints: what was sent, bodies and long values cut. */
function describe(request: HostileRequest): string {
  const line = request.requestLine ?? `${request.method} ${request.target} HTTP/1.1`;
  const headers = request.headers.map(([name, value]) => `${short(name)}: ${short(value)}`);
  if (request.host !== undefined)
    headers.unshift(request.host === null ? '(no Host)' : `host: ${short(request.host)}`);
  const body = request.body ? ` body ${short(request.body.toString('utf8'))}` : '';
  return `[${request.kind}] ${short(line)} {${headers.join(' | ')}}${body}`;
}

const withDescription = (request: HostileRequest): HostileRequest =>
  Object.assign(request, { [fc.toStringMethod]: () => describe(request) });

/** The bytes of a request, with `connection: close` and an exact content-length for its body. */
export function serialise(request: HostileRequest, port: number): Buffer {
  const lines = [request.requestLine ?? `${request.method} ${request.target} HTTP/1.1`];
  if (request.host !== null) lines.push(`host: ${request.host ?? `127.0.0.1:${port}`}`);
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  lines.push('connection: close');
  if (request.body) lines.push(`content-length: ${request.body.length}`);
  return Buffer.concat([
    Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'),
    request.body ?? Buffer.alloc(0),
  ]);
}

const json = (contentType = 'application/json'): Array<[string, string]> => [['content-type', contentType]];

// ---- JSON bodies at POST /signal -------------------------------------------------------------------------

const nested = (depth: number, open: string, close: string, inner = '1'): string =>
  open.repeat(depth) + inner + close.repeat(depth);

const deepPayload = fc
  .tuple(fc.integer({ min: 2, max: 12_000 }), fc.constantFrom(['[', ']'], ['{"a":', '}']))
  .map(([depth, [open, close]]) => `{"signal_type":"execute","payload":${nested(depth, open, close)}}`);

const manyKeys = fc.integer({ min: 1, max: 9000 }).map((count) => {
  const members = Array.from({ length: count }, (_, i) => `"k${i}":${i}`).join(',');
  return `{"signal_type":"notify","payload":{${members}}}`;
});

/** Numbers JSON allows but JavaScript rounds, overflows to Infinity or loses. */
const edgeNumber = fc.constantFrom(
  '1e999',
  '-1e999',
  '1e-400',
  '-0',
  '9007199254740993',
  '1.7976931348623157e308',
  '5e-324',
  '0.1',
  '-1',
  '1e21',
  '123456789012345678901234567890',
  '10000001',
);
const edgeNumbers = fc
  .tuple(edgeNumber, fc.constantFrom('work_ms', 'priority', 'timeout_ms', 'fail', 'n'))
  .map(([number, field]) =>
    field === 'work_ms' || field === 'fail' || field === 'n'
      ? `{"signal_type":"execute","payload":{"${field}":${number}}}`
      : `{"signal_type":"execute","${field}":${number},"payload":{}}`,
  );

const signalShaped = fc
  .record(
    {
      signal_type: fc.oneof(
        fc.constantFrom(...SIGNAL_TYPES),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.integer(),
        fc.constant(null),
        fc.array(fc.constantFrom(...SIGNAL_TYPES), { maxLength: 2 }),
      ),
      payload: fc.jsonValue({ maxDepth: 4 }),
      id: fc.oneof(fc.uuid(), fc.string({ maxLength: 200 }), fc.integer()),
      priority: fc.jsonValue({ maxDepth: 1 }),
      timeout_ms: fc.oneof(fc.integer(), fc.double()),
    },
    { requiredKeys: [] },
  )
  .map((value) => JSON.stringify(value));

/** Not JSON, or JSON some parsers treat badly (prototype keys, a byte-order mark, lone surrogates). */
const brokenJson = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '{"signal_type":"execute",}',
    '\ufeff{"signal_type":"execute","payload":{}}',
    'NaN',
    '{"signal_type":"execute","payload":{"n":NaN}}',
    '/*c*/{"signal_type":"execute"}',
    '{"__proto__":{"polluted":1},"signal_type":"execute","payload":{}}',
    '{"signal_type":"execute","payload":{"constructor":{"prototype":{"polluted":1}}}}',
    '{"signal_type":"execute","payload":{"s":"\\ud800"}}',
    '{"signal_type":"execute","payload":{"s":"\\u0000"}}',
    'null',
    'true',
    '"execute"',
    '[]',
    '1e999',
    '{"signal_type":"execute","signal_type":"report","payload":{}}',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

const invalidUtf8 = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((bytes) =>
    Buffer.concat([Buffer.from('{"signal_type":"execute","payload":{"s":"'), bytes, Buffer.from('"}}')]),
  );

/** Bodies over MAX_PAYLOAD_BYTES (64 KiB by default), up to the 12 MiB that used to cut the connection. */
const oversize = fc
  .constantFrom(64 * 1024 + 1, 200_000, 1024 * 1024, 12 * 1024 * 1024)
  .map((size) => `{"signal_type":"execute","payload":{"s":"${'x'.repeat(size)}"}}`);

const signalContentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/json-patch+json',
  'application/vnd.api+json',
);

export const hostileJsonBodies: fc.Arbitrary<HostileRequest> = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value) ?? 'null') },
      { weight: 3, arbitrary: signalShaped },
      { weight: 2, arbitrary: deepPayload },
      { weight: 1, arbitrary: manyKeys },
      { weight: 2, arbitrary: edgeNumbers },
      { weight: 2, arbitrary: brokenJson },
      { weight: 1, arbitrary: invalidUtf8 },
      { weight: 1, arbitrary: oversize },
    ),
    signalContentType,
  )
  .map(([body, contentType]) =>
    withDescription({
      kind: 'json',
      method: 'POST',
      target: '/signal',
      headers: json(contentType),
      body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    }),
  );

// ---- headers, methods and URLs on every route ------------------------------------------------------------

/** Routes that only read (GET), as the API documents them; `:id` is filled in. */
export const READ_ROUTES = [
  '/',
  '/health',
  '/info',
  '/status',
  '/metrics',
  '/board',
  '/board.js',
  '/traces',
  '/traces/view',
  '/traces.js',
  '/andon/cords',
  '/dlq',
  '/load',
  '/signal/00000000-0000-4000-8000-000000000000/status',
  '/traces/0123456789abcdef0123456789abcdef',
  '/favicon.ico',
  '/no/such/route',
];

/** Routes that change the system: hostile calls to them must be refused. */
export const ADMIN_ROUTES: Array<[string, string]> = [
  ['POST', '/andon/pull'],
  ['POST', '/andon/reset'],
  ['POST', '/dlq/replay'],
  ['POST', '/chaos/downstream'],
  ['POST', '/chaos/crash-worker'],
  ['POST', '/chaos/queue-down'],
  ['POST', '/chaos/cascade'],
  ['POST', '/chaos/stop'],
  ['DELETE', '/chaos'],
  ['POST', '/load'],
  ['DELETE', '/load'],
];

const route = fc.constantFrom(...READ_ROUTES);

const oddContentType = fc.constantFrom(
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=bogus',
  'application/xml',
  '',
  ';;;',
  'application/json, text/plain',
  `application/${'x'.repeat(3000)}`,
);

const hostVariant = fc.constantFrom<string | null>(
  'attacker.example',
  'attacker.example:80',
  'localhost.attacker.example',
  '127.0.0.1.nip.io',
  '',
  '[::1',
  'a'.repeat(300),
  '127.0.0.1:80@evil.example',
  null,
);

const originVariant = fc.constantFrom(
  'http://evil.example',
  'null',
  'http://127.0.0.1.evil.example',
  'file://',
  '%zz',
);
const fetchSiteVariant = fc.constantFrom('cross-site', 'same-site', 'none', 'same-origin', 'junk');

/** A header name and value pair a client might send, hostile or odd. */
const oddHeader = fc.oneof(
  oddContentType.map((value): [string, string] => ['content-type', value]),
  originVariant.map((value): [string, string] => ['origin', value]),
  fetchSiteVariant.map((value): [string, string] => ['sec-fetch-site', value]),
  fc.constantFrom<[string, string]>(
    ['accept', 'text/html'],
    ['accept', '*/*;q=abc'],
    ['accept-encoding', 'gzip;q=2, br, zstd, x'.repeat(20)],
    ['traceparent', '00-zzzz-zz-01'],
    ['traceparent', `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01`],
    ['baggage', `k=${'v'.repeat(8000)}`],
    ['authorization', 'Bearer '],
    ['authorization', `Bearer ${'x'.repeat(5000)}`],
    ['x-forwarded-for', '1.2.3.4'],
    ['expect', '100-continue'],
    ['transfer-encoding', 'gzip'],
    ['content-length', 'abc'],
    ['if-none-match', '*'],
    ['range', 'bytes=0-1,2-3,4-5'],
  ),
  fc
    .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 })
    .chain((name) =>
      fc
        .string({ unit: 'binary-ascii', maxLength: 100 })
        .map((value): [string, string] => [
          `x-${name.replace(/[^A-Za-z0-9-]/g, 'a')}`,
          value.replace(/[\r\n]/g, ' '),
        ]),
    ),
);

/** Header blocks far over what a server should read: one huge header, or very many. */
const hugeHeaders = fc.oneof(
  fc
    .integer({ min: 8 * 1024, max: 64 * 1024 })
    .map((size): Array<[string, string]> => [['x-junk', 'a'.repeat(size)]]),
  fc
    .integer({ min: 100, max: 3000 })
    .map((count): Array<[string, string]> => Array.from({ length: count }, (_, i) => [`x-h${i}`, 'v'])),
);

export const hostileHeaders: fc.Arbitrary<HostileRequest> = fc
  .tuple(
    fc.constantFrom('GET', 'POST'),
    route,
    fc.oneof(
      { weight: 4, arbitrary: fc.array(oddHeader, { minLength: 1, maxLength: 6 }) },
      { weight: 1, arbitrary: hugeHeaders },
    ),
    fc.option(hostVariant, { nil: undefined, freq: 3 }),
    fc.option(fc.constantFrom('{}', '{"a":1}', 'a=1&b=2', '--x\r\n\r\n--x--'), { nil: undefined }),
  )
  .map(([method, target, headers, host, body]) =>
    withDescription({
      kind: 'headers',
      method,
      target,
      headers,
      // Not loopback and not in ALLOWED_HOSTS: refused on every route (DNS rebinding), or 400 when malformed.
      ...(host === undefined
        ? {}
        : { host, mustBeRefused: `Host ${host === null ? '(none)' : short(host)}` }),
      ...(body === undefined ? {} : { body: Buffer.from(body) }),
    }),
  );

export const hostileMethods: fc.Arbitrary<HostileRequest> = fc
  .tuple(
    fc.constantFrom(
      'GET',
      'HEAD',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
      'PROPFIND',
      'MKCOL',
      'LOCK',
      'SEARCH',
      'PURGE',
      'REPORT',
      'TRACE',
      'CONNECT',
      'FOO',
      'get',
    ),
    fc.constantFrom(...READ_ROUTES, '/signal'),
  )
  .map(([method, target]) => withDescription({ kind: 'method', method, target, headers: [] }));

/** Ids and path pieces around the limits: the id pattern (128), Fastify's param limit, a header block's size. */
const oddId = fc.oneof(
  fc.integer({ min: 90, max: 140 }).map((length) => 'a'.repeat(length)),
  fc.integer({ min: 1000, max: 20_000 }).map((length) => 'b'.repeat(length)),
  fc.constantFrom(
    '%zz',
    '%',
    '%0',
    '%00',
    '%ff',
    '%2F',
    '%2e%2e',
    '..',
    '.',
    '%C0%AE',
    '%u0041',
    'a%20b',
    '%E2%82',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((id) => encodeURIComponent(id)),
  // Raw UTF-8 bytes in the path (not percent-encoded); spaces and controls would make it a malformed request line.
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).map((id) =>
    Buffer.from(id, 'utf8')
      .toString('latin1')
      .replace(/[^\x21-\x7e\x80-\xff]/g, '_'),
  ),
);

const queryJunk = fc.oneof(
  fc.constantFrom(
    '?',
    '??',
    '?&&&',
    '?=',
    '?a=%zz',
    '?limit=-1',
    '?limit=abc',
    '?limit=1e9',
    '?limit[]=1',
    '?limit=1&limit=2',
    '?__proto__[x]=1',
    '?constructor=1',
    '#frag',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((query) => `?${query.replace(/[\s#]/g, '+')}`),
);

const oddTarget = fc.oneof(
  oddId.map((id) => `/signal/${id}/status`),
  oddId.map((id) => `/traces/${id}`),
  oddId.map((id) => `/traces/view/${id}`),
  fc
    .tuple(
      fc.constantFrom('/dlq', '/traces', '/status', '/signal/x/status', '/load', '/andon/cords'),
      queryJunk,
    )
    .map(([path, query]) => path + query),
  fc.constantFrom(
    '/signal/../status',
    '/./status',
    '//status',
    '/status/',
    '/STATUS',
    '/status;x=1',
    '/%2e%2e/status',
    '/signal/%2e%2e/%2e%2e/status',
    '*',
    'http://evil.example/status',
    'status',
    '/\\status',
    `/${'x/'.repeat(2000)}`,
  ),
);

export const hostileUrls: fc.Arbitrary<HostileRequest> = fc
  .tuple(fc.constantFrom('GET', 'GET', 'POST', 'DELETE'), oddTarget)
  .map(([method, target]) => withDescription({ kind: 'url', method, target, headers: [] }));

/** Request lines no HTTP/1.1 parser accepts. */
export const malformedRequestLines: fc.Arbitrary<HostileRequest> = fc
  .oneof(
    fc.constantFrom(
      'GET',
      'GET /status',
      'GET /status HTTP/9.9',
      'GET  /status HTTP/1.1',
      'G\x01T /status HTTP/1.1',
      '/status GET HTTP/1.1',
      'GET /sta tus HTTP/1.1',
      'GET /status HTTP/1.1 extra',
      '\x16\x03\x01\x02\x00\x01\x00\x01',
    ),
    fc
      .string({ unit: 'binary-ascii', minLength: 1, maxLength: 80 })
      .map((line) => line.replace(/[\r\n]/g, '')),
  )
  .map((requestLine) =>
    withDescription({ kind: 'request-line', method: '', target: '', headers: [], requestLine }),
  );

// ---- admin calls that must be refused --------------------------------------------------------------------

/** Why a call to an admin route must be refused, and the request parts that make it so. */
const refusal = fc.oneof(
  originVariant.map((origin) => ({
    why: 'cross-site Origin',
    headers: [...json(), ['origin', origin]] as Array<[string, string]>,
    body: '{}',
  })),
  fc.constantFrom('cross-site', 'same-site').map((site) => ({
    why: `Sec-Fetch-Site ${site}`,
    headers: [...json(), ['sec-fetch-site', site]] as Array<[string, string]>,
    body: '{}',
  })),
  fc.constant({ why: 'no body, no content-type', headers: [] as Array<[string, string]>, body: undefined }),
  oddContentType
    .filter((type) => !type.startsWith('application/json'))
    .map((type) => ({
      why: `content-type ${short(type)}`,
      headers: [['content-type', type]] as Array<[string, string]>,
      body: 'a=1',
    })),
  hostVariant
    .filter((host) => host !== null)
    .map((host) => ({ why: `Host ${short(host ?? '')}`, headers: json(), body: '{}', host: host ?? '' })),
);

export const hostileAdminCalls: fc.Arbitrary<HostileRequest> = fc
  .tuple(fc.constantFrom(...ADMIN_ROUTES), refusal)
  .map(([[method, target], { why, headers, body, ...rest }]) =>
    withDescription({
      kind: 'admin',
      method,
      target,
      headers,
      ...('host' in rest ? { host: rest.host } : {}),
      ...(body === undefined ? {} : { body: Buffer.from(body) }),
      mustBeRefused: why,
    }),
  );
