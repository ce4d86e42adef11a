import type { LaneName } from '../../domain/signal.js';
import type { PercentilesView, SystemStatus } from '../../domain/status.js';
import type { Command } from '../Command.js';
import { PAGE_BURN_RATE } from '../../tps/kaizen/SloTracker.js';
import { readForDisplay } from '../readForDisplay.js';
import { formatTable } from '../formatTable.js';
import { formatDuration, timeAndAge } from '../formatTime.js';
import { baseUrl, parseFlags, URL_FLAG } from '../parseFlags.js';
import { createStyle, type Style } from '../Style.js';

const RECENT_EVENTS = 8;

export const statusCommand: Command = {
  name: 'status',
  summary:
    'the line at a glance: andon stations, lanes, pools, breakers, percentiles, rates, SLOs (GET /status)',
  usage: `tps status [--json] [--url URL]

  Tables of the andon stations (level, cause, since), lanes (depth/capacity, in flight, WIP limit, dead
  letters, running or stopped and why), pools (size, busy, min, max, restarts, scaling), breakers (state,
  failures, opens, last failure, next probe), latency percentiles, rates, and the SLOs (target, SLI, error
  budget left and burn rates over 5 minutes, 1 hour and 6 hours).
  --json      the answer as the API gives it
  --url URL   the API (default http://localhost:$PORT, PORT defaulting to 8080)`,

  async run(args, { env }) {
    const { values } = parseFlags('status', args, { ...URL_FLAG, json: { type: 'boolean', default: false } });
    const read = await readForDisplay(
      { url: baseUrl('status', values.url, env), path: '/status', json: values.json },
      env,
    );
    if ('exit' in read) return read.exit;
    console.log(renderStatus(read.json as SystemStatus, createStyle(), Date.now()));
    return 0;
  },
};

/** The whole status as readable tables. Every colour goes with a word, so nothing depends on colour alone. */
export function renderStatus(status: SystemStatus, style: Style, now: number): string {
  const heading = (text: string) => style.tone('bold', text);
  const ms = (value: number) => (value >= 1000 ? formatDuration(value) : `${round(value)} ms`);
  const sections: string[] = [];

  const chaos = status.chaos.active.length > 0 ? style.tone('warn', status.chaos.active.join(', ')) : 'none';
  const queue = status.queue;
  sections.push(
    [
      `${heading('TPS')} ${status.mode}, up ${formatDuration(status.uptime_s * 1000)} — andon ${style.level(status.andon.overall)}`,
      `  queue ${queue.backend} (${queue.durable ? 'durable' : 'not durable'}), ` +
        (queue.available
          ? style.tone('good', 'available')
          : style.tone('bad', `unavailable: ${queue.cause ?? '?'}`)) +
        ` · chaos: ${chaos}` +
        pulledCords(status, style),
    ].join('\n'),
  );

  sections.push(
    `${heading('STATIONS')}\n` +
      formatTable(
        ['LEVEL', 'STATION', 'CAUSE', 'SINCE'],
        status.andon.stations.map((s) => [style.level(s.level), s.id, s.cause, timeAndAge(s.since, now)]),
      ),
  );

  sections.push(
    `${heading('LANES')}\n` +
      formatTable(
        ['LANE', 'DEPTH/CAPACITY', 'IN FLIGHT', 'WIP LIMIT', 'DEAD LETTERS', 'STATE'],
        status.lanes.map((lane) => [
          lane.lane,
          `${lane.depth}/${lane.capacity}`,
          String(lane.inflight),
          String(lane.wip_limit),
          lane.dead_lettered > 0 ? style.tone('warn', String(lane.dead_lettered)) : '0',
          lane.running
            ? style.tone('good', 'running')
            : style.tone('bad', `stopped: ${lane.stopped_cause ?? 'no cause given'}`),
        ]),
      ),
  );

  sections.push(
    `${heading('POOLS')}\n` +
      formatTable(
        ['POOL', 'SIZE', 'BUSY', 'MIN', 'MAX', 'RESTARTS', 'SCALE UPS', 'SCALE DOWNS', 'LAST SCALING'],
        status.pools.map((pool) => [
          pool.pool,
          String(pool.size),
          String(pool.busy),
          String(pool.min),
          // Under a shared WORKER_BUDGET the pool may be held below its max while the other lane is busy.
          pool.ceiling < pool.max ? `${pool.max} (${pool.ceiling} now)` : String(pool.max),
          pool.restarts > 0 ? style.tone('warn', String(pool.restarts)) : '0',
          String(pool.scale_ups),
          String(pool.scale_downs),
          pool.last_scale
            ? `${pool.last_scale.from} → ${pool.last_scale.to} ${timeAndAge(pool.last_scale.at, now)}: ${pool.last_scale.reason}`
            : '—',
        ]),
      ),
  );

  sections.push(
    `${heading('BREAKERS')}\n` +
      formatTable(
        ['BREAKER', 'STATE', 'FAILURES (IN A ROW/THRESHOLD, TOTAL)', 'OPENS', 'LAST FAILURE', 'NEXT PROBE'],
        status.breakers.map((breaker) => [
          breaker.name,
          breakerState(breaker.state, style),
          `${breaker.consecutive_failures}/${breaker.threshold}, ${breaker.total_failures} total`,
          String(breaker.opens),
          breaker.last_failure ?? '—',
          breaker.next_probe_at
            ? timeAndAge(breaker.next_probe_at, now)
            : breaker.state === 'half_open'
              ? `probing (${breaker.probes_remaining ?? '?'} to go)`
              : '—',
        ]),
      ),
  );

  const faulty = status.downstream.filter((d) => d.injected_latency_ms > 0 || d.injected_error_rate > 0);
  sections.push(
    `${heading('DOWNSTREAM')}\n` +
      formatTable(
        ['SERVICE', 'BASE LATENCY', 'INJECTED LATENCY', 'INJECTED ERRORS'],
        status.downstream.map((d) => [
          d.service,
          ms(d.base_latency_ms),
          d.injected_latency_ms > 0 ? style.tone('warn', ms(d.injected_latency_ms)) : '—',
          d.injected_error_rate > 0 ? style.tone('warn', percent(d.injected_error_rate)) : '—',
        ]),
      ) +
      (faulty.length > 0 ? `\n  (chaos is injecting faults; \`tps chaos stop\` clears them)` : ''),
  );

  const p = status.percentiles_ms;
  const lanes = Object.keys(p.lead_time) as LaneName[];
  const row = (what: string, view: PercentilesView | undefined) =>
    view && view.count > 0
      ? [what, ms(view.p50), ms(view.p90), ms(view.p99), ms(view.max), String(view.count)]
      : [what, '—', '—', '—', '—', '0'];
  sections.push(
    `${heading('LATENCY')} (recent window)\n` +
      formatTable(
        ['MEASURE', 'P50', 'P90', 'P99', 'MAX', 'COUNT'],
        [
          row('intake (POST /signal)', p.intake),
          ...lanes.map((lane) => row(`queue wait, ${lane}`, p.queue_wait[lane])),
          ...lanes.map((lane) => row(`processing, ${lane}`, p.processing[lane])),
          ...lanes.map((lane) => row(`lead time, ${lane}`, p.lead_time[lane])),
        ],
      ),
  );

  const r = status.rates;
  sections.push(
    `${heading('RATES')}\n` +
      `  intake ${perSecond(r.intake_per_s)} · completed ` +
      Object.entries(r.completed_per_s)
        .map(([lane, rate]) => `${lane} ${perSecond(rate)}`)
        .join(', ') +
      ` · requests ${perSecond(r.requests_per_s)} · errors ${r.error_rate > 0 ? style.tone('warn', percent(r.error_rate)) : '0%'}`,
  );

  // Takt against cycle time; an API from before the value stream figures has none.
  if (status.value_stream) {
    const ms = (value: number | null) => (value === null ? '—' : `${value} ms`);
    const verdict = (keepingUp: boolean | null) =>
      keepingUp === null
        ? 'unknown here (completions are in the workers)'
        : keepingUp
          ? 'yes'
          : style.tone('warn', 'no: the queue grows');
    sections.push(
      `${heading('TAKT')} time between arrivals against time between completions (last minute)\n` +
        formatTable(
          ['LANE', 'TAKT', 'CYCLE', 'KEEPING UP'],
          Object.entries(status.value_stream).map(([lane, pace]) => [
            lane,
            ms(pace.takt_ms),
            ms(pace.cycle_ms),
            verdict(pace.keeping_up),
          ]),
        ),
    );
  }

  // An API from before the SLOs has none to show.
  if (status.slos?.length) sections.push(`${heading('SLOS')} (last 6 h)\n` + sloTable(status.slos, style));

  const events = status.andon.events.slice(0, RECENT_EVENTS);
  if (events.length > 0) {
    sections.push(
      `${heading('RECENT ANDON EVENTS')}\n` +
        formatTable(
          ['AT', 'STATION', 'CHANGE', 'WHAT'],
          events.map((event) => [
            timeAndAge(event.at, now),
            event.station,
            event.from ? `${style.level(event.from)} → ${style.level(event.to)}` : style.level(event.to),
            event.message,
          ]),
        ),
    );
  }
  return sections.join('\n\n');
}

/** Burn rates at the page threshold (PAGE_BURN_RATE: a 30-day budget gone in 2 days) are bad, above 1 a warning. */
function sloTable(slos: SystemStatus['slos'], style: Style): string {
  const burn = (rate: number) => {
    const text = `${round(rate)}×`;
    if (rate >= PAGE_BURN_RATE) return style.tone('bad', text);
    return rate > 1 ? style.tone('warn', text) : text;
  };
  const budget = (left: number) => {
    const text = percent(left);
    if (left <= 0) return style.tone('bad', text);
    return left < 0.5 ? style.tone('warn', text) : text;
  };
  return formatTable(
    ['SLO', 'TARGET', 'SLI', 'BUDGET LEFT', 'BURN 5M', 'BURN 1H', 'BURN 6H', 'GOOD/ALL'],
    slos.map((slo) => [
      slo.name,
      percent(slo.target),
      slo.sli === null ? '—' : `${Math.floor(slo.sli * 10_000) / 100}%`,
      budget(slo.error_budget_remaining),
      burn(slo.burn_rates['5m']),
      burn(slo.burn_rates['1h']),
      burn(slo.burn_rates['6h']),
      `${slo.events.good}/${slo.events.total}`,
    ]),
  );
}

function breakerState(state: SystemStatus['breakers'][number]['state'], style: Style): string {
  if (state === 'closed') return style.tone('good', 'closed');
  if (state === 'half_open') return style.tone('warn', 'half-open');
  return style.tone('bad', 'open');
}

function pulledCords(status: SystemStatus, style: Style): string {
  const pulled = status.cords.filter((cord) => cord.pulled);
  if (pulled.length === 0) return '';
  const list = pulled.map((cord) => `${cord.scope}${cord.reason ? ` (${cord.reason})` : ''}`).join(', ');
  return `\n  ${style.tone('bad', `andon cord pulled: ${list}`)}`;
}

const round = (value: number) => (value >= 100 ? Math.round(value) : Math.round(value * 10) / 10);
const perSecond = (rate: number) => `${round(rate)}/s`;
const percent = (share: number) => `${round(share * 100)}%`;
