import { SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { Pool } from 'undici';
import { DownstreamError } from '../../errors/index.js';
import { isBreakerOpenError, type Breaker } from '../../tps/jidoka/index.js';
import type { Clock } from '../../tps/clock.js';
import { systemClock } from '../../tps/clock.js';
import type { Metrics } from '../../telemetry/metrics.js';
import { ATTRIBUTES, inSpan } from '../../telemetry/spans.js';
import { headersFor } from '../../telemetry/traceContext.js';
import { noTracer } from '../../telemetry/tracing.js';

export interface DownstreamCall {
  id: string;
  trace_id?: string;
}

export interface DownstreamClient {
  readonly service: string;
  readonly breaker: Breaker;
  /** Calls the service through its breaker; throws BreakerOpenError, DownstreamError or a timeout. */
  call(body: DownstreamCall): Promise<void>;
  close(): Promise<void>;
}

/** The request's headers plus the trace context of the active (client) span, when one records. */
function traceHeaders(headers: Record<string, string>): Record<string, string> {
  const span = trace.getActiveSpan();
  return span ? headersFor(span, headers) : headers;
}

/** An HTTP client for one downstream service, every call guarded by that service's breaker. */
export function createDownstreamClient(options: {
  service: string;
  url: string;
  breaker: Breaker;
  metrics: Metrics;
  connections?: number;
  clock?: Clock;
  /** Told the outcome of every call that reached the wire, for the andon's observed error rate. */
  observe?: (service: string, ok: boolean) => void;
  /** Records each call as a client span and sends its trace context along. */
  tracer?: Tracer;
  /** Who calls, as the trace viewer names it (worker, service-c, service-b). */
  caller?: string;
}): DownstreamClient {
  const { service, breaker, metrics } = options;
  const tracer = options.tracer ?? noTracer;
  const spanOptions = {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTRIBUTES.service]: options.caller ?? 'worker',
      'peer.service': service,
      'http.request.method': 'POST',
      'url.full': `${options.url}/work`,
    },
  };
  const clock = options.clock ?? systemClock;
  const pool = new Pool(options.url, { connections: options.connections ?? 128, pipelining: 1 });

  const send = async (body: DownstreamCall, signal: AbortSignal): Promise<void> => {
    const started = clock.now();
    let outcome = 'ok';
    try {
      const response = await pool
        .request({
          method: 'POST',
          path: '/work',
          headers: traceHeaders({ 'content-type': 'application/json' }),
          body: JSON.stringify(body),
          signal,
        })
        .catch((error: unknown) => {
          throw new DownstreamError(service, undefined, `${service} did not answer: ${String(error)}`, {
            cause: error,
          });
        });
      await response.body.dump();
      if (response.statusCode >= 400) {
        throw new DownstreamError(service, response.statusCode, `${service} answered ${response.statusCode}`);
      }
    } catch (error) {
      outcome =
        error instanceof DownstreamError && error.status !== undefined ? `http_${error.status}` : 'no_answer';
      throw error;
    } finally {
      metrics.downstreamLatency.observe({ service, outcome }, (clock.now() - started) / 1000);
      options.observe?.(service, outcome === 'ok');
    }
  };

  return {
    service,
    breaker,
    call: (body) =>
      inSpan(tracer, `POST ${service}`, spanOptions, () =>
        breaker
          .execute((signal) => send(body, signal))
          .catch((error: unknown) => {
            if (isBreakerOpenError(error))
              metrics.breakerEvents.inc({ breaker: breaker.name, event: 'rejected' });
            throw error;
          }),
      ),
    // In-flight calls are cut, not awaited: by the time clients close, the workers that made them are gone.
    close: () => pool.destroy(),
  };
}
