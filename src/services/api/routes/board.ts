import type { FastifyPluginAsync } from 'fastify';
import { boardPage } from '../../../web/boardPage.js';
import type { ApiDeps } from '../ApiDeps.js';
import { sendPage, webScript } from '../webScript.js';

/** `GET /board`: the andon board in the browser, with its one script at `/board.js`. */
export const boardRoutes: FastifyPluginAsync<ApiDeps> = async (app) => {
  const page = boardPage();
  app.get('/board', async (_request, reply) => sendPage(reply, 'html', page));
  app.get('/board.js', async (_request, reply) => sendPage(reply, 'javascript', await webScript('board')));
};
