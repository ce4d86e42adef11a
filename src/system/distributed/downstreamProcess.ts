import { loadConfig, type Settings } from '../../config/index.js';
import { downstreamPorts } from '../../services/downstream/downstreamAddresses.js';
import { startDownstreamChain } from '../../services/downstream/downstreamChain.js';
import { createLogger, type Logger } from '../../telemetry/logger.js';
import { setBreakerStates } from '../gauges.js';
import { createInstruments } from '../instruments.js';
import { observeBreakers } from '../observeParts.js';
import type { RunningProcess } from './apiProcess.js';

/**
 * `tps downstream`: services A, B and C on DOWNSTREAM_PORT and the next two ports, C → B → A; the process's
 * metrics (the B and A hop latencies, the breakers C → B and B → A) as `GET /metrics` on service A's port.
 */
export async function startDownstreamProcess(
  overrides: Partial<Settings> = {},
  options: { env?: NodeJS.ProcessEnv; logger?: Logger } = {},
): Promise<RunningProcess> {
  const config = loadConfig(options.env ?? process.env, overrides);
  const logger = options.logger ?? createLogger(config.logLevel).child({ role: 'downstream' });
  const instruments = await createInstruments(config, logger, { forwardSpans: true });
  const { metrics } = instruments;
  const chain = await startDownstreamChain({
    config,
    logger,
    metrics,
    createBreaker: instruments.makeBreaker,
    tracer: instruments.tracing.tracerFor('downstream'),
    host: config.host,
    ports: downstreamPorts(config),
    // One registry for the three services, so one port serves it: service A's, DOWNSTREAM_PORT, the one the
    // liveness probe already watches. Served on all three, a scraper of every port would count it all thrice.
    metricsOn: {
      service: 'service-a',
      exposition: {
        contentType: metrics.registry.contentType,
        text: async () => {
          // The breakers C → B and B → A change state between calls; the gauge shows the state at the scrape.
          setBreakerStates(metrics, instruments.breakers);
          return metrics.registry.metrics();
        },
      },
    },
  });
  // The chain's breakers exist once the chain has started: count and log their transitions as the workers do.
  const subscriptions = observeBreakers(logger.child({ component: 'jidoka' }), instruments);
  logger.info({ urls: chain.urls }, 'downstream services running');
  return {
    url: chain.urls['service-c'],
    config,
    close: async () => {
      await chain.close();
      for (const subscription of subscriptions) subscription.dispose();
      await instruments.tracing.shutdown();
    },
  };
}
