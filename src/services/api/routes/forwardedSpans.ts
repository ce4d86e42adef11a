import type { FastifyPluginAsync } from 'fastify';
import type { ForwardedSpan, ForwardedSpansAnswer } from '../../../domain/traces.js';
import { TpsError } from '../../../errors/index.js';
import { forwardedSpansSchema } from '../../../tps/pokayoke/index.js';
import type { ApiDeps } from '../ApiDeps.js';
import { adminGuard } from '../plugins/adminGuard.js';

/** A batch of 512 spans with long attributes stays well under this. */
const BODY_LIMIT = 2 * 1024 * 1024;

/**
 * `POST /traces/spans`: the spans the workers and the downstream services of the distributed mode recorded, sent
 * by their SpanForwarder, so that this API's `/traces` shows whole traces. A span joins its trace only if the
 * buffer holds it. Guarded as the admin routes are (loopback, or TPS_ADMIN_TOKEN): nobody else writes traces.
 */
export const forwardedSpanRoutes: FastifyPluginAsync<Pick<ApiDeps, 'traces' | 'config'>> = async (
  app,
  deps,
) => {
  app.post<{ Body: { spans: ForwardedSpan[] } }>(
    '/traces/spans',
    {
      bodyLimit: BODY_LIMIT,
      preHandler: adminGuard(deps.config.tpsAdminToken),
      schema: { body: forwardedSpansSchema },
    },
    async (request): Promise<ForwardedSpansAnswer> => {
      const traces = deps.traces;
      if (!traces?.addForwarded) {
        throw new TpsError('NOT_SUPPORTED', { message: 'This process keeps no traces (TRACE_BUFFER=0)' });
      }
      let accepted = 0;
      for (const { trace_id, ...span } of request.body.spans) {
        if (traces.addForwarded(trace_id, span)) accepted += 1;
      }
      return { accepted, share: traces.forwardedShare ?? 1 };
    },
  );
};
