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

/** Which worker died: in the embedded mode a worker of a pool, in the distributed mode a process (its pid). */
export interface CrashedWorker {
  pool: LaneName;
  worker: number;
  /** Every signal it held when it died: none or one for a worker of a pool, one per busy worker for a process. */
  heldSignals: string[];
  /** How it died, e.g. "SIGKILL". */
  how?: string;
}

/** The faults a learner can inject; the embedded and distributed modes each implement it. */
export interface ChaosControl {
  injectDownstream(target: DownstreamServiceName, fault: Partial<InjectedFault>): Promise<ChaosState>;
  crashWorker(pool?: LaneName): Promise<CrashedWorker | undefined>;
  queueDown(): Promise<ChaosState>;
  queueRecover(): Promise<ChaosState>;
  /** Slows service A past its callers' timeouts; the slowness spreads back through B and C until breakers stop it. */
  cascade(): Promise<ChaosState>;
  stopAll(): Promise<ChaosState>;
  state(): ChaosState;
}
