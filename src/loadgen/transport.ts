import { Http1Connections } from './Http1Connections.js';
import type { Transport, TransportOptions } from './transportContract.js';

/**
 * Which HTTP client sends the load. `undici` (the default) is the well-kept one. `http1` is this package's own
 * lean client (`Http1Connections`), for when the generator must outrun the target: offered 100,000/s for 3 s,
 * a bare `node:http` server on a core of its own answered about twice as many requests through it.
 */
export type LoadClient = 'undici' | 'http1';
export const LOAD_CLIENTS: readonly LoadClient[] = ['undici', 'http1'];

export async function openTransport(
  client: LoadClient,
  origin: URL,
  path: string,
  options: TransportOptions,
): Promise<Transport> {
  return client === 'http1'
    ? new Http1Connections(origin, path, options)
    : undiciTransport(origin, path, options);
}

/**
 * Undici is imported when a load is sent through it, not with this module: the API process carries the load
 * generator (for its load runs) but mostly never runs it, and the import alone is about 6 MB of RSS.
 */
async function undiciTransport(origin: URL, path: string, options: TransportOptions): Promise<Transport> {
  const { Pool } = await import('undici');
  const { connections, timeoutMs, headers } = options;
  const pool = new Pool(origin.origin, {
    connections,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: timeoutMs,
  });
  return {
    post(body, done) {
      let status = 0;
      pool.dispatch(
        { path, method: 'POST', headers, body },
        {
          onRequestStart: () => {},
          onResponseStart: (_controller, statusCode) => {
            status = statusCode;
          },
          onResponseData: () => {},
          onResponseEnd: () => done(status),
          onResponseError: (_controller, error) => done(0, failureCode(error)),
        },
      );
    },
    close: () => pool.destroy(),
  };
}

function failureCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown';
}
