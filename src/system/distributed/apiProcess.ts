import { loadConfig, type Config, type Settings } from '../../config/index.js';
import { LANES } from '../../domain/signal.js';
import { downstreamUrls } from '../../services/downstream/downstreamAddresses.js';
import { createLogger, type Logger } from '../../telemetry/logger.js';
import { createLine } from '../../tps/jidoka/index.js';
import { createApiSide } from '../apiSide.js';
import { createInstruments } from '../instruments.js';
import { checkDistributedConfig, connectGuardedStatusStore, connectWorkQueue } from './backends.js';
import { recordChaos, recordRestart } from '../observeParts.js';
import { createRemoteChaos } from './remoteChaos.js';
import { SupervisorLink } from './SupervisorLink.js';

export interface RunningProcess {
  url: string;
  config: Config;
  close(): Promise<void>;
}

/**
 * `tps api`: intake and the read side over a broker and PostgreSQL. Lane breakers live in the workers, which
 * hold their lane's work back while their breaker is open; here the line stops lanes by cord.
 */
export async function startApiProcess(
  overrides: Partial<Settings> = {},
  options: { env?: NodeJS.ProcessEnv; logger?: Logger } = {},
): Promise<RunningProcess> {
  const config = loadConfig(options.env ?? process.env, overrides);
  checkDistributedConfig(config);
  const logger = options.logger ?? createLogger(config.logLevel).child({ role: 'api' });
  const instruments = await createInstruments(config, logger);
  const queue = await connectWorkQueue(config, logger, { role: 'api', makeBreaker: instruments.makeBreaker });
  const { database, store } = await connectGuardedStatusStore(config, logger, instruments, 'api');
  const queueBreaker = instruments.makeBreaker('queue', false);
  const line = createLine({
    lanes: LANES,
    laneBreakers: {},
    halfOpenProbes: config.breakerProbes,
    clock: instruments.clock,
  });
  let draining = false;
  const supervisor = config.supervisorUrl
    ? new SupervisorLink(config.supervisorUrl, {
        config,
        onRestart: (pool, count, how) =>
          recordRestart(
            instruments,
            pool,
            `the ${pool} worker process was ${how} and run-local started it again`,
            count,
          ),
      })
    : undefined;
  supervisor?.start();

  const apiSide = await createApiSide({
    mode: 'distributed',
    config,
    logger,
    instruments,
    queue,
    store,
    storeInfo: { backend: 'postgres', durable: true },
    checks: async () => ({
      store: await database.ping().then(
        () => 'ok',
        (error: unknown) => `unreachable: ${String(error)}`,
      ),
    }),
    line,
    queueBreaker,
    chaos: createRemoteChaos({
      urls: downstreamUrls(config),
      ...(supervisor ? { supervisor } : {}),
      cascadeLatencyMs: config.downstreamTimeoutMs * 2,
      onChange: recordChaos(logger, instruments),
    }),
    pools: () => supervisor?.pools() ?? [],
    behaviours: {},
    draining: () => draining,
  });
  const url = await apiSide.app.listen({ host: config.host, port: config.port });
  logger.info({ url, backend: queue.backend }, 'api running');
  return {
    url,
    config,
    close: async () => {
      draining = true;
      supervisor?.close();
      await apiSide.close();
      await queue.close();
      await store.close();
      logger.info('stopped');
    },
  };
}
