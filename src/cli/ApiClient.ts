/** Nothing listens at the URL (refused, unknown host, no answer): `tps` says how to start the system, exit 1. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';

  constructor(
    readonly url: string,
    options?: ErrorOptions & { timeoutMs?: number },
  ) {
    super(
      options?.timeoutMs === undefined
        ? `nothing answers at ${url} — start it with \`make up\` or \`npm start\``
        : `no answer from ${url} within ${options.timeoutMs / 1000} s — is it overloaded? (\`tps logs\` shows its log)`,
      options,
    );
  }
}

export const isUnreachableError = (error: unknown): error is UnreachableError =>
  error instanceof UnreachableError;

/** An HTTP answer, read to the end. */
export interface ApiAnswer {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface ApiClient {
  readonly url: string;
  get(path: string, options?: { timeoutMs?: number }): Promise<ApiAnswer>;
  post(path: string, body?: unknown): Promise<ApiAnswer>;
  delete(path: string): Promise<ApiAnswer>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A thin client over the built-in fetch. Admin routes (chaos, replay) accept loopback callers; from elsewhere
 * `TPS_ADMIN_TOKEN` in the environment is sent as a bearer token. POST and DELETE always send JSON (`{}` when
 * there is nothing to say): the API refuses a change that is not `application/json`.
 */
export function createApiClient(url: string, env: NodeJS.ProcessEnv = process.env): ApiClient {
  const token = env.TPS_ADMIN_TOKEN;
  const call = async (method: string, path: string, body?: unknown, timeoutMs = DEFAULT_TIMEOUT_MS) => {
    const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new UnreachableError(url, { cause: error, ...(timedOut ? { timeoutMs } : {}) });
    }
    return {
      status: response.status,
      ok: response.ok,
      headers: response.headers,
      text,
      json: parseJson(text),
    };
  };
  return {
    url,
    get: (path, options) => call('GET', path, undefined, options?.timeoutMs),
    post: (path, body) => call('POST', path, body ?? {}),
    delete: (path) => call('DELETE', path, {}),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** An error answer in one line: `HTTP 429 LANE_FULL: … (retry after 2 s)`. */
export function describeErrorAnswer(answer: ApiAnswer): string {
  const error = (answer.json as { error?: { code?: string; message?: string } } | undefined)?.error;
  const what = error
    ? `${error.code ?? 'ERROR'}: ${error.message ?? ''}`
    : answer.text.slice(0, 200) || '(empty body)';
  const retryAfter = answer.headers.get('retry-after');
  return `HTTP ${answer.status} ${what}${retryAfter ? ` (retry after ${retryAfter} s)` : ''}`;
}
