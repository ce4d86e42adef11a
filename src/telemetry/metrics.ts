import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Buckets of the queue-wait, processing and lead-time histograms; the SLO rules read lead time at 1 and 10 s. */
export const FLOW_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** prom-client defaults that are gauges named like counters (`_total`). */
const COUNTER_NAMED_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** An SLO as the `slo_*` gauges read it when scraped. */
export interface SloReading {
  name: string;
  errorBudgetRemaining: number;
  burnRates: Record<string, number>;
}

/** Every metric of the contract (DESIGN.md "Metric names"), on a registry of its own per running system. */
export function createMetrics(
  registry = new Registry(),
  /** Read at each scrape for the `slo_*` gauges. */
  slos: () => readonly SloReading[] = () => [],
) {
  collectDefaultMetrics({ register: registry });
  // prom-client names these three gauges like counters, which `promtool check metrics` reports; the by-type
  // gauges beside them (nodejs_active_handles{type} …) stay, and sum() over one gives the dropped total.
  for (const name of COUNTER_NAMED_GAUGES) registry.removeSingleMetric(name);
  const registers = [registry];
  return {
    registry,
    apiRequests: new Counter({
      name: 'api_requests_total',
      help: 'HTTP requests answered by the API',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    apiLatency: new Histogram({
      name: 'api_latency_seconds',
      help: 'Time the API took to answer',
      labelNames: ['method', 'route'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    signalsAccepted: new Counter({
      name: 'signals_accepted_total',
      help: 'Signals accepted by intake (202)',
      labelNames: ['lane'] as const,
      registers,
    }),
    signalsRejected: new Counter({
      name: 'signals_rejected_total',
      help: 'Signals refused by intake, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    signalsProcessed: new Counter({
      name: 'signals_processed_total',
      help: 'Signals that reached an outcome in a worker',
      labelNames: ['lane', 'outcome'] as const,
      registers,
    }),
    queueWait: new Histogram({
      name: 'signal_queue_wait_seconds',
      help: 'Time from acceptance to a worker starting the signal',
      labelNames: ['lane'] as const,
      buckets: FLOW_BUCKETS,
      registers,
    }),
    processing: new Histogram({
      name: 'signal_processing_seconds',
      help: 'Time a worker spent on one delivery of a signal',
      labelNames: ['lane'] as const,
      buckets: FLOW_BUCKETS,
      registers,
    }),
    leadTime: new Histogram({
      name: 'signal_lead_time_seconds',
      help: 'Time from acceptance to completion',
      labelNames: ['lane'] as const,
      buckets: FLOW_BUCKETS,
      registers,
    }),
    queueDepth: new Gauge({
      name: 'queue_depth',
      help: 'Signals waiting per lane',
      labelNames: ['lane'] as const,
      registers,
    }),
    queueCapacity: new Gauge({
      name: 'queue_capacity',
      help: 'Most signals a lane holds',
      labelNames: ['lane'] as const,
      registers,
    }),
    queueInflight: new Gauge({
      name: 'queue_inflight',
      help: 'Signals delivered and not yet acked per lane',
      labelNames: ['lane'] as const,
      registers,
    }),
    deadLetters: new Counter({
      name: 'dead_letter_total',
      help: 'Signals moved to the dead-letter lane',
      labelNames: ['lane'] as const,
      registers,
    }),
    poolSize: new Gauge({
      name: 'worker_pool_size',
      help: 'Workers per pool',
      labelNames: ['pool'] as const,
      registers,
    }),
    poolBusy: new Gauge({
      name: 'worker_pool_busy',
      help: 'Workers processing a signal',
      labelNames: ['pool'] as const,
      registers,
    }),
    workerRestarts: new Counter({
      name: 'worker_restarts_total',
      help: 'Crashed workers restarted by the supervisor',
      labelNames: ['pool'] as const,
      registers,
    }),
    poolScaleEvents: new Counter({
      name: 'worker_pool_scale_events_total',
      help: 'Autoscaling changes of a pool',
      labelNames: ['pool', 'direction'] as const,
      registers,
    }),
    breakerState: new Gauge({
      name: 'circuit_breaker_state',
      help: 'Breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['breaker'] as const,
      registers,
    }),
    breakerEvents: new Counter({
      name: 'circuit_breaker_events_total',
      help: 'Breaker transitions (event = the state entered) and calls refused while open (event = rejected)',
      labelNames: ['breaker', 'event'] as const,
      registers,
    }),
    downstreamLatency: new Histogram({
      name: 'downstream_latency_seconds',
      help: 'Latency of calls to downstream services, as the caller saw it',
      labelNames: ['service', 'outcome'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    andonLevel: new Gauge({
      name: 'andon_level',
      help: 'Station level: 0 green, 1 yellow, 2 red',
      labelNames: ['station'] as const,
      registers,
    }),
    chaosActive: new Gauge({
      name: 'chaos_active',
      help: 'Injected faults in force (1) or not (0)',
      labelNames: ['fault'] as const,
      registers,
    }),
    poolMax: new Gauge({
      name: 'worker_pool_max',
      help: 'Most workers a pool may grow to (its headroom is this minus worker_pool_size)',
      labelNames: ['pool'] as const,
      registers,
    }),
    sloErrorBudget: new Gauge({
      name: 'slo_error_budget_remaining',
      help: 'Share of the error budget of the last 6 h left: 1 untouched, 0 spent, below 0 overspent',
      labelNames: ['slo'] as const,
      registers,
      collect() {
        for (const slo of slos()) this.set({ slo: slo.name }, slo.errorBudgetRemaining);
      },
    }),
    sloBurnRate: new Gauge({
      name: 'slo_burn_rate',
      help: 'Error rate over the window divided by the one the SLO allows (1 spends the budget exactly)',
      labelNames: ['slo', 'window'] as const,
      registers,
      collect() {
        for (const slo of slos())
          for (const [window, rate] of Object.entries(slo.burnRates))
            this.set({ slo: slo.name, window }, rate);
      },
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
