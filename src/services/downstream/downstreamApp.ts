import { setTimeout as delay } from 'node:timers/promises';
import { SpanKind, SpanStatusCode, type Context, type Tracer } from '@opentelemetry/api';
import Fastify, { type FastifyInstance } from 'fastify';
import { errorsPlugin } from '../api/plugins/errors.js';
import { quietServerOptions } from '../fastifyOptions.js';
import { contractServerOptions, guardFrontDoor } from '../frontDoor.js';
import type { Logger } from '../../telemetry/logger.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '../../telemetry/semconv.js';
import { ATTRIBUTES, inSpan } from '../../telemetry/spans.js';
import { extractContext } from '../../telemetry/traceContext.js';
import { noTracer } from '../../telemetry/tracing.js';
import { BUDGET_HEADER, deadlineFrom, isBreakerOpenError } from '../../tps/jidoka/index.js';
import { isDownstreamError } from '../../errors/index.js';
import type { DownstreamClient } from './DownstreamClient.js';
import type { EffectLedger } from './EffectLedger.js';
import type { ServiceBehaviour } from './ServiceBehaviour.js';

const workBody = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 256 }, trace_id: { type: 'string', maxLength: 64 } },
} as const;

const faultBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    latency_ms: { type: 'integer', minimum: 0, maximum: 600_000 },
    error_rate: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;

interface Answer {
  status: number;
  body: unknown;
}
const failure = (status: number, code: string, message: string): Answer => ({
  status,
  body: { error: { code, message } },
});

/** The Prometheus text of a process, read fresh at each scrape. */
export interface MetricsExposition {
  contentType: string;
  text(): Promise<string>;
}

/**
 * One service of the chain C → B → A: it waits its latency, fails as often as it is told to,
 * then calls the next service (if any) through that service's breaker.
 */
export function buildDownstreamApp(options: {
  behaviour: ServiceBehaviour;
  next?: DownstreamClient;
  /** The end of the chain keeps one: it applies each signal's effect once however often it is called. */
  ledger?: EffectLedger;
  logger: Logger;
  /** Records each call as a server span in the caller's trace. */
  tracer?: Tracer;
  /** Serves the process's metrics as `GET /metrics` (`tps downstream` puts them on service A only). */
  metrics?: MetricsExposition;
  /** ALLOWED_HOSTS: the names besides loopback this service answers for. */
  allowedHosts?: string;
}): FastifyInstance {
  const { behaviour, next } = options;
  const tracer = options.tracer ?? noTracer;
  const spanOptions = {
    kind: SpanKind.SERVER,
    attributes: {
      [ATTRIBUTES.service]: behaviour.service,
      [ATTR_HTTP_REQUEST_METHOD]: 'POST',
      [ATTR_HTTP_ROUTE]: '/work',
      [ATTR_URL_PATH]: '/work',
    },
  };
  const app = Fastify({
    ...quietServerOptions(options.logger.child({ component: behaviour.service })),
    ...contractServerOptions(),
    // A stopping system does not wait out an injected latency of minutes.
    forceCloseConnections: true,
  });
  guardFrontDoor(app, options.allowedHosts ?? '');
  void app.register(errorsPlugin);

  /** One call: the injected latency and faults, then the next service, then the effect (at the end). */
  const work = async (
    body: { id: string; trace_id?: string },
    deadline: number | undefined,
    trace: Context,
  ): Promise<Answer> => {
    const latency = behaviour.latencyMs();
    if (latency > 0) await delay(latency);
    if (behaviour.shouldFail()) {
      return failure(503, 'INJECTED_FAULT', `${behaviour.service} failed on purpose (chaos)`);
    }
    if (next) {
      try {
        await next.call(body, { deadline, trace });
      } catch (error) {
        if (isBreakerOpenError(error)) {
          return failure(503, 'DEPENDENCY_UNAVAILABLE', `breaker to ${next.service} is open`);
        }
        if (isDownstreamError(error) && error.status !== undefined) {
          return failure(502, 'BAD_GATEWAY', error.message);
        }
        return failure(504, 'GATEWAY_TIMEOUT', `${next.service} did not answer in time`);
      }
    }
    const applied = options.ledger ? options.ledger.apply(body.id) : true;
    return { status: 200, body: { service: behaviour.service, id: body.id, applied } };
  };

  app.post<{ Body: { id: string; trace_id?: string } }>(
    '/work',
    { schema: { body: workBody } },
    async (request, reply) => {
      let deadline: number | undefined;
      try {
        deadline = deadlineFrom(request.headers[BUDGET_HEADER], Date.now());
      } catch (error) {
        return reply.code(400).send(failure(400, 'VALIDATION_FAILED', (error as Error).message).body);
      }
      const answer = await inSpan(
        tracer,
        'POST /work',
        spanOptions,
        extractContext(request.headers),
        async (span, trace) => {
          if (span.isRecording()) {
            span.setAttribute(ATTR_URL_SCHEME, request.protocol);
            span.setAttribute(ATTR_SERVER_ADDRESS, request.hostname);
            if (request.port !== null) span.setAttribute(ATTR_SERVER_PORT, request.port);
          }
          const result = await work(request.body, deadline, trace);
          span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, result.status);
          if (result.status >= 500) {
            const { code, message } = (result.body as { error: { code: string; message: string } }).error;
            span.setAttribute(ATTR_ERROR_TYPE, code);
            span.setStatus({ code: SpanStatusCode.ERROR, message });
          }
          return result;
        },
      );
      return reply.code(answer.status).send(answer.body);
    },
  );

  if (options.ledger) {
    const ledger = options.ledger;
    app.get('/effects', async () => ledger.counts());
  }

  if (options.metrics) {
    const exposition = options.metrics;
    app.get('/metrics', async (_request, reply) =>
      reply.type(exposition.contentType).send(await exposition.text()),
    );
  }

  app.get('/health', async () => ({ status: 'healthy', service: behaviour.service }));
  app.get('/fault', async () => behaviour.injected);
  app.put<{ Body: { latency_ms?: number; error_rate?: number } }>(
    '/fault',
    { schema: { body: faultBody } },
    async (request) => {
      behaviour.inject({
        ...(request.body.latency_ms === undefined ? {} : { latencyMs: request.body.latency_ms }),
        ...(request.body.error_rate === undefined ? {} : { errorRate: request.body.error_rate }),
      });
      return behaviour.injected;
    },
  );
  app.delete('/fault', async () => {
    behaviour.clear();
    return behaviour.injected;
  });
  return app;
}
