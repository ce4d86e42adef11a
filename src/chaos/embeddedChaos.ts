import type { LaneName } from '../domain/signal.js';
import type { MemoryWorkQueue } from '../queue/memory/index.js';
import type { WorkerPool } from '../services/worker/WorkerPool.js';
import {
  DOWNSTREAM_SERVICES,
  type DownstreamServiceName,
  type ServiceBehaviour,
} from '../services/downstream/ServiceBehaviour.js';
import type { ChaosControl, ChaosState, FaultName } from './ChaosControl.js';

/** Chaos for the one-process system: faults are state of the running parts, so they really fire. */
export function createEmbeddedChaos(parts: {
  behaviours: Record<DownstreamServiceName, ServiceBehaviour>;
  pools: Record<LaneName, WorkerPool>;
  queue: MemoryWorkQueue;
  cascadeLatencyMs: number;
  onChange?: (state: ChaosState, what: string) => void;
}): ChaosControl {
  let queueDown = false;
  let cascade = false;

  const state = (): ChaosState => {
    const downstream = Object.fromEntries(
      DOWNSTREAM_SERVICES.map((service) => [service, { ...parts.behaviours[service].injected }]),
    ) as ChaosState['downstream'];
    const faults = Object.values(downstream);
    const active: FaultName[] = [];
    if (faults.some((fault) => fault.latencyMs > 0)) active.push('downstream_latency');
    if (faults.some((fault) => fault.errorRate > 0)) active.push('downstream_errors');
    if (queueDown) active.push('queue_down');
    if (cascade) active.push('cascade');
    return { downstream, queueDown, cascade, active };
  };
  const changed = (what: string): ChaosState => {
    const now = state();
    parts.onChange?.(now, what);
    return now;
  };

  return {
    state,
    async injectDownstream(target, fault) {
      parts.behaviours[target].inject(fault);
      const { latencyMs, errorRate } = parts.behaviours[target].injected;
      return changed(`${target}: +${latencyMs} ms latency, ${Math.round(errorRate * 100)} % errors`);
    },
    async crashWorker(pool) {
      const order: LaneName[] = pool ? [pool] : ['fast', 'slow'];
      for (const lane of order) {
        const crashed = parts.pools[lane].crashOne();
        if (crashed) {
          changed(`crashed worker ${crashed.worker} of the ${lane} pool`);
          return { pool: lane, ...crashed };
        }
      }
      return undefined;
    },
    async queueDown() {
      queueDown = true;
      parts.queue.setAvailable(false, 'queue backend stopped on purpose (chaos)');
      return changed('queue backend down');
    },
    async queueRecover() {
      queueDown = false;
      parts.queue.setAvailable(true);
      return changed('queue backend recovered');
    },
    async cascade() {
      cascade = true;
      parts.behaviours['service-a'].inject({ latencyMs: parts.cascadeLatencyMs });
      return changed(`cascade: service-a slowed by ${parts.cascadeLatencyMs} ms`);
    },
    async stopAll() {
      for (const service of DOWNSTREAM_SERVICES) parts.behaviours[service].clear();
      cascade = false;
      if (queueDown) parts.queue.setAvailable(true);
      queueDown = false;
      return changed('all faults stopped');
    },
  };
}
