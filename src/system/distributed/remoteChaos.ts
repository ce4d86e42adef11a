import type { ChaosControl, ChaosState } from '../../chaos/ChaosControl.js';
import {
  chaosChanged,
  chaosState,
  describeCascade,
  describeDownstreamFault,
} from '../../chaos/chaosState.js';
import { TpsError } from '../../errors/index.js';
import {
  DOWNSTREAM_SERVICES,
  type DownstreamServiceName,
  type InjectedFault,
} from '../../services/downstream/ServiceBehaviour.js';
import type { CrashedProcess } from './RoleSupervisor.js';
import type { SupervisorLink } from './SupervisorLink.js';

/**
 * Chaos from the API process of the distributed mode. Downstream faults (and the cascade, which slows service A)
 * go to `tps downstream` over HTTP. Killing a worker process and stopping the broker go to the `tps run-local`
 * that started this API (SUPERVISOR_URL), because it is the parent that owns those processes; without it they
 * are refused with a reason.
 */
export function createRemoteChaos(parts: {
  urls: Record<DownstreamServiceName, string>;
  supervisor?: SupervisorLink;
  /** What the cascade adds to service A: more than its callers wait. */
  cascadeLatencyMs: number;
  onChange?: (state: ChaosState, what: string) => void;
}): ChaosControl {
  const { urls, supervisor } = parts;
  const known: Record<DownstreamServiceName, InjectedFault> = {
    'service-a': { latencyMs: 0, errorRate: 0 },
    'service-b': { latencyMs: 0, errorRate: 0 },
    'service-c': { latencyMs: 0, errorRate: 0 },
  };
  let cascade = false;
  const queueDown = () => {
    const broker = supervisor?.state()?.broker;
    return broker !== undefined && broker.owned && !broker.running;
  };
  const state = (): ChaosState => chaosState({ downstream: known, queueDown: queueDown(), cascade });
  const changed = chaosChanged(state, parts.onChange);
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
  const viaSupervisor = (what: string, code: 'NOT_SUPPORTED' | 'BROKER_NOT_OWNED'): SupervisorLink => {
    if (supervisor) return supervisor;
    throw new TpsError(code, {
      message:
        code === 'BROKER_NOT_OWNED'
          ? `${what}: this API was not started by \`tps run-local --own-nats\` (SUPERVISOR_URL is empty), so no ` +
            'broker here is ours to stop; we never stop a broker we did not start'
          : `${what} in the distributed mode goes through \`tps run-local\`, which owns and restarts the worker ` +
            'processes; this API was started without it (SUPERVISOR_URL is empty): kill -9 a `tps worker` yourself',
    });
  };
  const queueSwitch = async (path: '/queue-down' | '/queue-recover', what: string) => {
    await viaSupervisor(path.slice(1), 'BROKER_NOT_OWNED').post(path);
    return changed(what);
  };

  return {
    state,
    async injectDownstream(target, fault) {
      await send(target, 'PUT', {
        ...(fault.latencyMs === undefined ? {} : { latency_ms: fault.latencyMs }),
        ...(fault.errorRate === undefined ? {} : { error_rate: fault.errorRate }),
      });
      return changed(describeDownstreamFault(target, known[target]));
    },
    async crashWorker(pool) {
      const { crashed } = await viaSupervisor('crash-worker', 'NOT_SUPPORTED').post<{
        crashed: CrashedProcess;
      }>('/crash-worker', { pool: pool ?? 'fast' });
      const held = crashed.held_signals;
      changed(
        `worker process ${crashed.pid} of the ${crashed.pool} pool killed (${crashed.how}) holding ` +
          `${held.length} signal(s); run-local restarts it`,
      );
      return {
        pool: crashed.pool,
        worker: crashed.pid,
        heldSignals: held,
        how: crashed.how,
      };
    },
    queueDown: () => queueSwitch('/queue-down', 'queue backend down: run-local stopped its nats-server'),
    queueRecover: () =>
      queueSwitch('/queue-recover', 'queue backend recovered: run-local started its nats-server again'),
    async cascade() {
      await send('service-a', 'PUT', { latency_ms: parts.cascadeLatencyMs });
      cascade = true;
      return changed(describeCascade(parts.cascadeLatencyMs));
    },
    async stopAll() {
      for (const service of DOWNSTREAM_SERVICES) await send(service, 'DELETE');
      cascade = false;
      if (queueDown()) await supervisor?.post('/queue-recover');
      return changed('all faults stopped');
    },
  };
}
