import type { SignalRecord } from '../domain/signal.js';
import type { SystemStatus } from '../domain/status.js';
import { assertLoopbackUrl } from '../loadgen/loopback.js';

/** The few HTTP calls an experiment makes besides its load: /status, the chaos admin routes, signal status. */
export interface LabClient {
  readonly url: string;
  status(): Promise<SystemStatus>;
  chaos(path: string, body?: unknown, method?: 'POST' | 'DELETE'): Promise<{ status: number; json: unknown }>;
  signal(id: string): Promise<SignalRecord | undefined>;
  /** The Prometheus exposition text of GET /metrics. */
  metrics(): Promise<string>;
  /** The running system's settings as GET /info shows them (`MAX_QUEUE_DEPTH`, …). */
  settings(): Promise<Record<string, unknown>>;
}

export function createLabClient(url: string, timeoutMs = 5000): LabClient {
  const base = assertLoopbackUrl(url).href.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(base + path, {
      method,
      signal: AbortSignal.timeout(timeoutMs),
      // Admin routes take JSON only: a call without options sends {}.
      ...(body === undefined && method === 'GET'
        ? {}
        : { body: JSON.stringify(body ?? {}), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, json };
  };
  return {
    url: base,
    async status() {
      const answer = await call('GET', '/status');
      if (answer.status !== 200) throw new Error(`GET /status answered ${answer.status}`);
      return answer.json as SystemStatus;
    },
    async chaos(path, body, method = 'POST') {
      // An admin route: always JSON, `{}` when there are no options.
      const answer = await call(method, path, body ?? {});
      if (answer.status >= 300) {
        throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.json)}`);
      }
      return answer;
    },
    async metrics() {
      const answer = await call('GET', '/metrics');
      if (answer.status !== 200) throw new Error(`GET /metrics answered ${answer.status}`);
      return String(answer.json);
    },
    async settings() {
      const answer = await call('GET', '/info');
      if (answer.status !== 200) throw new Error(`GET /info answered ${answer.status}`);
      const config = (answer.json as { config?: unknown }).config;
      return typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {};
    },
    async signal(id) {
      const answer = await call('GET', `/signal/${encodeURIComponent(id)}/status`);
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) throw new Error(`GET /signal/${id}/status answered ${answer.status}`);
      return answer.json as SignalRecord;
    },
  };
}
