import type { FastifyPluginAsync } from 'fastify';
import { LANES, type LaneName } from '../../../domain/signal.js';
import type { ApiDeps } from '../ApiDeps.js';
import { adminGuard } from '../plugins/adminGuard.js';
import { emptyBodyIsNoOptions } from '../plugins/emptyBody.js';

const cordBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    lane: { type: 'string', enum: [...LANES] },
    reason: { type: 'string', minLength: 1, maxLength: 500 },
    by: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const;

type CordBody = { Body: { lane?: LaneName; reason?: string; by?: string } | undefined };

export const andonRoutes: FastifyPluginAsync<ApiDeps> = async (app, deps) => {
  const onRequest = adminGuard(deps.config.tpsAdminToken);
  app.addHook('preValidation', emptyBodyIsNoOptions);

  // The cords as they stand, for the workers of the distributed mode to follow (read-only, no admin needed).
  app.get('/andon/cords', async () => {
    const { line, lanes } = deps.line.snapshot();
    const view = ({ pulled, reason, by }: { pulled: boolean; reason?: string; by?: string }) => ({
      pulled,
      ...(reason === undefined ? {} : { reason }),
      ...(by === undefined ? {} : { by }),
    });
    return {
      line: view(line),
      lanes: Object.fromEntries(Object.entries(lanes).map(([lane, cord]) => [lane, view(cord)])),
    };
  });

  app.post<CordBody>('/andon/pull', { onRequest, schema: { body: cordBody } }, async (request) => {
    const { lane, reason = 'pulled by hand', by = 'operator' } = request.body ?? {};
    deps.line.pullCord({ reason, by, ...(lane ? { lane } : {}) });
    return { stopped: lane ?? 'line', reason, line: deps.line.snapshot() };
  });

  app.post<CordBody>('/andon/reset', { onRequest, schema: { body: cordBody } }, async (request) => {
    const { lane, by = 'operator' } = request.body ?? {};
    deps.line.resetCord({ by, ...(lane ? { lane } : {}) });
    return { restarted: lane ?? 'line', line: deps.line.snapshot() };
  });
};
