import type { FastifyPluginAsync } from 'fastify';
import { SIGNAL_ID_PATTERN } from '../../../tps/pokayoke/index.js';
import type { ApiDeps } from '../ApiDeps.js';
import { adminGuard } from '../plugins/adminGuard.js';
import { emptyBodyIsNoOptions } from '../plugins/emptyBody.js';

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'string', pattern: '^[0-9]{1,5}$' } },
} as const;

const replayBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ids: { type: 'array', maxItems: 10_000, items: { type: 'string', pattern: SIGNAL_ID_PATTERN } },
  },
} as const;

const view = (deadLetter: {
  message: { id: string; lane: string; signal_type: string };
  attempts: number;
  reason: string;
  at: number;
}) => ({
  id: deadLetter.message.id,
  lane: deadLetter.message.lane,
  signal_type: deadLetter.message.signal_type,
  attempts: deadLetter.attempts,
  reason: deadLetter.reason,
  dead_lettered_at: new Date(deadLetter.at).toISOString(),
});

export const deadLetterRoutes: FastifyPluginAsync<ApiDeps> = async (app, deps) => {
  app.get<{ Querystring: { limit?: string } }>(
    '/dlq',
    { schema: { querystring: listQuery } },
    async (request) => {
      const limit = Math.min(Number(request.query.limit ?? 100), 1000);
      const items = await deps.deadLetters.list(limit);
      return { count: items.length, items: items.map(view) };
    },
  );

  app.post<{ Body: { ids?: string[] } | undefined }>(
    '/dlq/replay',
    {
      onRequest: adminGuard(deps.config.tpsAdminToken),
      preValidation: emptyBodyIsNoOptions,
      schema: { body: replayBody },
    },
    async (request, reply) => {
      const replayed = await deps.deadLetters.replay(request.body?.ids);
      return reply.code(202).send({ replayed: replayed.length, items: replayed.map(view) });
    },
  );
};
