import { LogController, type FastifyServerOptions } from 'fastify';
import type { Logger } from '../telemetry/logger.js';

/**
 * What every HTTP server of ours shares: our pino child as the logger, no log line per request, and no child
 * logger per request either. Fastify would build one for every request to bind its id, and ours log a line
 * only for a failure (which names the request id itself, see plugins/errors.ts): that child was a pino object
 * per request, on the hot path of intake and of each hop of the downstream chain, for nothing.
 */
export function quietServerOptions(
  logger: Logger,
): Pick<FastifyServerOptions, 'loggerInstance' | 'logController' | 'childLoggerFactory'> {
  return {
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (parent) => parent,
  };
}
