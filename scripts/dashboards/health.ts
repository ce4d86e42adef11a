// The TPS System Health (with its SLO row) and Worker Pools dashboards, panel by panel. docs/observability.md
// describes every panel; test/deploy/dashboards.test.ts runs every query against a real Prometheus.
import {
  asLane,
  BOARD,
  BREAKER,
  BUDGET_STEPS,
  BUILT_IN_TRACES,
  FILL_STEPS,
  LANE,
  LEVELS,
  POOL,
  POOL_LANE,
  quantile,
  rate,
  RATE,
  SLOW_TRACES,
  UTILISATION_STEPS,
  type Item,
} from './spec.js';

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

export const systemHealth: Item[] = [
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

export const workerPools: Item[] = [
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
