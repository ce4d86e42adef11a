import type { Tracer } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../telemetry/logger.js';
import type { Metrics } from '../../telemetry/metrics.js';
import type { Breaker } from '../../tps/jidoka/index.js';
import { createDownstreamClient, type DownstreamClient } from './DownstreamClient.js';
import { buildDownstreamApp, type MetricsExposition } from './downstreamApp.js';
import { EffectLedger } from './EffectLedger.js';
import { ServiceBehaviour, type DownstreamServiceName } from './ServiceBehaviour.js';

export interface DownstreamChain {
  /** Base URL of each service; the workers call service-c. */
  urls: Record<DownstreamServiceName, string>;
  behaviours: Record<DownstreamServiceName, ServiceBehaviour>;
  /** The breakers inside the chain: C's breaker to B and B's breaker to A. */
  breakers: Breaker[];
  /** Service A's record of the effects it applied, once per signal id. */
  ledger: EffectLedger;
  close(): Promise<void>;
}

/** Starts services A ("the database"), B and C on loopback, each a real HTTP server, C → B → A. */
export async function startDownstreamChain(options: {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  createBreaker: (name: string) => Breaker;
  observe?: (service: string, ok: boolean) => void;
  tracer?: Tracer;
  host?: string;
  /** Ports of A, B and C; free ones when left out (the embedded system). */
  ports?: Record<DownstreamServiceName, number>;
  /** `GET /metrics` on one service of the chain (the embedded system serves its metrics from the API). */
  metricsOn?: { service: DownstreamServiceName; exposition: MetricsExposition };
}): Promise<DownstreamChain> {
  const { config, logger, metrics } = options;
  const host = options.host ?? '127.0.0.1';
  const behaviours: Record<DownstreamServiceName, ServiceBehaviour> = {
    'service-a': new ServiceBehaviour('service-a', config.downstreamLatencyMs),
    'service-b': new ServiceBehaviour('service-b', config.downstreamHopLatencyMs),
    'service-c': new ServiceBehaviour('service-c', config.downstreamHopLatencyMs),
  };
  const apps: FastifyInstance[] = [];
  const clients: DownstreamClient[] = [];
  const ledger = new EffectLedger();
  const start = async (service: DownstreamServiceName, next?: DownstreamClient): Promise<string> => {
    const app = buildDownstreamApp({
      behaviour: behaviours[service],
      logger,
      allowedHosts: config.allowedHosts,
      ...(options.tracer ? { tracer: options.tracer } : {}),
      ...(next ? { next } : { ledger }),
      ...(options.metricsOn?.service === service ? { metrics: options.metricsOn.exposition } : {}),
    });
    apps.push(app);
    return app.listen({ host, port: options.ports?.[service] ?? 0 });
  };
  const clientTo = (
    service: DownstreamServiceName,
    url: string,
    caller: DownstreamServiceName,
  ): DownstreamClient => {
    const client = createDownstreamClient({
      service,
      caller,
      url,
      ...(options.tracer ? { tracer: options.tracer } : {}),
      breaker: options.createBreaker(service),
      timeoutMs: config.downstreamTimeoutMs,
      metrics,
      ...(options.observe ? { observe: options.observe } : {}),
    });
    clients.push(client);
    return client;
  };

  const urlA = await start('service-a');
  const urlB = await start('service-b', clientTo('service-a', urlA, 'service-b'));
  const urlC = await start('service-c', clientTo('service-b', urlB, 'service-c'));
  const urls = { 'service-a': urlA, 'service-b': urlB, 'service-c': urlC };

  return {
    urls,
    behaviours,
    breakers: clients.map((client) => client.breaker),
    ledger,
    close: async () => {
      for (const app of apps.reverse()) await app.close();
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}
