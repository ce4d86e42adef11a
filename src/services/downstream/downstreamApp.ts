import { setTimeout as delay } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { quietServerOptions } from '../fastifyOptions.js';
import type { Logger } from '../../telemetry/logger.js';
import { isBreakerOpenError } from '../../tps/jidoka/index.js';
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

const failure = (code: string, message: string) => ({ error: { code, message } });

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
}): FastifyInstance {
  const { behaviour, next } = options;
  const app = Fastify({
    ...quietServerOptions(options.logger.child({ component: behaviour.service })),
    // A stopping system does not wait out an injected latency of minutes.
    forceCloseConnections: true,
  });

  app.post<{ Body: { id: string; trace_id?: string } }>(
    '/work',
    { schema: { body: workBody } },
    async (request, reply) => {
      const latency = behaviour.latencyMs();
      if (latency > 0) await delay(latency);
      if (behaviour.shouldFail()) {
        return reply
          .code(503)
          .send(failure('INJECTED_FAULT', `${behaviour.service} failed on purpose (chaos)`));
      }
      if (next) {
        try {
          await next.call(request.body);
        } catch (error) {
          if (isBreakerOpenError(error)) {
            return reply
              .code(503)
              .send(failure('DEPENDENCY_UNAVAILABLE', `breaker to ${next.service} is open`));
          }
          if (isDownstreamError(error) && error.status !== undefined) {
            return reply.code(502).send(failure('BAD_GATEWAY', error.message));
          }
          return reply.code(504).send(failure('GATEWAY_TIMEOUT', `${next.service} did not answer in time`));
        }
      }
      const applied = options.ledger ? options.ledger.apply(request.body.id) : true;
      return { service: behaviour.service, id: request.body.id, applied };
    },
  );

  if (options.ledger) {
    const ledger = options.ledger;
    app.get('/effects', async () => ledger.counts());
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
