import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { assertLoopbackUrl } from '../loadgen/loopback.js';

/** One request of the run: when it was meant to leave (ms since the experiment's start), and its answer. */
export interface SentRequest {
  id: string;
  intendedAt: number;
  /** Answer time minus intended send time; undefined while unanswered. */
  latencyMs?: number;
  /** HTTP status, 0 for no answer (connection error, timeout). */
  status?: number;
  /** The error code of a refusal (`{"error":{"code"}}`), e.g. QUEUE_UNAVAILABLE, LANE_FULL, LINE_STOPPED. */
  code?: string;
}

export interface IntervalFigures {
  fromMs: number;
  sent: number;
  accepted: number;
  r429: number;
  r503: number;
  errors: number;
  /** Latency of every answer in the interval, by intended send time. */
  p50: number;
  p99: number;
  /** Latency of the 503 answers alone: how fast a stopped line says no. */
  p99of503: number;
}

export interface LoadDriverOptions {
  url: string;
  /** Requests per second at `elapsedMs` since the experiment's start; 0 pauses the schedule. */
  rate: (elapsedMs: number) => number;
  /** The JSON body of request i, and the client id it carries (kept, so every 202 can be checked by id). */
  body: (i: number, id: string) => Record<string, unknown>;
  idPrefix: string;
  /** The experiment's start, in performance.now() time. */
  startedAt: number;
  connections?: number;
  timeoutMs?: number;
}

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
};

/**
 * Open-model load like `runOpenModelLoad` (same rule: request i leaves at its intended time whatever the
 * earlier answers did, latency counted from that time), but it keeps every request's client id and answer,
 * which the experiments need: the ids of the 202s to check by id at the end, and the 503 latency apart.
 * It runs until stopped rather than for a fixed duration, since an experiment's phases decide when to stop.
 */
export class LoadDriver {
  readonly requests: SentRequest[] = [];
  private readonly pool: Pool;
  private readonly path: string;
  private timer: NodeJS.Timeout | undefined;
  private nextAt = 0;
  private stopped = false;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: LoadDriverOptions) {
    const base = assertLoopbackUrl(options.url);
    const target = new URL('/signal', base);
    this.path = target.pathname;
    const timeoutMs = options.timeoutMs ?? 5000;
    this.pool = new Pool(target.origin, {
      connections: options.connections ?? 64,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connectTimeout: timeoutMs,
    });
  }

  private now(): number {
    return performance.now() - this.options.startedAt;
  }

  start(): void {
    this.nextAt = this.now();
    this.tick();
  }

  private tick = (): void => {
    if (this.stopped) return;
    const now = this.now();
    while (this.nextAt <= now) {
      const rate = this.options.rate(this.nextAt);
      if (!(Number.isFinite(rate) && rate > 0)) {
        this.nextAt += 10;
        continue;
      }
      this.send(this.nextAt);
      this.nextAt += 1000 / rate;
    }
    this.timer = setTimeout(this.tick, Math.max(1, Math.min(20, this.nextAt - this.now())));
  };

  private send(intendedAt: number): void {
    const i = this.requests.length;
    const id = `${this.options.idPrefix}-${i}`;
    const request: SentRequest = { id, intendedAt };
    this.requests.push(request);
    const done = this.pool
      .request({
        path: this.path,
        method: 'POST',
        headers: { 'content-type': 'application/json', baggage: 'synthetic_request=true' },
        body: JSON.stringify(this.options.body(i, id)),
      })
      .then(
        async (answer) => {
          if (answer.statusCode >= 400) {
            const text = await answer.body.text().catch(() => '');
            const code = /"code"\s*:\s*"([A-Z_]+)"/.exec(text)?.[1];
            if (code) request.code = code;
          } else {
            await answer.body.dump();
          }
          request.status = answer.statusCode;
        },
        () => {
          request.status = 0;
        },
      )
      .finally(() => {
        request.latencyMs = this.now() - intendedAt;
        this.pending.delete(done);
      });
    this.pending.add(done);
  }

  /** Stops sending, waits for the answers on their way (bounded by the request timeout), closes the pool. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.pending]);
    await this.pool.close();
  }

  acceptedIds(): string[] {
    return this.requests.filter((request) => request.status === 202).map((request) => request.id);
  }

  /** Figures of the requests meant to leave in [fromMs, toMs). */
  figures(fromMs: number, toMs: number): IntervalFigures {
    const inside = this.requests.filter((r) => r.intendedAt >= fromMs && r.intendedAt < toMs);
    const answered = inside.filter((r) => r.latencyMs !== undefined && r.status !== undefined);
    const count = (test: (status: number) => boolean) => answered.filter((r) => test(r.status ?? -1)).length;
    return {
      fromMs,
      sent: inside.length,
      accepted: count((s) => s >= 200 && s < 300),
      r429: count((s) => s === 429),
      r503: count((s) => s === 503),
      errors: count((s) => s === 0 || (s >= 500 && s !== 503)),
      p50: percentile(
        answered.map((r) => r.latencyMs ?? 0),
        50,
      ),
      p99: percentile(
        answered.map((r) => r.latencyMs ?? 0),
        99,
      ),
      p99of503: percentile(
        answered.filter((r) => r.status === 503).map((r) => r.latencyMs ?? 0),
        99,
      ),
    };
  }
}
