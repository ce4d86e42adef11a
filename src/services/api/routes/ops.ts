import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../ApiDeps.js';

export const opsRoutes: FastifyPluginAsync<ApiDeps> = async (app, deps) => {
  app.get('/health', async (_request, reply) => {
    const health = await deps.health();
    if (health.healthy) return { status: 'healthy', andon: health.andon };
    return reply.code(503).send({ status: 'unhealthy', checks: health.checks, andon: health.andon });
  });

  // Liveness (a Kubernetes livenessProbe): the process answers. Not /health, which is 503 while the line is
  // stopped or a broker is down: a restart would not fix either, and it would reset the andon cords by hand.
  app.get('/health/live', async () => ({ status: 'alive' }));

  app.get('/info', async () => deps.info());

  app.get('/status', async () => deps.status());

  app.get('/metrics', async (_request, reply) => {
    await deps.observe();
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
};
