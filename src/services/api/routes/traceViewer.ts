import type { FastifyPluginAsync } from 'fastify';
import { tracesPage } from '../../../web/tracesPage.js';
import type { ApiDeps } from '../ApiDeps.js';
import { sendPage, webScript } from '../webScript.js';

/**
 * The trace viewer's page (`GET /traces/view`, `/traces/view/:id`) and its script (`/traces.js`). The page reads
 * the JSON of `GET /traces` and `GET /traces/:id`, which the traces routes answer; this plugin serves no JSON.
 */
export const traceViewerRoutes: FastifyPluginAsync<ApiDeps> = async (app) => {
  const page = tracesPage();
  app.get('/traces/view', async (_request, reply) => sendPage(reply, 'html', page));
  app.get('/traces/view/:id', async (_request, reply) => sendPage(reply, 'html', page));
  app.get('/traces.js', async (_request, reply) => sendPage(reply, 'javascript', await webScript('traces')));
};
