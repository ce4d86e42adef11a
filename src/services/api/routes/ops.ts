import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../ApiDeps.js';

export const opsRoutes: FastifyPluginAsync<ApiDeps> = async (app, deps) => {
  app.get('/health', async (_request, reply) => {
    const health = await deps.health();
    if (health.healthy) return { status: 'healthy', andon: health.andon };
    return reply.code(503).send({ status: 'unhealthy', checks: health.checks, andon: health.andon });
  });

  app.get('/info', async () => deps.info());

  app.get('/status', async () => deps.status());

  app.get('/metrics', async (_request, reply) => {
    await deps.observe();
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
};
