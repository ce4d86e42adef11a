// Writes the Prometheus SLO rules, deploy/prometheus/rules/slo.rules.yml, from the SLO settings in
// src/config/spec.ts: `npx tsx scripts/sloRules.ts`, or `SLO_FAST_LEAD_MS=2500 npx tsx scripts/sloRules.ts` with a
// deployment's own values. test/deploy/promRules.test.ts checks the shipped file has the defaults.
//
// Sloth's naming and layout (https://sloth.dev), written here instead of running Sloth: it is a Go binary with no
// Debian package, and three SLOs fit in a page of code. Per SLO: the error ratio over 5m … 3d
// (`slo:sli_error:ratio_rate<window>`) and over the 30-day period, the objective and budget, and multiwindow,
// multi-burn-rate alerts (the Google SRE workbook's four pairs) with a guard against paging on low traffic.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadConfig } from '../src/config/index.js';
import { LANES, type LaneName } from '../src/domain/signal.js';
import { AVAILABILITY_SLO, leadTimeObjectives, leadTimeSloName } from '../src/system/serviceLevels.js';
import { FLOW_BUCKETS } from '../src/telemetry/metrics.js';
import { PAGE_BURN_RATE } from '../src/tps/kaizen/index.js';

export const RULES_FILE = fileURLToPath(new URL('../deploy/prometheus/rules/slo.rules.yml', import.meta.url));

const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
type Window = (typeof SLI_WINDOWS)[number];

/** Fewer events than this in the guard window and a burn-rate alert stays quiet: one bad event would be ≥ 1 %. */
const MIN_EVENTS = 100;

interface BurnPair {
  long: Window;
  short: Window;
  factor: number;
}
/** Page: 2 % of a 30-day budget in 1 h, or 5 % in 6 h. Ticket: 10 % in 1 d (3×), or 10 % in 3 d (1×). */
const ALERTS = {
  page: {
    pairs: [
      { long: '1h', short: '5m', factor: PAGE_BURN_RATE },
      { long: '6h', short: '30m', factor: 6 },
    ],
    guard: '1h',
  },
  ticket: {
    pairs: [
      { long: '1d', short: '2h', factor: 3 },
      { long: '3d', short: '6h', factor: 1 },
    ],
    guard: '6h',
  },
} as const satisfies Record<string, { pairs: BurnPair[]; guard: Window }>;
type Severity = keyof typeof ALERTS;

interface PromSlo {
  /** sloth_slo, the same name as the in-process SLO and its `slo` label. */
  slo: string;
  objective: number;
  description: string;
  /** The error ratio over a window, and the count of events. */
  errorRatio: (window: string) => string;
  events: (window: string) => string;
}

const INTAKE = 'api_requests_total{method="POST",route="/signal"';

/**
 * Lead times within the objective are the histogram bucket at the threshold, so the threshold must be one of
 * the buckets of signal_lead_time_seconds (1 and 10 s are): with another SLO_*_LEAD_MS, pick a bucket here.
 */
const leadTimeSlo = (lane: LaneName, thresholdMs: number, objective: number): PromSlo => {
  const le = String(thresholdMs / 1000);
  if (!FLOW_BUCKETS.includes(thresholdMs / 1000)) {
    throw new Error(
      `SLO_${lane.toUpperCase()}_LEAD_MS=${thresholdMs} is no bucket of signal_lead_time_seconds ` +
        `(${FLOW_BUCKETS.join(', ')} s): Prometheus can only count lead times within a bucket's bound`,
    );
  }
  return {
    slo: leadTimeSloName(lane),
    objective,
    description: `${objective * 100} % of completed ${lane}-lane signals within ${le} s lead time`,
    errorRatio: (w) =>
      `1 - (\n  sum(rate(signal_lead_time_seconds_bucket{lane="${lane}",le="${le}"}[${w}]))\n  /\n` +
      `  sum(rate(signal_lead_time_seconds_count{lane="${lane}"}[${w}]))\n)`,
    events: (w) => `sum(increase(signal_lead_time_seconds_count{lane="${lane}"}[${w}]))`,
  };
};

/**
 * The SLOs as Prometheus sees them, from the SLO settings of `env` (the defaults when empty): the rules are
 * static, so a deployment that sets SLO_* differently regenerates them with its values.
 */
function promSlos(env: NodeJS.ProcessEnv = {}): PromSlo[] {
  const config = loadConfig(env);
  const lead = leadTimeObjectives(config);
  return [
    {
      slo: AVAILABILITY_SLO,
      objective: config.sloAvailabilityTarget,
      description: `${config.sloAvailabilityTarget * 100} % of POST /signal answered without a 5xx (4xx not counted)`,
      // `or vector(0)`: with no 5xx yet there is no 5xx series, and the ratio must read 0, not nothing.
      errorRatio: (w) =>
        `(sum(rate(${INTAKE},status=~"5.."}[${w}])) or vector(0))\n/\n` +
        `sum(rate(${INTAKE},status=~"2..|5.."}[${w}]))`,
      events: (w) => `sum(increase(${INTAKE},status=~"2..|5.."}[${w}]))`,
    },
    ...LANES.map((lane) => leadTimeSlo(lane, lead[lane].ms, lead[lane].target)),
  ];
}

const SERVICE = 'tps';
const camel = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_m, _dash: string, letter: string) => letter.toUpperCase());
const alertName = (slo: string, severity: Severity) =>
  `Tps${camel(slo)}BudgetBurn${severity === 'page' ? 'Page' : 'Ticket'}`;
/** Decimal text of a share without binary noise: 1 - 0.999 is 0.001, not 0.0010000000000000009. */
const decimal = (n: number) => String(Number(n.toPrecision(10)));

function groupsOf(spec: PromSlo) {
  const labels = { sloth_id: `${SERVICE}-${spec.slo}`, sloth_service: SERVICE, sloth_slo: spec.slo };
  const selector = `{sloth_id="${labels.sloth_id}", sloth_service="${SERVICE}", sloth_slo="${spec.slo}"}`;
  const budget = decimal(1 - spec.objective);
  const onSlo = 'on(sloth_id, sloth_service, sloth_slo)';
  const burnAbove = (pair: BurnPair) =>
    `  (\n    max(slo:sli_error:ratio_rate${pair.short}${selector} > (${pair.factor} * ${budget})) without (sloth_window)\n` +
    `    and\n    max(slo:sli_error:ratio_rate${pair.long}${selector} > (${pair.factor} * ${budget})) without (sloth_window)\n  )`;
  const alert = (severity: Severity) => {
    const { pairs, guard } = ALERTS[severity];
    return {
      alert: alertName(spec.slo, severity),
      expr:
        `(\n${pairs.map(burnAbove).join('\n  or\n')}\n)\n` +
        `and ${onSlo}\nslo:sli_events:increase${guard}${selector} >= ${MIN_EVENTS}`,
      labels: { severity, sloth_severity: severity, ...labels },
      annotations: {
        summary: `${spec.slo}: the error budget burns too fast (${severity})`,
        description:
          `SLO ${spec.description}: errors {{ $value | humanizePercentage }} of events, burning the 30-day budget ` +
          `${pairs.map((p) => `${p.factor}× over ${p.long} and ${p.short}`).join(', or ')}.`,
        runbook: `docs/observability.md#${alertName(spec.slo, severity).toLowerCase()}`,
      },
    };
  };
  return [
    {
      name: `sloth-slo-sli-recordings-${labels.sloth_id}`,
      rules: [
        ...SLI_WINDOWS.map((window) => ({
          record: `slo:sli_error:ratio_rate${window}`,
          expr: spec.errorRatio(window),
          labels: { ...labels, sloth_window: window },
        })),
        ...Object.values(ALERTS).map(({ guard }) => ({
          record: `slo:sli_events:increase${guard}`,
          expr: spec.events(guard),
          labels,
        })),
      ],
    },
    {
      name: `sloth-slo-meta-recordings-${labels.sloth_id}`,
      rules: [
        {
          record: 'slo:sli_error:ratio_rate30d',
          expr:
            `sum_over_time(slo:sli_error:ratio_rate5m${selector}[30d])\n/ ignoring (sloth_window)\n` +
            `count_over_time(slo:sli_error:ratio_rate5m${selector}[30d])`,
          labels: { ...labels, sloth_window: '30d' },
        },
        { record: 'slo:objective:ratio', expr: `vector(${decimal(spec.objective)})`, labels },
        { record: 'slo:error_budget:ratio', expr: `vector(${budget})`, labels },
        { record: 'slo:time_period:days', expr: 'vector(30)', labels },
        {
          record: 'slo:current_burn_rate:ratio',
          expr: `slo:sli_error:ratio_rate5m${selector}\n/ ${onSlo} group_left\nslo:error_budget:ratio${selector}`,
          labels,
        },
        {
          record: 'slo:period_burn_rate:ratio',
          expr: `slo:sli_error:ratio_rate30d${selector}\n/ ${onSlo} group_left\nslo:error_budget:ratio${selector}`,
          labels,
        },
        {
          record: 'slo:period_error_budget_remaining:ratio',
          expr: `1 - slo:period_burn_rate:ratio${selector}`,
          labels,
        },
      ],
    },
    { name: `sloth-slo-alerts-${labels.sloth_id}`, rules: [alert('page'), alert('ticket')] },
  ];
}

export function sloRulesYaml(env: NodeJS.ProcessEnv = {}): string {
  const header =
    '# Generated by scripts/sloRules.ts from the SLO settings of src/config/spec.ts: do not edit by hand,\n' +
    '# run `npx tsx scripts/sloRules.ts`. docs/observability.md explains the SLOs and each alert.\n';
  return (
    header +
    stringify(
      { groups: promSlos(env).flatMap(groupsOf) },
      {
        lineWidth: 0,
        aliasDuplicateObjects: false,
        singleQuote: true, // as prettier writes YAML, so `npm run format:check` passes
      },
    )
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(RULES_FILE, sloRulesYaml(process.env));
  console.log(`wrote ${RULES_FILE}`);
}
