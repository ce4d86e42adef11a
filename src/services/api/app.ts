import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../../config/index.js';
import type { ErrorCode } from '../../errors/index.js';
import { quietServerOptions } from '../fastifyOptions.js';
import { contractServerOptions, guardFrontDoor } from '../frontDoor.js';
import type { Logger } from '../../telemetry/logger.js';
import type { ApiDeps } from './ApiDeps.js';
import { errorsPlugin } from './plugins/errors.js';
import { parseJsonWithinLimits } from './plugins/jsonShape.js';
import { andonRoutes } from './routes/andon.js';
import { boardRoutes } from './routes/board.js';
import { chaosRoutes } from './routes/chaos.js';
import { deadLetterRoutes } from './routes/deadLetters.js';
import { eventRoutes } from './routes/events.js';
import { loadRoutes } from './routes/load.js';
import { opsRoutes } from './routes/ops.js';
import { signalRoutes } from './routes/signals.js';
import { traceRoutes } from './routes/traces.js';
import { forwardedSpanRoutes } from './routes/forwardedSpans.js';
import { traceViewerRoutes } from './routes/traceViewer.js';
import { webRoutes } from './routes/web.js';

/** Refusals that happen before intake runs (Fastify's parsing and validation), named for signals_rejected_total. */
const INTAKE_REJECTIONS: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'invalid',
  INVALID_JSON: 'invalid',
  PAYLOAD_TOO_DEEP: 'invalid',
  PAYLOAD_TOO_MANY_KEYS: 'invalid',
  PAYLOAD_NOT_JSON: 'invalid',
  PAYLOAD_TOO_LARGE: 'too_large',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  STORE_UNAVAILABLE: 'store_unavailable',
};

/**
 * The API's Fastify instance before any route: body limit, strict validation, and only JSON spoken (a
 * text/plain body must get 415, not a validation error). The bench builds its intake rungs on it too.
 */
export function createApiServer(config: Config, logger: Logger): FastifyInstance {
  const app = Fastify({
    ...quietServerOptions(logger.child({ component: 'api' })),
    ...contractServerOptions(),
    bodyLimit: config.maxPayloadBytes,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
  });
  app.removeContentTypeParser('text/plain');
  guardFrontDoor(app, config.allowedHosts);
  parseJsonWithinLimits(app, { maxDepth: config.maxPayloadDepth, maxMembers: config.maxPayloadKeys });
  return app;
}

/** Builds the API without listening: `server` code listens, tests use `app.inject()` or a real socket. */
export async function buildApiApp(deps: ApiDeps, logger: Logger): Promise<FastifyInstance> {
  const app = createApiServer(deps.config, logger);

  // A callback hook, not an async one: one promise less for every request.
  app.addHook('onResponse', (request, reply, done) => {
    deps.observeRequest({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      ms: reply.elapsedTime,
    });
    done();
  });

  await app.register(errorsPlugin, {
    onRejected: (error, request) => {
      const reason = INTAKE_REJECTIONS[error.code];
      if (reason && request.method === 'POST' && request.routeOptions.url === '/signal')
        deps.rejected(reason);
    },
  });
  await app.register(signalRoutes, deps);
  await app.register(opsRoutes, deps);
  await app.register(andonRoutes, deps);
  await app.register(deadLetterRoutes, deps);
  await app.register(chaosRoutes, deps);
  await app.register(loadRoutes, deps);
  await app.register(webRoutes, deps);
  await app.register(eventRoutes, deps);
  await app.register(boardRoutes, deps);
  await app.register(traceRoutes, deps);
  await app.register(forwardedSpanRoutes, deps);
  await app.register(traceViewerRoutes, deps);
  return app;
}
