import type { LaneName } from '../domain/signal.js';
import type { MemoryWorkQueue } from '../queue/memory/index.js';
import type { WorkerPool } from '../services/worker/WorkerPool.js';
import {
  DOWNSTREAM_SERVICES,
  type DownstreamServiceName,
  type ServiceBehaviour,
} from '../services/downstream/ServiceBehaviour.js';
import type { ChaosControl, ChaosState } from './ChaosControl.js';
import { chaosChanged, chaosState, describeCascade, describeDownstreamFault } from './chaosState.js';

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

  const state = (): ChaosState =>
    chaosState({
      downstream: Object.fromEntries(
        DOWNSTREAM_SERVICES.map((service) => [service, parts.behaviours[service].injected]),
      ) as ChaosState['downstream'],
      queueDown,
      cascade,
    });
  const changed = chaosChanged(state, parts.onChange);

  return {
    state,
    async injectDownstream(target, fault) {
      parts.behaviours[target].inject(fault);
      return changed(describeDownstreamFault(target, parts.behaviours[target].injected));
    },
    async crashWorker(pool) {
      const order: LaneName[] = pool ? [pool] : ['fast', 'slow'];
      for (const lane of order) {
        const crashed = parts.pools[lane].crashOne();
        if (crashed) {
          changed(`crashed worker ${crashed.worker} of the ${lane} pool`);
          return {
            pool: lane,
            worker: crashed.worker,
            heldSignals: crashed.heldSignal ? [crashed.heldSignal] : [],
          };
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
      return changed(describeCascade(parts.cascadeLatencyMs));
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
