import { Agent, request as httpRequest } from 'node:http';
import { ROOT_CONTEXT, SpanKind, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { DownstreamError } from '../../errors/index.js';
import { BUDGET_HEADER, callBudgetMs, isBreakerOpenError, type Breaker } from '../../tps/jidoka/index.js';
import type { Clock } from '../../tps/clock.js';
import { systemClock } from '../../tps/clock.js';
import type { Metrics } from '../../telemetry/metrics.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '../../telemetry/semconv.js';
import { ATTRIBUTES, inLeafSpan } from '../../telemetry/spans.js';
import { withTraceHeaders } from '../../telemetry/traceContext.js';
import { noTracer } from '../../telemetry/tracing.js';

export interface DownstreamCall {
  id: string;
  trace_id?: string;
}

export interface DownstreamCallOptions {
  /**
   * The caller's own deadline (epoch ms): the call then gets at most what is left of it (see callBudget.ts),
   * and fails at once, off the wire and outside the breaker, when nothing is left.
   */
  deadline?: number;
  /** The trace context the call belongs to: its client span is a child there, and goes out in the headers. */
  trace?: Context;
}

export interface DownstreamClient {
  readonly service: string;
  readonly breaker: Breaker;
  /** Calls the service through its breaker; throws BreakerOpenError, DownstreamError or a timeout. */
  call(body: DownstreamCall, options?: DownstreamCallOptions): Promise<void>;
  close(): Promise<void>;
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
  /**
   * The breaker's call timeout: the budget this client starts (sent in `tps-budget-ms`) when its caller
   * brought no deadline. Without it, a call sends a budget only when it has a deadline.
   */
  timeoutMs?: number;
}): DownstreamClient {
  const { service, breaker, metrics } = options;
  const tracer = options.tracer ?? noTracer;
  const target = new URL('/work', options.url);
  // An HTTP client span as the conventions name it: the method alone (the path is not a template here).
  const spanOptions = {
    kind: SpanKind.CLIENT,
    attributes: {
      [ATTRIBUTES.service]: options.caller ?? 'worker',
      [ATTRIBUTES.peer]: service,
      [ATTR_HTTP_REQUEST_METHOD]: 'POST',
      [ATTR_SERVER_ADDRESS]: target.hostname,
      [ATTR_SERVER_PORT]: Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
      [ATTR_URL_FULL]: target.href,
    },
  };
  const clock = options.clock ?? systemClock;
  const post = poster(target, options.connections ?? 128);

  const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;

  /** `traceContext`: the call's span in the caller's context, written into the request's headers. */
  const send = async (
    body: string,
    signal: AbortSignal,
    budgetMs: number,
    traceContext: Context,
    span: Span,
  ): Promise<void> => {
    const started = clock.now();
    let outcome = 'ok';
    // A budget shorter than the breaker's timeout is a deadline of its own on the request; the breaker's
    // signal still aborts it when the breaker's limit comes first (a probe's).
    const deadline = budgetMs < timeoutMs ? AbortSignal.timeout(budgetMs) : undefined;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (Number.isFinite(budgetMs)) headers[BUDGET_HEADER] = String(budgetMs);
    try {
      const status = await post
        .send(
          body,
          withTraceHeaders(headers, traceContext),
          deadline ? AbortSignal.any([signal, deadline]) : signal,
        )
        .catch((error: unknown) => {
          const why = deadline?.aborted
            ? `the caller's remaining budget of ${budgetMs} ms ran out`
            : String(error);
          throw new DownstreamError(service, undefined, `${service} did not answer: ${why}`, {
            cause: error,
          });
        });
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 400) {
        throw new DownstreamError(service, status, `${service} answered ${status}`);
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
    call: (body, { deadline, trace: parent = ROOT_CONTEXT } = {}) => {
      const budgetMs = callBudgetMs(timeoutMs, deadline, clock.now());
      if (budgetMs <= 0) {
        // Not the service's fault, so not its breaker's business, and no latency of a call never made.
        return Promise.reject(
          new DownstreamError(
            service,
            undefined,
            `no time left to call ${service}: the caller's deadline passed`,
          ),
        );
      }
      return inLeafSpan(tracer, 'POST', spanOptions, parent, (span) => {
        const traceContext = trace.setSpan(parent, span);
        // Serialised before the breaker: only the service's own failures count against it.
        const text = JSON.stringify(body);
        return breaker
          .execute((signal) => send(text, signal, budgetMs, traceContext, span))
          .catch((error: unknown) => {
            if (isBreakerOpenError(error))
              metrics.breakerEvents.inc({ breaker: breaker.name, event: 'rejected' });
            span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
            throw error;
          });
      });
    },
    // In-flight calls are cut, not awaited: by the time clients close, the workers that made them are gone.
    close: () => post.close(),
  };
}

/** `error.type` of a failed call: the status it answered, else what kept it from answering. */
function errorType(error: unknown): string {
  if (error instanceof DownstreamError && error.status !== undefined) return String(error.status);
  if (isBreakerOpenError(error)) return 'breaker_open';
  return error instanceof DownstreamError ? 'no_answer' : error instanceof Error ? error.name : '_OTHER';
}

/**
 * POSTs to one URL over keep-alive connections, at most `connections` at once, and answers the status once the
 * body has been read. Node's own HTTP client rather than undici: undici parses HTTP/1 in WebAssembly, which
 * took 16–18 MB more RSS than `node:http` once it had sent a few hundred requests, and these calls (a worker's
 * three hops, some tens a second) do not need its speed.
 */
function poster(url: URL, connections: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  return {
    send: (body: string, headers: Record<string, string>, signal: AbortSignal): Promise<number> =>
      new Promise((resolve, reject) => {
        // `end(body)` before any write: Node sends the body's content-length itself.
        const outgoing = httpRequest(url, { method: 'POST', agent, signal, headers }, (response) => {
          response.once('error', reject);
          response.once('end', () => resolve(response.statusCode ?? 0));
          // A connection cut mid-answer closes the response without an end (a settled promise ignores this).
          response.once('close', () => reject(new Error('the connection closed before the answer ended')));
          response.resume();
        });
        outgoing.once('error', reject);
        outgoing.end(body);
      }),
    close: (): Promise<void> => {
      agent.destroy();
      return Promise.resolve();
    },
  };
}
