/// <reference lib="dom" />
/**
 * The andon board's script (bundled by esbuild into `dist/web/board.js`): draws `/status` as it arrives over
 * `GET /events`, keeps a few minutes of history for the charts, and wires the controls to the admin routes.
 */
import type { LoadRunView } from '../../domain/load.js';
import type { Level, SystemStatus } from '../../domain/status.js';
import { PAGE_BURN_RATE } from '../../tps/kaizen/SloTracker.js';
import { TimeChart } from './TimeChart.js';
import { escape, fixed, levelBadge, sinceText, timeOf } from './format.js';

type AndonLogEntry = SystemStatus['andon']['events'][number];

const HISTORY = 300;
const history: {
  t: number[];
  depth: Record<string, number[]>;
  p99: number[];
  accepted: number[];
  completed: number[];
} = {
  t: [],
  depth: {},
  p99: [],
  accepted: [],
  completed: [],
};
let latest: SystemStatus | undefined;
let loadRun: LoadRunView | undefined;
let log: AndonLogEntry[] = [];

const byId = (id: string): HTMLElement => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`board: #${id} missing`);
  return element;
};

const push = (series: number[], value: number): void => {
  series.push(value);
  if (series.length > HISTORY) series.splice(0, series.length - HISTORY);
};

function renderStations(status: SystemStatus): void {
  const overall = byId('overall');
  overall.className = `level ${status.andon.overall}`;
  overall.textContent = status.andon.overall.toUpperCase();
  byId('stations').innerHTML = status.andon.stations
    .map(
      (s) =>
        `<li class="station" data-station="${escape(s.id)}" data-level="${s.level}">${levelBadge(s.level)}` +
        `<span><span class="id">${escape(s.id)}</span> <span class="when">${sinceText(s.since)}</span></span>` +
        `<span class="cause">${escape(s.cause)}</span></li>`,
    )
    .join('');
}

function renderLanes(status: SystemStatus): void {
  byId('lanes').innerHTML = status.lanes
    .map((lane) => {
      const fill = lane.capacity > 0 ? Math.min(1, lane.depth / lane.capacity) : 0;
      const state = lane.running
        ? 'running'
        : `stopped${lane.stopped_cause ? `: ${escape(lane.stopped_cause)}` : ''}`;
      return (
        `<div data-lane="${lane.lane}"><strong>${lane.lane}</strong> <span class="small">${state}</span>` +
        `<div class="bar" role="img" aria-label="${lane.depth} of ${lane.capacity} queued">` +
        `<span style="width:${(fill * 100).toFixed(1)}%"></span></div>` +
        `<p class="small">${lane.depth}/${lane.capacity} queued · ${lane.inflight}/${lane.wip_limit} in flight · ` +
        `${lane.dead_lettered} dead letters</p></div>`
      );
    })
    .join('');
}

function renderPools(status: SystemStatus): void {
  byId('pools').innerHTML =
    '<table><thead><tr><th>Pool</th><th>Size</th><th>Busy</th><th>Min</th><th>Max</th><th>Restarts</th></tr></thead><tbody>' +
    status.pools
      .map(
        (p) =>
          `<tr><td>${p.pool}</td><td class="num">${p.size}</td><td class="num">${p.busy}</td>` +
          `<td class="num">${p.min}</td><td class="num">${p.ceiling < p.max ? `${p.max} (${p.ceiling} now)` : p.max}</td>` +
          `<td class="num">${p.restarts}</td></tr>`,
      )
      .join('') +
    '</tbody></table>';
}

const BREAKER_WORDS: Record<SystemStatus['breakers'][number]['state'], [Level, string]> = {
  closed: ['green', 'closed'],
  half_open: ['yellow', 'half-open'],
  open: ['red', 'open'],
};

function renderBreakers(status: SystemStatus): void {
  byId('breakers').innerHTML =
    '<table><thead><tr><th>Breaker</th><th>State</th><th>Failures</th><th>Next probe</th></tr></thead><tbody>' +
    status.breakers
      .map((b) => {
        const [level, words] = BREAKER_WORDS[b.state];
        const probe = b.next_probe_at ? timeOf(b.next_probe_at) : '—';
        return (
          `<tr data-breaker="${escape(b.name)}" data-state="${b.state}"><td>${escape(b.name)}</td>` +
          `<td><span class="level ${level}">${words}</span> <span class="when">${sinceText(b.since)}</span></td>` +
          `<td class="num">${b.consecutive_failures}/${b.threshold} in a row, ${b.total_failures} total</td>` +
          `<td class="num">${probe}</td></tr>`
        );
      })
      .join('') +
    '</tbody></table>';
}

function renderFlow(status: SystemStatus): void {
  const p = status.percentiles_ms;
  const rows = [
    ['Intake latency', `p50 ${fixed(p.intake.p50)} ms · p99 ${fixed(p.intake.p99)} ms`],
    ...Object.entries(p.lead_time).map(([lane, view]) => [
      `Lead time, ${lane}`,
      `p50 ${fixed(view.p50)} ms · p99 ${fixed(view.p99)} ms`,
    ]),
    ['Intake', `${fixed(status.rates.intake_per_s)} signals/s`],
    ...Object.entries(status.rates.completed_per_s).map(([lane, rate]) => [
      `Completed, ${lane}`,
      `${fixed(rate)} signals/s`,
    ]),
    ...Object.entries(status.value_stream ?? {}).map(([lane, pace]) => [
      `Takt / cycle, ${lane}`,
      `${pace.takt_ms === null ? '—' : `${fixed(pace.takt_ms)} ms`} / ${pace.cycle_ms === null ? '—' : `${fixed(pace.cycle_ms)} ms`}` +
        (pace.keeping_up === false
          ? ' · <strong>falling behind</strong>'
          : pace.keeping_up
            ? ' · keeping up'
            : ''),
    ]),
    ['Requests', `${fixed(status.rates.requests_per_s)} /s`],
    ['Error rate', `${fixed(status.rates.error_rate * 100)} % answered 5xx`],
    ['Queue', `${escape(status.queue.backend)}, ${status.queue.available ? 'available' : 'DOWN'}`],
    ['Chaos', status.chaos.active.length ? escape(status.chaos.active.join('; ')) : 'none'],
  ];
  byId('flow').innerHTML =
    '<table><tbody>' +
    rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('') +
    '</tbody></table>';
}

/** A budget half spent is worth a look; a spent one, or one burning PAGE_BURN_RATE× (14.4, the paging rate), is red. */
function sloLevel(slo: SystemStatus['slos'][number]): [Level, string] {
  if (slo.sli === null) return ['green', 'no events yet'];
  if (slo.error_budget_remaining <= 0 || slo.burn_rates['1h'] >= PAGE_BURN_RATE)
    return ['red', 'budget spent or burning fast'];
  if (slo.error_budget_remaining < 0.5 || slo.burn_rates['1h'] > 1)
    return ['yellow', 'burning faster than it lasts'];
  return ['green', 'within budget'];
}

/** What is left of the budget; past zero, how many budgets' worth of errors were spent. */
const budgetLeft = (remaining: number): string =>
  remaining >= 0 ? `${fixed(remaining * 100, 0)} %` : `spent ${fixed(1 - remaining, 1)}×`;

function renderSlos(status: SystemStatus): void {
  const percent = (share: number | null, digits = 2) =>
    share === null ? '—' : `${fixed(share * 100, digits)} %`;
  const burn = (rate: number) => `${fixed(rate, 1)}×`;
  byId('slos').innerHTML =
    '<table><thead><tr><th>SLO</th><th>Now</th><th>Budget left</th><th>Burn 5m · 1h · 6h</th></tr></thead><tbody>' +
    status.slos
      .map((slo) => {
        const [level, words] = sloLevel(slo);
        return (
          `<tr data-slo="${escape(slo.name)}" data-level="${level}"><td>${escape(slo.objective)}` +
          ` <span class="when">target ${percent(slo.target, 1)}</span></td>` +
          `<td class="num">${percent(slo.sli)} <span class="when">of ${slo.events.total}</span></td>` +
          `<td><span class="level ${level}">${budgetLeft(slo.error_budget_remaining)}</span> ` +
          `<span class="when">${words}</span></td>` +
          `<td class="num">${burn(slo.burn_rates['5m'])} · ${burn(slo.burn_rates['1h'])} · ${burn(slo.burn_rates['6h'])}</td></tr>`
        );
      })
      .join('') +
    '</tbody></table>';
}

const COLOURS = ['#1d5fd1', '#b3261e', '#6b4f00'];

let charts: { throughput: TimeChart; depth: TimeChart; p99: TimeChart } | undefined;

/** The three charts of the last minutes, created once the lanes are known, then fed each status. */
function renderCharts(): void {
  const lanes = Object.keys(history.depth);
  charts ??= {
    throughput: new TimeChart(
      byId('chart-throughput'),
      [
        { label: 'in: accepted', stroke: COLOURS[0]! },
        { label: 'out: completed', stroke: COLOURS[1]! },
      ],
      '/s',
    ),
    depth: new TimeChart(
      byId('chart-depth'),
      lanes.map((lane, i) => ({ label: `${lane} lane`, stroke: COLOURS[i] ?? '#000' })),
      'queued',
    ),
    p99: new TimeChart(byId('chart-p99'), [{ label: 'p99 intake', stroke: COLOURS[0]! }], 'ms'),
  };
  charts.throughput.update(history.t, [history.accepted, history.completed]);
  charts.depth.update(
    history.t,
    lanes.map((lane) => history.depth[lane] ?? []),
  );
  charts.p99.update(history.t, [history.p99]);
  byId('chart-throughput').dataset.throughputMax = String(
    Math.max(0, ...history.accepted, ...history.completed),
  );
}

function renderLog(): void {
  if (log.length === 0) {
    byId('log').innerHTML = '<li>No andon events yet: every station has stayed green.</li>';
    return;
  }
  byId('log').innerHTML = log
    .slice(0, 30)
    .map(
      (e) =>
        `<li><time datetime="${escape(e.at)}">${timeOf(e.at)}</time> ${levelBadge(e.to)} ` +
        `<strong>${escape(e.station)}</strong>${e.from ? ` (was ${e.from})` : ''}: ${escape(e.message)}</li>`,
    )
    .join('');
}

function syncToggles(status: SystemStatus): void {
  const serviceC = status.downstream.find((d) => d.service === 'service-c');
  document
    .querySelector('[data-action=errors]')
    ?.setAttribute('aria-pressed', String((serviceC?.injected_error_rate ?? 0) > 0));
  document
    .querySelector('[data-action=latency]')
    ?.setAttribute('aria-pressed', String((serviceC?.injected_latency_ms ?? 0) > 0));
  const active = status.chaos.active;
  document
    .querySelector('[data-action=queue]')
    ?.setAttribute('aria-pressed', String(active.includes('queue_down')));
  document
    .querySelector('[data-action=cascade]')
    ?.setAttribute('aria-pressed', String(active.includes('cascade')));
}

const LOAD_WORDS: Record<LoadRunView['state'], string> = {
  idle: 'No load run yet.',
  running: 'running',
  finished: 'finished',
  stopped: 'stopped early',
  failed: 'failed',
};

function renderLoad(run: LoadRunView): void {
  loadRun = run;
  document.body.dataset.load = run.state;
  const running = run.state === 'running';
  document
    .querySelectorAll('[data-action=load]')
    .forEach((button) => button.setAttribute('aria-disabled', String(running)));
  const bar = byId('load-progress') as HTMLProgressElement;
  bar.value = run.duration_ms ? Math.min(1, run.elapsed_ms / run.duration_ms) : 0;
  if (run.state === 'idle') {
    byId('load').textContent = LOAD_WORDS.idle;
    return;
  }
  const r = run.rejected;
  const refused = `429 ${r['429']} · 503 ${r['503']} · other ${r['4xx'] + r['5xx'] + r.errors}`;
  const rate = running
    ? `${fixed(run.rate_per_s)}/s (target ${fixed(run.target_rate_per_s)}/s)`
    : `${fixed(run.rate_per_s)}/s on average`;
  byId('load').textContent =
    `${run.preset ?? ''} (${run.schedule ?? ''}, ${run.mix ?? ''}): ${LOAD_WORDS[run.state]} · ` +
    `${Math.round(run.elapsed_ms / 1000)} of ${Math.round((run.duration_ms ?? 0) / 1000)} s · ` +
    `sent ${run.sent} of ${run.planned ?? 0} · accepted ${run.accepted} · ${refused} · ${rate} · ` +
    `p50 ${fixed(run.p50_ms)} ms, p99 ${fixed(run.p99_ms)} ms${run.error ? ` · ${run.error}` : ''}`;
}

function render(status: SystemStatus): void {
  latest = status;
  push(history.t, Date.parse(status.generated_at) / 1000);
  for (const lane of status.lanes) push((history.depth[lane.lane] ??= []), lane.depth);
  push(history.p99, status.percentiles_ms.intake.p99);
  push(history.accepted, status.rates.intake_per_s);
  push(
    history.completed,
    Object.values(status.rates.completed_per_s).reduce((sum, rate) => sum + rate, 0),
  );
  log = status.andon.events.slice(0, 30);
  renderStations(status);
  renderLanes(status);
  renderPools(status);
  renderBreakers(status);
  renderFlow(status);
  renderSlos(status);
  renderCharts();
  renderLog();
  syncToggles(status);
  document.body.dataset.generated = status.generated_at;
}

/** An admin call: always JSON (`{}` without options), as the API requires of every change. */
async function call(method: string, path: string, body: unknown = {}): Promise<void> {
  const result = byId('result');
  try {
    const response = await fetch(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    result.textContent = `${method} ${path}: ${response.status}${response.ok ? '' : ` ${text.slice(0, 200)}`}`;
  } catch (error) {
    result.textContent = `${method} ${path} failed: ${String(error)}`;
  }
}

function onControl(button: HTMLButtonElement): void {
  const scope = button.dataset.scope;
  const lane = scope && scope !== 'line' ? { lane: scope } : {};
  const reason = (byId('reason') as HTMLInputElement).value.trim() || 'pulled from the board';
  const pressed = button.getAttribute('aria-pressed') === 'true';
  switch (button.dataset.action) {
    case 'pull':
      void call('POST', '/andon/pull', { ...lane, reason, by: 'board' });
      break;
    case 'reset':
      void call('POST', '/andon/reset', { ...lane, by: 'board' });
      break;
    case 'errors':
      void call('POST', '/chaos/downstream', { target: 'service-c', error_rate: pressed ? 0 : 1 });
      break;
    case 'latency':
      void call('POST', '/chaos/downstream', { target: 'service-c', latency_ms: pressed ? 0 : 2000 });
      break;
    case 'queue':
      void call('POST', pressed ? '/chaos/queue-recover' : '/chaos/queue-down');
      break;
    case 'cascade':
      void call(pressed ? 'DELETE' : 'POST', pressed ? '/chaos' : '/chaos/cascade');
      break;
    case 'load':
      if (loadRun?.state === 'running') break;
      void call('POST', '/load', {
        preset: button.dataset.preset,
        mix: (byId('mix') as HTMLSelectElement).value,
      });
      break;
    case 'load-stop':
      void call('DELETE', '/load');
      break;
    case 'crash':
      void call('POST', '/chaos/crash-worker');
      break;
    case 'stop':
      void call('DELETE', '/chaos');
      break;
  }
}

function connect(): void {
  const conn = byId('conn');
  const source = new EventSource('/events');
  source.addEventListener('open', () => (conn.textContent = 'live'));
  source.addEventListener('error', () => (conn.textContent = 'reconnecting…'));
  source.addEventListener('status', (event) =>
    render(JSON.parse((event as MessageEvent<string>).data) as SystemStatus),
  );
  source.addEventListener('load', (event) =>
    renderLoad(JSON.parse((event as MessageEvent<string>).data) as LoadRunView),
  );
  source.addEventListener('andon', (event) => {
    const entry = JSON.parse((event as MessageEvent<string>).data) as AndonLogEntry;
    log = [entry, ...log].slice(0, 30);
    renderLog();
  });
}

document.addEventListener('click', (event) => {
  const button = (event.target as Element | null)?.closest('button[data-action]');
  if (button instanceof HTMLButtonElement) onControl(button);
});
// The "since" times age between updates.
setInterval(() => {
  if (latest) renderStations(latest);
}, 5_000);
connect();
