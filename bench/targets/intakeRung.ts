/**
 * The rungs between Fastify alone and the whole system share this: the API's own Fastify instance, its error
 * answers and its signal routes, over whatever intake the rung puts behind them. No metrics hook, no tracing.
 */
import type { Config } from '../../src/config/index.js';
import type { ApiDeps } from '../../src/services/api/ApiDeps.js';
import type { Intake } from '../../src/services/api/Intake.js';
import { createApiServer } from '../../src/services/api/app.js';
import { errorsPlugin } from '../../src/services/api/plugins/errors.js';
import { signalRoutes } from '../../src/services/api/routes/signals.js';
import type { StatusStore } from '../../src/store/StatusStore.js';
import { signalView } from '../../src/system/apiSide.js';
import { createLogger } from '../../src/telemetry/logger.js';
import type { Target } from './runTarget.js';

export async function startIntakeRung(config: Config, intake: Intake, store: StatusStore): Promise<Target> {
  const app = createApiServer(config, createLogger('warn'));
  await app.register(errorsPlugin);
  // The signal routes read only these of the API's deps; the rest (status, board, metrics…) is not on this rung.
  const deps: Pick<ApiDeps, 'config' | 'intake' | 'store' | 'toView'> = {
    config,
    intake,
    store,
    toView: signalView,
  };
  await app.register(signalRoutes, deps as ApiDeps);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}
