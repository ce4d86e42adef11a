// The vocabulary of the dashboards in scripts/dashboards/: a panel as data (title, description, queries, unit,
// colours, links), the datasources, the links to traces and logs, and the PromQL helpers. build.ts turns each
// item into Grafana's JSON model with the Grafana Foundation SDK.

/** The datasource uids of deploy/grafana/provisioning/datasources/datasources.yml. */
export const DATASOURCES = {
  prometheus: { type: 'prometheus', uid: 'prometheus' },
  jaeger: { type: 'jaeger', uid: 'jaeger' },
  loki: { type: 'loki', uid: 'loki' },
} as const;

export type Unit = 'percentunit' | 's' | 'short' | 'reqps' | 'bytes' | 'none';
export type Color = 'green' | 'yellow' | 'red' | 'blue';

export interface Target {
  expr: string;
  legend?: string;
}

export interface PanelSpec {
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
export type Item = PanelSpec | { row: string };

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
export const SLOW_TRACES = {
  title: 'Slow traces in Jaeger (over 1 s)',
  url: explore('jaeger', {
    queryType: 'search',
    service: 'tps-api',
    operation: 'POST /signal',
    minDuration: '1s',
  }),
};
export const TRACES = {
  title: 'Traces in Jaeger',
  url: explore('jaeger', { queryType: 'search', service: 'tps-worker' }),
};
/** Log lines at warn or above, of every service. */
export const WARN_LOGS_EXPR = '{service=~".+", level=~"warn|error|fatal"}';
export const WARN_LOGS = {
  title: 'Warnings in Loki (trace_id links to the trace)',
  url: explore('loki', { expr: WARN_LOGS_EXPR }),
};
/** The API's own pages on the host port of docker-compose.yml. */
export const BUILT_IN_TRACES = {
  title: 'Trace viewer of the API (/traces)',
  url: 'http://localhost:8080/traces',
};
export const BOARD = { title: 'Andon board (/board)', url: 'http://localhost:8080/board' };

// ---- query helpers ----

export const RATE = '$__rate_interval';
export const rate = (selector: string, by: string) => `sum by (${by}) (rate(${selector}[${RATE}]))`;
export const quantile = (q: number, metric: string, by: string, filter = '') =>
  `histogram_quantile(${q}, sum by (${by}, le) (rate(${metric}_bucket${filter}[${RATE}])))`;
export const mean = (metric: string, by: string, filter = '') =>
  `${rate(`${metric}_sum${filter}`, by)} / ${rate(`${metric}_count${filter}`, by)}`;
/** A pool's series joined to its lane's (pools and lanes share the names fast and slow). */
export const asLane = (expr: string) => `label_replace(${expr}, "lane", "$1", "pool", "(.*)")`;

export const LEVELS: PanelSpec['mappings'] = {
  0: ['green', 'green'],
  1: ['yellow', 'yellow'],
  2: ['red', 'red'],
};
export const BREAKER: PanelSpec['mappings'] = {
  0: ['closed', 'green'],
  1: ['half-open', 'yellow'],
  2: ['open', 'red'],
};
export const FILL_STEPS: PanelSpec['steps'] = [
  [null, 'blue'],
  [0.4, 'green'],
  [0.6, 'yellow'],
  [0.8, 'red'],
];
/** An error budget: red once spent, yellow below half. */
export const BUDGET_STEPS: PanelSpec['steps'] = [
  [null, 'red'],
  [0, 'yellow'],
  [0.5, 'green'],
];
export const UTILISATION_STEPS: PanelSpec['steps'] = [
  [null, 'blue'],
  [0.6, 'green'],
  [0.8, 'yellow'],
  [0.95, 'red'],
];
export const LANE = '{lane=~"$lane"}';
export const POOL = '{pool=~"$pool"}';
/** A lane's series on the Worker Pools dashboard, chosen by its $pool variable (pools and lanes share names). */
export const POOL_LANE = '{lane=~"$pool"}';
