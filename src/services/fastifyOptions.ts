import { LogController, type FastifyServerOptions } from 'fastify';
import type { Logger } from '../telemetry/logger.js';

/** What every HTTP server of ours shares: our pino child as the logger, and no log line per request. */
export function quietServerOptions(
  logger: Logger,
): Pick<FastifyServerOptions, 'loggerInstance' | 'logController'> {
  return {
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
  };
}
