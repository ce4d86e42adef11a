import type { FastifyPluginAsync } from 'fastify';
import { LANES, type LaneName } from '../../../domain/signal.js';
import { TpsError } from '../../../errors/index.js';
import { DOWNSTREAM_SERVICES, type DownstreamServiceName } from '../../downstream/ServiceBehaviour.js';
import type { ApiDeps } from '../ApiDeps.js';
import { adminGuard } from '../plugins/adminGuard.js';
import { emptyBodyIsNoOptions } from '../plugins/emptyBody.js';

const downstreamBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    target: { type: 'string', enum: [...DOWNSTREAM_SERVICES] },
    latency_ms: { type: 'integer', minimum: 0, maximum: 600_000 },
    error_rate: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;

const crashBody = {
  type: 'object',
  additionalProperties: false,
  properties: { pool: { type: 'string', enum: [...LANES] } },
} as const;

export const chaosRoutes: FastifyPluginAsync<ApiDeps> = async (app, deps) => {
  app.addHook('onRequest', adminGuard(deps.config.tpsAdminToken));
  app.addHook('preValidation', emptyBodyIsNoOptions);
  const { chaos } = deps;

  app.get('/chaos', async () => chaos.state());

  app.post<{
    Body: { target?: DownstreamServiceName; latency_ms?: number; error_rate?: number } | undefined;
  }>('/chaos/downstream', { schema: { body: downstreamBody } }, async (request) => {
    const { target = 'service-c', latency_ms, error_rate } = request.body ?? {};
    return chaos.injectDownstream(target, {
      ...(latency_ms === undefined ? {} : { latencyMs: latency_ms }),
      ...(error_rate === undefined ? {} : { errorRate: error_rate }),
    });
  });

  app.post<{ Body: { pool?: LaneName } | undefined }>(
    '/chaos/crash-worker',
    { schema: { body: crashBody } },
    async (request) => {
      const crashed = await chaos.crashWorker(request.body?.pool);
      if (!crashed) throw new TpsError('NO_WORKER');
      return {
        crashed: {
          pool: crashed.pool,
          worker: crashed.worker,
          held_signal: crashed.heldSignals[0] ?? null,
          held_signals: crashed.heldSignals,
          ...(crashed.how ? { how: crashed.how } : {}),
        },
      };
    },
  );

  app.post('/chaos/queue-down', async () => chaos.queueDown());
  app.post('/chaos/queue-recover', async () => chaos.queueRecover());
  app.post('/chaos/cascade', async () => chaos.cascade());
  app.delete('/chaos', async () => chaos.stopAll());
  app.post('/chaos/stop', async () => chaos.stopAll());
};
