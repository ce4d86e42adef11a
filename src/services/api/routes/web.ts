import type { FastifyPluginAsync } from 'fastify';
import { landingPage } from '../../../web/landingPage.js';
import type { ApiDeps } from '../ApiDeps.js';

export const webRoutes: FastifyPluginAsync<ApiDeps> = async (app, deps) => {
  app.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(landingPage(deps.info())),
  );
};
