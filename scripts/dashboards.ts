// Writes the four Grafana dashboards, deploy/grafana/dashboards/*.json: `npx tsx scripts/dashboards.ts`.
// test/deploy/dashboards.test.ts checks the files are current and runs every panel's query against a real
// Prometheus scraping a running system. docs/observability.md describes every panel.
//
// Written as code, not exported from a Grafana UI: the queries sit next to each other in a readable form, the
// layout is computed, and every panel gets the same datasource, refresh and links. No dashboard library is
// used (grafana-foundation-sdk would do it) because the JSON model needed here is a few plain objects.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';

const DASHBOARD_DIR = fileURLToPath(new URL('../deploy/grafana/dashboards/', import.meta.url));

/** The datasource uids of deploy/grafana/provisioning/datasources/datasources.yml. */
const DATASOURCES = {
  prometheus: { type: 'prometheus', uid: 'prometheus' },
  jaeger: { type: 'jaeger', uid: 'jaeger' },
  loki: { type: 'loki', uid: 'loki' },
} as const;

type Unit = 'percentunit' | 's' | 'short' | 'reqps' | 'bytes' | 'none';
type Color = 'green' | 'yellow' | 'red' | 'blue';

interface Target {
  expr: string;
  legend?: string;
}

interface PanelSpec {
  title: string;
  description: string;
  type?: 'timeseries' | 'stat' | 'gauge' | 'state-timeline' | 'heatmap' | 'logs';
  targets: Target[];
  unit?: Unit;
  min?: number;
  max?: number;
  /** Colour steps: from each value upwards (the first from minus infinity). */
  steps?: [number | null, Color][];
  /** Value → text and colour, for levels and breaker states. */
  mappings?: Record<number, [string, Color]>;
  links?: { title: string; url: string }[];
  /** Width (of 24) and height; 8 × 8 by default. */
  w?: number;
  h?: number;
  datasource?: keyof typeof DATASOURCES;
}
type Item = PanelSpec | { row: string };

// ---- links: from a number to the traces and logs behind it ----

const explore = (datasource: keyof typeof DATASOURCES, query: Record<string, unknown>) =>
  '/explore?schemaVersion=1&orgId=1&panes=' +
  encodeURIComponent(
    JSON.stringify({
      tps: {
        datasource: DATASOURCES[datasource].uid,
        queries: [{ refId: 'A', datasource: DATASOURCES[datasource], ...query }],
        range: { from: 'now-1h', to: 'now' },
      },
    }),
  );
const SLOW_TRACES = {
  title: 'Slow traces in Jaeger (over 1 s)',
  url: explore('jaeger', {
    queryType: 'search',
    service: 'tps-api',
    operation: 'POST /signal',
    minDuration: '1s',
  }),
};
const TRACES = {
  title: 'Traces in Jaeger',
  url: explore('jaeger', { queryType: 'search', service: 'tps-worker' }),
};
/** Log lines at warn or above, of every service. */
const WARN_LOGS_EXPR = '{service=~".+", level=~"warn|error|fatal"}';
const WARN_LOGS = {
  title: 'Warnings in Loki (trace_id links to the trace)',
  url: explore('loki', { expr: WARN_LOGS_EXPR }),
};
/** The API's own pages on the host port of deploy/docker-compose.yml. */
const BUILT_IN_TRACES = { title: 'Trace viewer of the API (/traces)', url: 'http://localhost:8080/traces' };
const BOARD = { title: 'Andon board (/board)', url: 'http://localhost:8080/board' };

// ---- query helpers ----

const RATE = '$__rate_interval';
const rate = (selector: string, by: string) => `sum by (${by}) (rate(${selector}[${RATE}]))`;
const quantile = (q: number, metric: string, by: string, filter = '') =>
  `histogram_quantile(${q}, sum by (${by}, le) (rate(${metric}_bucket${filter}[${RATE}])))`;
const mean = (metric: string, by: string, filter = '') =>
  `${rate(`${metric}_sum${filter}`, by)} / ${rate(`${metric}_count${filter}`, by)}`;
/** A pool's series joined to its lane's (pools and lanes share the names fast and slow). */
const asLane = (expr: string) => `label_replace(${expr}, "lane", "$1", "pool", "(.*)")`;

const LEVELS: PanelSpec['mappings'] = { 0: ['green', 'green'], 1: ['yellow', 'yellow'], 2: ['red', 'red'] };
const BREAKER: PanelSpec['mappings'] = {
  0: ['closed', 'green'],
  1: ['half-open', 'yellow'],
  2: ['open', 'red'],
};
const FILL_STEPS: PanelSpec['steps'] = [
  [null, 'blue'],
  [0.4, 'green'],
  [0.6, 'yellow'],
  [0.8, 'red'],
];
/** An error budget: red once spent, yellow below half. */
const BUDGET_STEPS: PanelSpec['steps'] = [
  [null, 'red'],
  [0, 'yellow'],
  [0.5, 'green'],
];
const UTILISATION_STEPS: PanelSpec['steps'] = [
  [null, 'blue'],
  [0.6, 'green'],
  [0.8, 'yellow'],
  [0.95, 'red'],
];
const LANE = '{lane=~"$lane"}';
const POOL = '{pool=~"$pool"}';
/** A lane's series on the Worker Pools dashboard, chosen by its $pool variable (pools and lanes share names). */
const POOL_LANE = '{lane=~"$pool"}';

// ---- the dashboards ----

const sloRow: Item[] = [
  { row: 'SLOs and error budgets' },
  {
    title: 'Error budget left (last 6 h, in process)',
    description:
      'slo_error_budget_remaining: 100 % untouched, 0 spent, below 0 overspent. The lowest over the processes, ' +
      'since a process that sees none of an SLO’s events reports a whole budget.',
    type: 'stat',
    targets: [{ expr: 'min by (slo) (slo_error_budget_remaining)', legend: '{{slo}}' }],
    unit: 'percentunit',
    steps: BUDGET_STEPS,
    w: 6,
  },
  {
    title: 'Burn rate (in process)',
    description:
      'slo_burn_rate: the error rate over 5 m, 1 h and 6 h divided by the one the target allows. 1 spends the budget ' +
      'exactly over its period; the page alerts start at 14.4 (1 h) and 6 (6 h).',
    targets: [{ expr: 'max by (slo, window) (slo_burn_rate)', legend: '{{slo}} {{window}}' }],
    unit: 'none',
    steps: [
      [null, 'green'],
      [1, 'yellow'],
      [6, 'red'],
    ],
    w: 6,
  },
  {
    title: 'SLI error ratio (Prometheus rules, 5 m and 1 h)',
    description:
      'slo:sli_error:ratio_rate5m and _rate1h of deploy/prometheus/rules/slo.rules.yml: the share of bad events, ' +
      'which the burn-rate alerts compare with 14.4 × and 6 × the budget.',
    targets: [
      { expr: 'slo:sli_error:ratio_rate5m', legend: '{{sloth_slo}} 5m' },
      { expr: 'slo:sli_error:ratio_rate1h', legend: '{{sloth_slo}} 1h' },
    ],
    unit: 'percentunit',
    w: 6,
  },
  {
    title: 'Error budget left (30 days, Prometheus rules)',
    description:
      'slo:period_error_budget_remaining:ratio: the budget of the 30-day period left, from the recorded 5 m ratios.',
    type: 'stat',
    targets: [{ expr: 'slo:period_error_budget_remaining:ratio', legend: '{{sloth_slo}}' }],
    unit: 'percentunit',
    steps: BUDGET_STEPS,
    w: 6,
  },
  {
    title: 'Alerts pending and firing',
    description:
      'Prometheus’s ALERTS series: each alert of deploy/prometheus/rules/ that is pending or firing now.',
    type: 'state-timeline',
    targets: [{ expr: 'max by (alertname, alertstate) (ALERTS)', legend: '{{alertname}} {{alertstate}}' }],
    w: 24,
    h: 6,
  },
];

const systemHealth: Item[] = [
  { row: 'Andon' },
  {
    title: 'Andon: worst station',
    description: 'The worst andon level of all stations (andon_level): green, yellow or red.',
    type: 'stat',
    targets: [{ expr: 'max(andon_level)' }],
    mappings: LEVELS,
    w: 4,
  },
  {
    title: 'Stations',
    description: 'Every andon station over time; the board at /board says why a station is not green.',
    type: 'state-timeline',
    targets: [{ expr: 'max by (station) (andon_level)', legend: '{{station}}' }],
    mappings: LEVELS,
    links: [BOARD],
    w: 20,
  },
  { row: 'Jidoka: breakers' },
  {
    title: 'Breaker states',
    description: 'circuit_breaker_state per breaker: closed, half-open (probing) or open (failing fast).',
    type: 'state-timeline',
    targets: [{ expr: 'max by (breaker) (circuit_breaker_state)', legend: '{{breaker}}' }],
    mappings: BREAKER,
    w: 12,
  },
  {
    title: 'Breaker transitions and refusals',
    description:
      'circuit_breaker_events_total: transitions (open, half_open, closed) and calls refused while open.',
    targets: [
      {
        expr: `sum by (breaker, event) (increase(circuit_breaker_events_total[${RATE}]))`,
        legend: '{{breaker}} {{event}}',
      },
    ],
    unit: 'short',
    w: 12,
  },
  { row: 'Kanban: lanes' },
  {
    title: 'Queue depth and capacity',
    description:
      'Signals waiting per lane (queue_depth) against the lane bound MAX_QUEUE_DEPTH (queue_capacity).',
    targets: [
      { expr: `sum by (lane) (queue_depth${LANE})`, legend: '{{lane}} waiting' },
      { expr: `max by (lane) (queue_capacity${LANE})`, legend: '{{lane}} capacity' },
    ],
    unit: 'short',
  },
  {
    title: 'Lane fill',
    description: 'queue_depth / queue_capacity: 40–60 % is a steady flow; above 80 % for 5 minutes alerts.',
    type: 'gauge',
    targets: [{ expr: `max by (lane) (queue_depth${LANE} / queue_capacity${LANE})`, legend: '{{lane}}' }],
    unit: 'percentunit',
    min: 0,
    max: 1,
    steps: FILL_STEPS,
  },
  {
    title: 'In flight and dead letters',
    description:
      'Signals delivered and not yet acked (queue_inflight), and signals moved to the dead-letter lane (dead_letter_total).',
    targets: [
      { expr: `sum by (lane) (queue_inflight${LANE})`, legend: '{{lane}} in flight' },
      {
        expr: `sum by (lane) (increase(dead_letter_total${LANE}[${RATE}]))`,
        legend: '{{lane}} dead-lettered',
      },
    ],
    unit: 'short',
  },
  { row: 'Heijunka: workers' },
  {
    title: 'Worker utilisation',
    description: 'worker_pool_busy / worker_pool_size per pool: 60–80 % is the healthy band.',
    type: 'gauge',
    targets: [
      { expr: 'sum by (pool) (worker_pool_busy) / sum by (pool) (worker_pool_size)', legend: '{{pool}}' },
    ],
    unit: 'percentunit',
    min: 0,
    max: 1,
    steps: UTILISATION_STEPS,
  },
  {
    title: 'Throughput: accepted and completed',
    description: 'Signals accepted by intake and completed by the workers, per second and lane.',
    targets: [
      { expr: rate(`signals_accepted_total${LANE}`, 'lane'), legend: '{{lane}} accepted' },
      {
        expr: rate(`signals_processed_total{lane=~"$lane",outcome="completed"}`, 'lane'),
        legend: '{{lane}} completed',
      },
    ],
    unit: 'reqps',
  },
  {
    title: 'Error rate and refusals',
    description:
      'The share of API answers that were 5xx, and intake refusals per second by reason (signals_rejected_total).',
    targets: [
      {
        expr:
          `(sum(rate(api_requests_total{status=~"5.."}[${RATE}])) or vector(0))` +
          ` / sum(rate(api_requests_total[${RATE}]))`,
        legend: '5xx share',
      },
      { expr: rate('signals_rejected_total', 'reason'), legend: 'refused: {{reason}}' },
    ],
    unit: 'short',
  },
  { row: 'Latency' },
  {
    title: 'Intake latency (POST /signal)',
    description: 'p50, p90 and p99 of the time the API took to answer POST /signal (api_latency_seconds).',
    targets: [0.5, 0.9, 0.99].map((q) => ({
      expr: `histogram_quantile(${q}, sum by (le) (rate(api_latency_seconds_bucket{method="POST",route="/signal"}[${RATE}])))`,
      legend: `p${q * 100}`,
    })),
    unit: 's',
    links: [SLOW_TRACES],
  },
  {
    title: 'Lead time p99 by lane',
    description:
      'From acceptance to completion (signal_lead_time_seconds); the SLOs ask for 1 s (fast) and 10 s (slow).',
    targets: [{ expr: quantile(0.99, 'signal_lead_time_seconds', 'lane', LANE), legend: '{{lane}} p99' }],
    unit: 's',
    links: [SLOW_TRACES, BUILT_IN_TRACES],
  },
  {
    title: 'Lead time distribution',
    description:
      'How many signals completed in each lead-time bucket: a band that climbs is a queue building up.',
    type: 'heatmap',
    targets: [
      { expr: `sum by (le) (increase(signal_lead_time_seconds_bucket${LANE}[${RATE}]))`, legend: '{{le}}' },
    ],
    unit: 's',
    links: [SLOW_TRACES],
  },
  ...sloRow,
];

const workerPools: Item[] = [
  { row: 'Pools: busy and idle' },
  {
    title: 'Pool size, busy and idle',
    description:
      'Workers per pool (worker_pool_size), those processing a signal (busy) and those waiting (idle).',
    targets: [
      { expr: `sum by (pool) (worker_pool_size${POOL})`, legend: '{{pool}} size' },
      { expr: `sum by (pool) (worker_pool_busy${POOL})`, legend: '{{pool}} busy' },
      {
        expr: `sum by (pool) (worker_pool_size${POOL}) - sum by (pool) (worker_pool_busy${POOL})`,
        legend: '{{pool}} idle',
      },
    ],
    unit: 'short',
  },
  {
    title: 'Utilisation',
    description: 'Busy / size: 60–80 % is healthy; near 100 % the pool is the bottleneck and should grow.',
    type: 'gauge',
    targets: [
      {
        expr: `sum by (pool) (worker_pool_busy${POOL}) / sum by (pool) (worker_pool_size${POOL})`,
        legend: '{{pool}}',
      },
    ],
    unit: 'percentunit',
    min: 0,
    max: 1,
    steps: UTILISATION_STEPS,
  },
  {
    title: 'Headroom: workers a pool may still add',
    description: 'worker_pool_max − worker_pool_size: 0 means autoscaling has nothing left to give.',
    type: 'stat',
    targets: [
      {
        expr: `sum by (pool) (worker_pool_max${POOL}) - sum by (pool) (worker_pool_size${POOL})`,
        legend: '{{pool}}',
      },
    ],
    unit: 'short',
    steps: [
      [null, 'red'],
      [1, 'yellow'],
      [4, 'green'],
    ],
  },
  { row: 'Each pool’s lane' },
  {
    title: 'Queue per pool',
    description: 'The signals waiting in and taken from the lane each pool pulls from.',
    targets: [
      { expr: `sum by (lane) (queue_depth${POOL_LANE})`, legend: '{{lane}} waiting' },
      { expr: `sum by (lane) (queue_inflight${POOL_LANE})`, legend: '{{lane}} in flight' },
    ],
    unit: 'short',
  },
  {
    title: 'Queue wait p90',
    description: 'Time from acceptance until a worker starts the signal (signal_queue_wait_seconds).',
    targets: [{ expr: quantile(0.9, 'signal_queue_wait_seconds', 'lane', POOL_LANE), legend: '{{lane}}' }],
    unit: 's',
  },
  {
    title: 'Processing time p50 / p99',
    description:
      'Time a worker spends on one delivery (signal_processing_seconds): work plus the downstream chain.',
    targets: [
      { expr: quantile(0.5, 'signal_processing_seconds', 'lane', POOL_LANE), legend: '{{lane}} p50' },
      {
        expr: quantile(0.99, 'signal_processing_seconds', 'lane', POOL_LANE),
        legend: '{{lane}} p99',
      },
    ],
    unit: 's',
    links: [SLOW_TRACES],
  },
  { row: 'Fast vs slow' },
  {
    title: 'Outcomes per second',
    description:
      'signals_processed_total by lane and outcome: completed, retried, failed, expired, dead_lettered.',
    targets: [
      {
        expr: rate(`signals_processed_total${POOL_LANE}`, 'lane, outcome'),
        legend: '{{lane}} {{outcome}}',
      },
    ],
    unit: 'reqps',
  },
  {
    title: 'Completed per worker',
    description: 'Completions per second divided by pool size: what one worker of each pool delivers.',
    targets: [
      {
        expr:
          `${rate('signals_processed_total{lane=~"$pool",outcome="completed"}', 'lane')}` +
          ` / on (lane) ${asLane(`sum by (pool) (worker_pool_size${POOL})`)}`,
        legend: '{{lane}}',
      },
    ],
    unit: 'reqps',
  },
  {
    title: 'Restarts and scaling',
    description:
      'Crashed workers restarted (worker_restarts_total) and autoscaling steps (worker_pool_scale_events_total).',
    targets: [
      {
        expr: `sum by (pool) (increase(worker_restarts_total${POOL}[${RATE}]))`,
        legend: '{{pool}} restarts',
      },
      {
        expr: `sum by (pool, direction) (increase(worker_pool_scale_events_total${POOL}[${RATE}]))`,
        legend: '{{pool}} scaled {{direction}}',
      },
    ],
    unit: 'short',
  },
];

const bottleneck: Item[] = [
  { row: 'Where the lead time goes' },
  {
    title: 'Lead time by stage (p90)',
    description:
      'Queue wait, processing and the whole lead time per lane: the stage closest to the lead time is the bottleneck.',
    targets: [
      { expr: quantile(0.9, 'signal_queue_wait_seconds', 'lane', LANE), legend: '{{lane}} queue wait' },
      { expr: quantile(0.9, 'signal_processing_seconds', 'lane', LANE), legend: '{{lane}} processing' },
      { expr: quantile(0.9, 'signal_lead_time_seconds', 'lane', LANE), legend: '{{lane}} lead time' },
    ],
    unit: 's',
    links: [SLOW_TRACES, BUILT_IN_TRACES],
    w: 12,
  },
  {
    title: 'Mean wait vs work',
    description: 'Mean queue wait and mean processing time per lane, from the histograms’ sums and counts.',
    targets: [
      { expr: mean('signal_queue_wait_seconds', 'lane', LANE), legend: '{{lane}} wait' },
      { expr: mean('signal_processing_seconds', 'lane', LANE), legend: '{{lane}} work' },
    ],
    unit: 's',
    w: 6,
  },
  {
    title: 'Process-cycle efficiency',
    description: 'Mean work / mean lead time: the share of a signal’s life spent being worked on.',
    type: 'stat',
    targets: [
      {
        expr: `(${mean('signal_processing_seconds', 'lane', LANE)}) / (${mean('signal_lead_time_seconds', 'lane', LANE)})`,
        legend: '{{lane}}',
      },
    ],
    unit: 'percentunit',
    w: 6,
  },
  { row: 'Services and the database' },
  {
    title: 'Downstream latency by service (p50 / p99)',
    description:
      'downstream_latency_seconds as the caller saw it: service C includes B and A behind it, so the gap between ' +
      'two services is the time spent in the nearer one.',
    targets: [
      { expr: quantile(0.5, 'downstream_latency_seconds', 'service'), legend: '{{service}} p50' },
      { expr: quantile(0.99, 'downstream_latency_seconds', 'service'), legend: '{{service}} p99' },
    ],
    unit: 's',
    links: [SLOW_TRACES],
    w: 12,
  },
  {
    title: 'Database time (service A)',
    description: 'Latency of service A, "the database" at the end of the chain, p50 and p99.',
    targets: [
      {
        expr: quantile(0.5, 'downstream_latency_seconds', 'service', '{service="service-a"}'),
        legend: 'p50',
      },
      {
        expr: quantile(0.99, 'downstream_latency_seconds', 'service', '{service="service-a"}'),
        legend: 'p99',
      },
    ],
    unit: 's',
    links: [SLOW_TRACES],
    w: 6,
  },
  {
    title: 'Downstream calls by outcome',
    description: 'Calls per second to each service by outcome: anything but ok counts against its breaker.',
    targets: [
      {
        expr: rate('downstream_latency_seconds_count', 'service, outcome'),
        legend: '{{service}} {{outcome}}',
      },
    ],
    unit: 'reqps',
    w: 6,
  },
  { row: 'API and process' },
  {
    title: 'API latency by route (p99)',
    description:
      'api_latency_seconds per route: intake should answer in milliseconds whatever the workers do.',
    targets: [{ expr: quantile(0.99, 'api_latency_seconds', 'route'), legend: '{{route}}' }],
    unit: 's',
    w: 12,
  },
  {
    title: 'Event-loop lag (p99)',
    description:
      'How late Node’s event loop runs (nodejs_eventloop_lag_p99_seconds): above 50 ms the process itself is the bottleneck.',
    targets: [{ expr: 'max by (job, instance) (nodejs_eventloop_lag_p99_seconds)', legend: '{{instance}}' }],
    unit: 's',
    w: 12,
  },
  {
    title: 'Warnings and errors with their trace',
    description:
      'Log lines at warn or above from Loki; each line about a signal carries trace_id, which links to its trace in Jaeger.',
    type: 'logs',
    datasource: 'loki',
    // level is a stream label (promtail turns pino's number into its name); trace_id is structured metadata.
    targets: [{ expr: WARN_LOGS_EXPR }],
    links: [WARN_LOGS, TRACES],
    w: 24,
    h: 10,
  },
];

const capacity: Item[] = [
  { row: 'Load' },
  {
    title: 'Arrivals and completions',
    description:
      'Signals accepted and completed per second over all lanes: completions below arrivals build a backlog.',
    targets: [
      { expr: `sum(rate(signals_accepted_total[${RATE}]))`, legend: 'accepted' },
      { expr: `sum(rate(signals_processed_total{outcome="completed"}[${RATE}]))`, legend: 'completed' },
    ],
    unit: 'reqps',
  },
  {
    title: 'Requests by status',
    description: 'API answers per second by HTTP status: 202 accepted, 429 lane full, 503 line stopped.',
    targets: [{ expr: rate('api_requests_total', 'status'), legend: '{{status}}' }],
    unit: 'reqps',
  },
  {
    title: 'Backlog trend',
    description: 'How fast each lane’s queue grows (positive) or drains (negative), in signals per second.',
    targets: [{ expr: `sum by (lane) (deriv(queue_depth${LANE}[${RATE}]))`, legend: '{{lane}}' }],
    unit: 'short',
  },
  { row: 'Headroom' },
  {
    title: 'Capacity at the pool maximum vs arrivals',
    description:
      'What each pool could complete per second at its maximum size (worker_pool_max / mean processing time) ' +
      'against what arrives: the ratio is the headroom.',
    targets: [
      {
        expr:
          `${asLane('sum by (pool) (worker_pool_max)')}` +
          ` / on (lane) (${mean('signal_processing_seconds', 'lane')})`,
        legend: '{{lane}} capacity',
      },
      { expr: rate('signals_accepted_total', 'lane'), legend: '{{lane}} arrivals' },
    ],
    unit: 'reqps',
  },
  {
    title: 'Work in the system (Little’s law)',
    description: 'Arrival rate × mean lead time per lane: the signals in the system on average.',
    targets: [
      {
        expr: `${rate('signals_accepted_total', 'lane')} * on (lane) (${mean('signal_lead_time_seconds', 'lane')})`,
        legend: '{{lane}}',
      },
    ],
    unit: 'short',
  },
  {
    title: 'Pool size and scaling steps',
    description: 'Workers per pool next to the autoscaler’s steps up and down.',
    targets: [
      { expr: 'sum by (pool) (worker_pool_size)', legend: '{{pool}} size' },
      { expr: 'sum by (pool) (worker_pool_max)', legend: '{{pool}} max' },
      {
        expr: `sum by (pool, direction) (increase(worker_pool_scale_events_total[${RATE}]))`,
        legend: '{{pool}} scaled {{direction}}',
      },
    ],
    unit: 'short',
  },
  { row: 'Resources' },
  {
    title: 'CPU per process',
    description: 'CPU seconds per second (process_cpu_seconds_total): 1 is one core busy.',
    targets: [
      { expr: `sum by (instance) (rate(process_cpu_seconds_total[${RATE}]))`, legend: '{{instance}}' },
    ],
    unit: 'none',
  },
  {
    title: 'Memory per process',
    description: 'Resident memory and the V8 heap in use.',
    targets: [
      { expr: 'sum by (instance) (process_resident_memory_bytes)', legend: '{{instance}} resident' },
      { expr: 'sum by (instance) (nodejs_heap_size_used_bytes)', legend: '{{instance}} heap' },
    ],
    unit: 'bytes',
  },
  {
    title: 'Faults injected',
    description:
      'chaos_active: faults in force while the figures above were taken, so a dip is not mistaken for a trend.',
    type: 'state-timeline',
    targets: [{ expr: 'max by (fault) (chaos_active)', legend: '{{fault}}' }],
    mappings: { 0: ['off', 'green'], 1: ['on', 'red'] },
  },
];

export const DASHBOARDS = [
  { uid: 'tps-system-health', title: 'TPS System Health', items: systemHealth, vars: ['lane'] },
  { uid: 'tps-worker-pools', title: 'Worker Pools', items: workerPools, vars: ['pool'] },
  { uid: 'tps-bottleneck-analysis', title: 'Bottleneck Analysis', items: bottleneck, vars: ['lane'] },
  { uid: 'tps-capacity-planning', title: 'Capacity Planning', items: capacity, vars: ['lane'] },
] as const;

// ---- the Grafana JSON model ----

const VARIABLES = {
  lane: { label: 'Lane', query: 'label_values(queue_depth, lane)' },
  pool: { label: 'Pool', query: 'label_values(worker_pool_size, pool)' },
} as const;

function variable(name: keyof typeof VARIABLES) {
  const { label, query } = VARIABLES[name];
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCES.prometheus,
    definition: query,
    query: { query, refId: name },
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { text: 'All', value: '$__all' },
    sort: 1,
  };
}

function panel(spec: PanelSpec, id: number, gridPos: object) {
  const type = spec.type ?? 'timeseries';
  const datasource = DATASOURCES[spec.datasource ?? 'prometheus'];
  const mappings = spec.mappings
    ? [
        {
          type: 'value',
          options: Object.fromEntries(
            Object.entries(spec.mappings).map(([value, [text, color]], index) => [
              value,
              { text, color, index },
            ]),
          ),
        },
      ]
    : [];
  const steps = (spec.steps ?? [[null, 'green']]).map(([value, color]) => ({ value, color }));
  return {
    id,
    type,
    title: spec.title,
    description: spec.description,
    datasource,
    gridPos,
    targets: spec.targets.map((target, index) => ({
      refId: String.fromCharCode(65 + index),
      datasource,
      expr: target.expr,
      ...(target.legend ? { legendFormat: target.legend } : {}),
      ...(type === 'heatmap' ? { format: 'heatmap' } : {}),
    })),
    ...(type === 'logs'
      ? { options: { showTime: true, wrapLogMessage: true, enableLogDetails: true, sortOrder: 'Descending' } }
      : {
          fieldConfig: {
            defaults: {
              ...(spec.unit ? { unit: spec.unit } : {}),
              ...(spec.min === undefined ? {} : { min: spec.min }),
              ...(spec.max === undefined ? {} : { max: spec.max }),
              mappings,
              thresholds: { mode: 'absolute', steps },
              color: { mode: spec.steps || spec.mappings ? 'thresholds' : 'palette-classic' },
            },
            overrides: [],
          },
          options: {
            legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
            tooltip: { mode: 'multi', sort: 'desc' },
            ...(type === 'stat'
              ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false } }
              : {}),
            ...(type === 'heatmap' ? { calculate: false, yAxis: { unit: spec.unit } } : {}),
          },
        }),
    ...(spec.links ? { links: spec.links.map((link) => ({ ...link, targetBlank: true })) } : {}),
  };
}

/** Lays the items out left to right in rows of 24 columns; a row header starts a new line. */
function layout(items: readonly Item[]) {
  const panels: object[] = [];
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  items.forEach((item, index) => {
    const id = index + 1;
    if ('row' in item) {
      y += lineHeight;
      panels.push({
        id,
        type: 'row',
        title: item.row,
        collapsed: false,
        gridPos: { x: 0, y, w: 24, h: 1 },
        panels: [],
      });
      y += 1;
      x = 0;
      lineHeight = 0;
      return;
    }
    const w = item.w ?? 8;
    const h = item.h ?? 8;
    if (x + w > 24) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    panels.push(panel(item, id, { x, y, w, h }));
    x += w;
    lineHeight = Math.max(lineHeight, h);
  });
  return panels;
}

function dashboardJson(dashboard: (typeof DASHBOARDS)[number]) {
  return {
    uid: dashboard.uid,
    title: dashboard.title,
    description:
      'TPS Reference System, generated by scripts/dashboards.ts; docs/observability.md describes each panel.',
    tags: ['tps'],
    editable: true,
    graphTooltip: 1,
    refresh: '5s',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-30m', to: 'now' },
    timepicker: { refresh_intervals: ['5s', '10s', '30s', '1m', '5m'] },
    timezone: 'browser',
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    links: [
      {
        title: 'TPS dashboards',
        type: 'dashboards',
        tags: ['tps'],
        asDropdown: true,
        includeVars: true,
        keepTime: true,
      },
      ...[TRACES, WARN_LOGS, BOARD].map((link) => ({
        ...link,
        type: 'link',
        targetBlank: true,
        icon: 'external link',
      })),
    ],
    templating: { list: dashboard.vars.map(variable) },
    panels: layout(dashboard.items),
  };
}

export const dashboardFile = (uid: string) => `${DASHBOARD_DIR}${uid}.json`;
/** The file's text, formatted as `npm run format` would leave it. */
export const dashboardText = async (dashboard: (typeof DASHBOARDS)[number]) => {
  const file = dashboardFile(dashboard.uid);
  return format(JSON.stringify(dashboardJson(dashboard)), { ...(await resolveConfig(file)), filepath: file });
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const dashboard of DASHBOARDS) {
    writeFileSync(dashboardFile(dashboard.uid), await dashboardText(dashboard));
    console.log(`wrote ${dashboardFile(dashboard.uid)}`);
  }
}
