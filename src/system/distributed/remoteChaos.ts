import type { ChaosControl, ChaosState, FaultName } from '../../chaos/ChaosControl.js';
import { TpsError } from '../../errors/index.js';
import {
  DOWNSTREAM_SERVICES,
  type DownstreamServiceName,
  type InjectedFault,
} from '../../services/downstream/ServiceBehaviour.js';

/**
 * Chaos from the API process of the distributed mode: downstream faults go to `tps downstream` over HTTP.
 * Faults that need another process killed or a broker stopped belong to the load and chaos lab.
 */
export function createRemoteChaos(urls: Record<DownstreamServiceName, string>): ChaosControl {
  const known: Record<DownstreamServiceName, InjectedFault> = {
    'service-a': { latencyMs: 0, errorRate: 0 },
    'service-b': { latencyMs: 0, errorRate: 0 },
    'service-c': { latencyMs: 0, errorRate: 0 },
  };
  const state = (): ChaosState => {
    const faults = Object.values(known);
    const active: FaultName[] = [];
    if (faults.some((fault) => fault.latencyMs > 0)) active.push('downstream_latency');
    if (faults.some((fault) => fault.errorRate > 0)) active.push('downstream_errors');
    return { downstream: { ...known }, queueDown: false, cascade: false, active };
  };
  const send = async (service: DownstreamServiceName, method: 'PUT' | 'DELETE', body?: object) => {
    const response = await fetch(`${urls[service]}/fault`, {
      method,
      ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    }).catch((error: unknown) => {
      throw new TpsError('QUEUE_UNAVAILABLE', {
        message: `${service} is not reachable at ${urls[service]}`,
        cause: error,
      });
    });
    const fault = (await response.json()) as { latencyMs: number; errorRate: number };
    known[service] = { latencyMs: fault.latencyMs, errorRate: fault.errorRate };
  };
  const notHere = (what: string) =>
    Promise.reject(
      new TpsError('NOT_SUPPORTED', {
        message: `${what} is not built for the distributed mode yet: stop the process or broker yourself`,
      }),
    );
  return {
    state,
    async injectDownstream(target, fault) {
      await send(target, 'PUT', {
        ...(fault.latencyMs === undefined ? {} : { latency_ms: fault.latencyMs }),
        ...(fault.errorRate === undefined ? {} : { error_rate: fault.errorRate }),
      });
      return state();
    },
    crashWorker: () => notHere('crash-worker'),
    queueDown: () => notHere('queue-down'),
    queueRecover: () => notHere('queue-recover'),
    cascade: () => notHere('cascade'),
    async stopAll() {
      for (const service of DOWNSTREAM_SERVICES) await send(service, 'DELETE');
      return state();
    },
  };
}
