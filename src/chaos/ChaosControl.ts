import type { LaneName } from '../domain/signal.js';
import type { DownstreamServiceName, InjectedFault } from '../services/downstream/ServiceBehaviour.js';

export type FaultName = 'downstream_latency' | 'downstream_errors' | 'queue_down' | 'cascade';

/** What chaos is in force, for /status, the andon and `chaos_active{fault}`. */
export interface ChaosState {
  downstream: Record<DownstreamServiceName, InjectedFault>;
  queueDown: boolean;
  cascade: boolean;
  active: FaultName[];
}

/** The faults a learner can inject; the embedded and distributed modes each implement it. */
export interface ChaosControl {
  injectDownstream(target: DownstreamServiceName, fault: Partial<InjectedFault>): Promise<ChaosState>;
  crashWorker(pool?: LaneName): Promise<{ pool: LaneName; worker: number; heldSignal?: string } | undefined>;
  queueDown(): Promise<ChaosState>;
  queueRecover(): Promise<ChaosState>;
  /** Slows service A past its callers' timeouts; the slowness spreads back through B and C until breakers stop it. */
  cascade(): Promise<ChaosState>;
  stopAll(): Promise<ChaosState>;
  state(): ChaosState;
}
