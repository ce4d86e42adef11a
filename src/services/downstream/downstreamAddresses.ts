import type { Config } from '../../config/index.js';
import type { DownstreamServiceName } from './ServiceBehaviour.js';

/** The ports of `tps downstream`: DOWNSTREAM_PORT for service A, the next two for B and C. */
export const downstreamPorts = (config: Config): Record<DownstreamServiceName, number> => ({
  'service-a': config.downstreamPort,
  'service-b': config.downstreamPort + 1,
  'service-c': config.downstreamPort + 2,
});

/** Where workers and the API reach each downstream service in the distributed mode. */
export const downstreamUrls = (config: Config): Record<DownstreamServiceName, string> => {
  const ports = downstreamPorts(config);
  const url = (service: DownstreamServiceName) => `http://${config.downstreamHost}:${ports[service]}`;
  return { 'service-a': url('service-a'), 'service-b': url('service-b'), 'service-c': url('service-c') };
};
