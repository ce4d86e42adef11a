import { loadConfig, type Settings } from '../../config/index.js';
import { downstreamPorts } from '../../services/downstream/downstreamAddresses.js';
import { startDownstreamChain } from '../../services/downstream/downstreamChain.js';
import { createLogger, type Logger } from '../../telemetry/logger.js';
import { createInstruments } from '../instruments.js';
import type { RunningProcess } from './apiProcess.js';

/** `tps downstream`: services A, B and C on DOWNSTREAM_PORT and the next two ports, C → B → A. */
export async function startDownstreamProcess(
  overrides: Partial<Settings> = {},
  options: { env?: NodeJS.ProcessEnv; logger?: Logger } = {},
): Promise<RunningProcess> {
  const config = loadConfig(options.env ?? process.env, overrides);
  const logger = options.logger ?? createLogger(config.logLevel).child({ role: 'downstream' });
  const instruments = createInstruments(config, logger);
  const chain = await startDownstreamChain({
    config,
    logger,
    metrics: instruments.metrics,
    createBreaker: instruments.makeBreaker,
    tracer: instruments.tracing.tracerFor('downstream'),
    host: config.host,
    ports: downstreamPorts(config),
  });
  logger.info({ urls: chain.urls }, 'downstream services running');
  return {
    url: chain.urls['service-c'],
    config,
    close: async () => {
      await chain.close();
      await instruments.tracing.shutdown();
    },
  };
}
