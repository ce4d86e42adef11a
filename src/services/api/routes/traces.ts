import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TraceOutcome, TraceQuery } from '../../../domain/traces.js';
import { TpsError } from '../../../errors/index.js';
import { MAX_TRACE_LIMIT, traceIdParamsSchema, traceQuerySchema } from '../../../tps/pokayoke/index.js';
import type { ApiDeps } from '../ApiDeps.js';

interface RawTraceQuery {
  lane?: string;
  outcome?: TraceOutcome | 'error';
  min_ms?: string;
  signal_id?: string;
  limit?: string;
}

const toQuery = (raw: RawTraceQuery): TraceQuery => ({
  ...(raw.lane === undefined ? {} : { lane: raw.lane }),
  ...(raw.outcome === undefined ? {} : { outcome: raw.outcome }),
  ...(raw.min_ms === undefined ? {} : { min_ms: Number(raw.min_ms) }),
  ...(raw.signal_id === undefined ? {} : { signal_id: raw.signal_id }),
  ...(raw.limit === undefined ? {} : { limit: Math.max(1, Math.min(Number(raw.limit), MAX_TRACE_LIMIT)) }),
});

/** A browser asking for the page gets the trace viewer; any other client the JSON. */
const wantsPage = (request: FastifyRequest): boolean => {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html') && !accept.startsWith('application/json');
};

const queryString = (url: string): string => {
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at);
};

/** `GET /traces` and `GET /traces/:id`: this process's recent traces as JSON (`src/domain/traces.ts`). */
export const traceRoutes: FastifyPluginAsync<Pick<ApiDeps, 'traces'>> = async (app, deps) => {
  const recent = () => {
    if (deps.traces) return deps.traces;
    throw new TpsError('NOT_SUPPORTED', {
      message: 'This process keeps no traces (TRACE_BUFFER=0); export them with OTEL_EXPORTER_OTLP_ENDPOINT',
    });
  };

  app.get<{ Querystring: RawTraceQuery }>(
    '/traces',
    { schema: { querystring: traceQuerySchema } },
    async (request, reply) => {
      if (wantsPage(request)) return reply.redirect(`/traces/view${queryString(request.url)}`);
      return recent().list(toQuery(request.query));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/traces/:id',
    { schema: { params: traceIdParamsSchema } },
    async (request, reply) => {
      if (wantsPage(request)) return reply.redirect(`/traces/view/${request.params.id}`);
      const trace = recent().get(request.params.id);
      if (!trace) throw new TpsError('TRACE_NOT_FOUND', { details: { id: request.params.id } });
      return trace;
    },
  );
};
