import { LANES, type LaneName, type QueueMessage } from '../domain/signal.js';
import type { ProcessObserver, ProcessOutcome } from '../services/worker/signalProcessor.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Clock } from '../tps/clock.js';
import { Percentiles, RollingCounter, type PercentileSnapshot } from '../tps/kaizen/index.js';
import type { ServiceLevels } from './serviceLevels.js';

type CounterKey =
  | 'requests'
  | 'server_errors'
  | `calls:${string}`
  | `call_errors:${string}`
  | `accepted:${LaneName}`
  | `${ProcessOutcome | 'dead_lettered'}:${LaneName}`;

export interface FlowRates {
  intake_per_s: number;
  accepted_per_s: Record<LaneName, number>;
  completed_per_s: Record<LaneName, number>;
  /** Share of API answers that were 5xx over the last minute. */
  error_rate: number;
  requests_per_s: number;
}

export interface FlowPercentiles {
  intake: PercentileSnapshot;
  queue_wait: Record<LaneName, PercentileSnapshot>;
  processing: Record<LaneName, PercentileSnapshot>;
  lead_time: Record<LaneName, PercentileSnapshot>;
}

/** Health reports, left out of the API's request rate and 5xx share (the api station). */
const HEALTH_ROUTES = new Set(['/health', '/health/live']);

const perLane = <T>(make: (lane: LaneName) => T): Record<LaneName, T> =>
  Object.fromEntries(LANES.map((lane) => [lane, make(lane)])) as Record<LaneName, T>;

/** Kaizen's instruments for one running system: Prometheus metrics plus the HDR percentiles and rates /status shows. */
export class FlowStats implements ProcessObserver {
  private readonly counters: RollingCounter<CounterKey>;
  private readonly intake: Percentiles;
  private readonly queueWait: Record<LaneName, Percentiles>;
  private readonly processing: Record<LaneName, Percentiles>;
  private readonly leadTime: Record<LaneName, Percentiles>;

  constructor(
    private readonly metrics: Metrics,
    clock: Clock,
    private readonly slos?: ServiceLevels,
  ) {
    this.counters = new RollingCounter<CounterKey>(clock);
    this.intake = new Percentiles(clock);
    this.queueWait = perLane(() => new Percentiles(clock));
    this.processing = perLane(() => new Percentiles(clock));
    this.leadTime = perLane(() => new Percentiles(clock));
  }

  request(sample: { method: string; route: string; status: number; ms: number }): void {
    this.metrics.apiRequests.inc({ method: sample.method, route: sample.route, status: sample.status });
    this.metrics.apiLatency.observe({ method: sample.method, route: sample.route }, sample.ms / 1000);
    // A /health 503 reports a stopped line; counted as a refusal it would keep the api station red (and
    // every probe would add to it) after the line restarts.
    if (HEALTH_ROUTES.has(sample.route)) return;
    this.counters.add('requests');
    if (sample.status >= 500) this.counters.add('server_errors');
    if (sample.route === '/signal' && sample.method === 'POST') {
      this.intake.record(sample.ms);
      this.slos?.intakeAnswered(sample.status);
    }
  }

  accepted(lane: LaneName): void {
    this.metrics.signalsAccepted.inc({ lane });
    this.counters.add(`accepted:${lane}`);
  }

  rejected(reason: string): void {
    this.metrics.signalsRejected.inc({ reason });
  }

  started(message: QueueMessage, queueWaitMs: number): void {
    this.metrics.queueWait.observe({ lane: message.lane }, queueWaitMs / 1000);
    this.queueWait[message.lane].record(queueWaitMs);
  }

  finished(
    message: QueueMessage,
    outcome: ProcessOutcome,
    details: { processingMs: number; leadTimeMs?: number },
  ): void {
    const lane = message.lane;
    this.metrics.signalsProcessed.inc({ lane, outcome });
    this.counters.add(`${outcome}:${lane}`);
    if (details.processingMs > 0) {
      this.metrics.processing.observe({ lane }, details.processingMs / 1000);
      this.processing[lane].record(details.processingMs);
    }
    if (details.leadTimeMs !== undefined) {
      this.metrics.leadTime.observe({ lane }, details.leadTimeMs / 1000);
      this.leadTime[lane].record(details.leadTimeMs);
      if (outcome === 'completed') this.slos?.completed(lane, details.leadTimeMs);
    }
  }

  deadLettered(lane: LaneName): void {
    this.metrics.deadLetters.inc({ lane });
    this.metrics.signalsProcessed.inc({ lane, outcome: 'dead_lettered' });
    this.counters.add(`dead_lettered:${lane}`);
  }

  downstreamCall(service: string, ok: boolean): void {
    this.counters.add(`calls:${service}`);
    if (!ok) this.counters.add(`call_errors:${service}`);
  }

  downstreamErrorRate(service: string): number {
    return this.counters.ratio(`call_errors:${service}`, `calls:${service}`) ?? 0;
  }

  completedPerSecond(lane: LaneName): number {
    return this.counters.rate(`completed:${lane}`);
  }

  errorRate(): number {
    return this.counters.ratio('server_errors', 'requests') ?? 0;
  }

  rates(): FlowRates {
    const accepted = perLane((lane) => this.counters.rate(`accepted:${lane}`));
    return {
      intake_per_s: LANES.reduce((sum, lane) => sum + accepted[lane], 0),
      accepted_per_s: accepted,
      completed_per_s: perLane((lane) => this.counters.rate(`completed:${lane}`)),
      error_rate: this.errorRate(),
      requests_per_s: this.counters.rate('requests'),
    };
  }

  /** Merges the windowed HDR histograms: worth it when someone asks (/status), not on every andon tick. */
  percentiles(): FlowPercentiles {
    return {
      intake: this.intake.snapshot(),
      queue_wait: perLane((lane) => this.queueWait[lane].snapshot()),
      processing: perLane((lane) => this.processing[lane].snapshot()),
      lead_time: perLane((lane) => this.leadTime[lane].snapshot()),
    };
  }
}
