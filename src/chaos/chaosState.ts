import type { DownstreamServiceName, InjectedFault } from '../services/downstream/ServiceBehaviour.js';
import type { ChaosState, FaultName } from './ChaosControl.js';

/**
 * The chaos state both modes report: a copy of each downstream fault (in the order given) and which faults are
 * active, for /status, the andon and `chaos_active{fault}`.
 */
export function chaosState(parts: {
  downstream: Record<DownstreamServiceName, Readonly<InjectedFault>>;
  queueDown: boolean;
  cascade: boolean;
}): ChaosState {
  const { queueDown, cascade } = parts;
  const downstream = Object.fromEntries(
    Object.entries(parts.downstream).map(([service, fault]) => [service, { ...fault }]),
  ) as ChaosState['downstream'];
  const faults = Object.values(downstream);
  const active: FaultName[] = [];
  if (faults.some((fault) => fault.latencyMs > 0)) active.push('downstream_latency');
  if (faults.some((fault) => fault.errorRate > 0)) active.push('downstream_errors');
  if (queueDown) active.push('queue_down');
  if (cascade) active.push('cascade');
  return { downstream, queueDown, cascade, active };
}

/** `changed(what)`: takes the state now, tells `onChange` what changed, and returns the state. */
export function chaosChanged(
  state: () => ChaosState,
  onChange?: (state: ChaosState, what: string) => void,
): (what: string) => ChaosState {
  return (what) => {
    const now = state();
    onChange?.(now, what);
    return now;
  };
}

/** What an injected downstream fault is, e.g. "service-c: +300 ms latency, 20 % errors". */
export function describeDownstreamFault(
  target: DownstreamServiceName,
  fault: Readonly<InjectedFault>,
): string {
  return `${target}: +${fault.latencyMs} ms latency, ${Math.round(fault.errorRate * 100)} % errors`;
}

/** What the cascade did, e.g. "cascade: service-a slowed by 4000 ms". */
export function describeCascade(latencyMs: number): string {
  return `cascade: service-a slowed by ${latencyMs} ms`;
}
