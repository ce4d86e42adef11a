import type { ChaosControl } from '../../chaos/ChaosControl.js';
import type { Config } from '../../config/index.js';
import type { SignalRecord } from '../../domain/signal.js';
import type { DeadLetter } from '../../queue/WorkQueue.js';
import type { StatusStore } from '../../store/StatusStore.js';
import type { Metrics } from '../../telemetry/metrics.js';
import type { Line } from '../../tps/jidoka/index.js';
import type { Intake } from './Intake.js';
import type { SystemStatus } from '../../domain/status.js';
import type { Disposable } from '../../domain/disposable.js';
import type { AndonEvent } from '../../tps/andon/index.js';
import type { TraceDetail, TraceList, TraceQuery } from '../../domain/traces.js';
import type { RecordedSpan } from '../../tps/valuestream/index.js';
import type { LoadRunner } from '../../loadgen/LoadRunner.js';

export interface Health {
  healthy: boolean;
  checks: Record<string, string>;
  andon: { overall: string; red: string[]; yellow: string[] };
}

/** Everything the API needs from the running system; `buildApiApp` wires only this. */
export interface ApiDeps {
  config: Config;
  intake: Intake;
  store: StatusStore;
  line: Line;
  metrics: Metrics;
  chaos: ChaosControl;
  /** The board's load presets, run in this process against the API itself. */
  load: LoadRunner;
  status(): Promise<SystemStatus>;
  /** Brings the andon and the gauges up to date (before a scrape). */
  observe(): Promise<unknown>;
  /** Each andon event as it happens (the board's live stream); absent where no board runs. */
  onAndonEvent?: (listener: (event: AndonEvent) => void) => Disposable;
  health(): Promise<Health>;
  info(): Record<string, unknown>;
  deadLetters: {
    list(limit: number): Promise<DeadLetter[]>;
    replay(ids?: readonly string[]): Promise<DeadLetter[]>;
  };
  /** Called after every answer, for api_* metrics and intake percentiles. */
  /** Counts a refused intake request by reason, for signals_rejected_total. */
  rejected(reason: string): void;
  observeRequest(sample: { method: string; route: string; status: number; ms: number }): void;
  toView(record: SignalRecord): Record<string, unknown>;
  /** This process's recent traces; absent when none are kept (TRACE_BUFFER=0). */
  traces?: {
    list(query: TraceQuery): TraceList;
    get(traceId: string): TraceDetail | undefined;
    /** Takes a span another process recorded into its trace, if held (`POST /traces/spans`). */
    addForwarded?(traceId: string, span: RecordedSpan): boolean;
    /** The share of traces the buffer takes in now, for the processes that forward spans. */
    readonly forwardedShare?: number;
  };
}
