import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { FAVICON_SVG } from '../../../web/favicon.js';
import { landingPage } from '../../../web/landingPage.js';
import type { ApiDeps } from '../ApiDeps.js';

/** A Host header fit to paste into a shell command: a name or address and a port, nothing else. */
const PLAIN_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

export const webRoutes: FastifyPluginAsync<ApiDeps> = async (app, deps) => {
  // The snippet names the address the browser used (the port PORT gave), not a fixed localhost:8080.
  const address = (request: FastifyRequest): string =>
    PLAIN_HOST.test(request.host) ? request.host : `localhost:${deps.config.port}`;

  app.get('/', async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(landingPage(deps.info(), address(request))),
  );

  for (const path of ['/favicon.svg', '/favicon.ico']) {
    app.get(path, async (_request, reply) =>
      reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON_SVG),
    );
  }
};
