import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

/** What a raw request got: an answer, or how the exchange ended without one. */
export type RawOutcome = { answer: RawAnswer } | { failure: string };

/**
 * Writes `bytes` as they are to host:port and reads the one answer up to the server's close (send
 * `connection: close`). Hand-written on purpose: fetch and undici normalise paths (`/a/../b`), refuse unknown
 * methods, malformed header values and a hand-set Host, which are exactly the requests the hostile-input test
 * must send. An event stream is read up to its header block.
 */
export function rawRequest(
  port: number,
  bytes: Buffer | string,
  { timeoutMs = 5000, head = false }: { timeoutMs?: number; head?: boolean } = {},
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (outcome: RawOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish(tryParse(true) ?? { failure: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    const tryParse = (ended: boolean): RawOutcome | undefined => {
      const parsed = parseAnswer(Buffer.concat(chunks), ended, head);
      return parsed && { answer: parsed };
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const outcome = tryParse(false);
      if (outcome) finish(outcome);
    });
    // The server may close while the request is still being written (a body over the limit): what it answered
    // before closing still counts, so EPIPE/ECONNRESET only matter when no answer came.
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(
        tryParse(true) ?? { failure: `connection failed without an answer: ${error.code ?? error.message}` },
      ),
    );
    socket.on('end', () => finish(tryParse(true) ?? { failure: 'connection closed without an answer' }));
    socket.write(bytes);
  });
}

/** The answer in `data` once it is complete (or `ended`: whatever came before the close), else undefined. */
function parseAnswer(data: Buffer, ended: boolean, head: boolean): RawAnswer | undefined {
  let headEnd = data.indexOf('\r\n\r\n');
  // An interim answer (100 Continue) comes before the real one: skip it.
  while (headEnd >= 0 && /^HTTP\/1\.[01] 1\d\d/.test(data.subarray(0, 12).toString('latin1'))) {
    data = data.subarray(headEnd + 4);
    headEnd = data.indexOf('\r\n\r\n');
  }
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(headEnd + 4);
  if (head || status === 204 || status === 304 || headers['content-type']?.startsWith('text/event-stream')) {
    return { status, headers, body: '' };
  }
  if (headers['transfer-encoding']?.includes('chunked')) {
    const body = dechunk(rest);
    if (body === undefined) return ended ? { status, headers, body: rest.toString('utf8') } : undefined;
    return { status, headers, body };
  }
  const length = headers['content-length'];
  if (length !== undefined) {
    if (rest.length < Number(length))
      return ended ? { status, headers, body: rest.toString('utf8') } : undefined;
    return { status, headers, body: rest.subarray(0, Number(length)).toString('utf8') };
  }
  return ended ? { status, headers, body: rest.toString('utf8') } : undefined;
}

/** A chunked body's data once its last chunk has come, else undefined. */
function dechunk(data: Buffer): string | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) return undefined;
    if (size === 0) return Buffer.concat(parts).toString('utf8');
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
