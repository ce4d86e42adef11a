// The Bottleneck Analysis and Capacity Planning dashboards, panel by panel. docs/observability.md describes every
// panel; test/deploy/dashboards.test.ts runs every query against a real Prometheus.
import {
  asLane,
  BUILT_IN_TRACES,
  LANE,
  mean,
  quantile,
  rate,
  RATE,
  SLOW_TRACES,
  TRACES,
  WARN_LOGS,
  WARN_LOGS_EXPR,
  type Item,
} from './spec.js';

export const bottleneck: Item[] = [
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

export const capacity: Item[] = [
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
