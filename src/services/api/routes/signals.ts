import type { FastifyPluginAsync } from 'fastify';
import { TpsError } from '../../../errors/index.js';
import { signalIdParamsSchema, signalRequestSchema } from '../../../tps/pokayoke/index.js';
import { extractContext } from '../../../telemetry/traceContext.js';
import type { ApiDeps } from '../ApiDeps.js';
import type { SignalRequest } from '../Intake.js';

type IdParams = { Params: { id: string } };

/**
 * The 202 answer of intake and retry, and the only list of its fields: the handlers send the signal's record
 * whole, and fast-json-stringify (compiled once, instead of JSON.stringify on every request) writes these
 * fields of it and nothing else.
 */
const acceptedSchema = {
  type: 'object',
  required: ['id', 'status', 'lane', 'trace_id'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string' },
    lane: { type: 'string' },
    trace_id: { type: 'string' },
  },
} as const;

export const signalRoutes: FastifyPluginAsync<ApiDeps> = async (app, deps) => {
  app.post<{ Body: SignalRequest }>(
    '/signal',
    {
      schema: {
        body: signalRequestSchema({ maxWorkMs: deps.config.maxWorkMs }),
        response: { 202: acceptedSchema },
      },
    },
    async (request, reply) => {
      // A caller's traceparent makes the signal part of its trace; its baggage rides along to the next hops.
      const { created, record } = await deps.intake.submit(
        request.body,
        extractContext(request.headers),
        request,
      );
      if (!created) return reply.code(200).send(deps.toView(record));
      return reply.code(202).send(record);
    },
  );

  app.get<IdParams>('/signal/:id/status', { schema: { params: signalIdParamsSchema } }, async (request) => {
    const record = await deps.store.get(request.params.id);
    if (!record) throw new TpsError('SIGNAL_NOT_FOUND', { details: { id: request.params.id } });
    return deps.toView(record);
  });

  app.post<IdParams>(
    '/signal/:id/retry',
    { schema: { params: signalIdParamsSchema, response: { 202: acceptedSchema } } },
    async (request, reply) => {
      const record = await deps.intake.retry(request.params.id, extractContext(request.headers), request);
      return reply.code(202).send(record);
    },
  );
};
