import type { Settings } from '../../src/config/index.js';
import { startEmbeddedSystem, type EmbeddedSystem } from '../../src/system/embedded.js';
import { waitFor } from './waitFor.js';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestSystem {
  system: EmbeddedSystem;
  url: string;
  post<T = Record<string, unknown>>(
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer<T>>;
  get<T = Record<string, unknown>>(path: string): Promise<Answer<T>>;
  del<T = Record<string, unknown>>(path: string): Promise<Answer<T>>;
  send(body: Record<string, unknown>): Promise<Answer>;
  statusOf(id: string): Promise<Record<string, unknown>>;
  waitForStatus(id: string, status: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Fast defaults for tests: quick work, quick breakers, silent logs, a free port on loopback. */
export const TEST_SETTINGS: Partial<Settings> = {
  port: 0,
  host: '127.0.0.1',
  logLevel: 'silent',
  fastWorkMs: 1,
  slowWorkMs: 5,
  downstreamLatencyMs: 1,
  downstreamHopLatencyMs: 0,
  autoscaleIntervalMs: 100,
};

export async function startTestSystem(overrides: Partial<Settings> = {}): Promise<TestSystem> {
  const system = await startEmbeddedSystem({ ...TEST_SETTINGS, ...overrides }, { env: {} });
  const url = system.url;
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const response = await fetch(url + path, init);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (the metrics page, the landing page): keep the text.
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  };
  const statusOf = async (id: string) =>
    (await call<Record<string, unknown>>('GET', `/signal/${id}/status`)).body;
  return {
    system,
    url,
    post: (path, body, headers) => call('POST', path, body, headers),
    get: (path) => call('GET', path),
    // DELETE changes the system (chaos, load): the admin routes take only JSON.
    del: (path) => call('DELETE', path, {}),
    send: (body) => call('POST', '/signal', body),
    statusOf,
    waitForStatus: (id, status, timeoutMs = 10_000) =>
      waitFor(
        async () => {
          const record = await statusOf(id);
          return record.status === status ? record : undefined;
        },
        { timeoutMs, message: `signal ${id} ${status}` },
      ),
    close: () => system.close(),
  };
}
