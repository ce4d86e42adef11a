import { FAVICON_LINK } from './favicon.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { escape } from './board/format.js';
import { BASE_STYLE } from './baseStyle.js';
import { MIX_NAMES } from '../loadgen/mix.js';
import { loadPresetViews } from '../loadgen/presets.js';

/** uPlot's own stylesheet (legend, cursor), served inline with the page: nothing is fetched from elsewhere. */
const UPLOT_STYLE = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');

/**
 * `GET /board`: the page's frame, styles and the controls. Everything that changes is drawn by `/board.js`
 * (bundled from `src/web/board/`) from the `GET /events` stream; the controls stay put so focus is never lost.
 */
const STYLE = `
#stations{display:grid;gap:0 1.2rem;grid-template-columns:repeat(auto-fill,minmax(min(100%,19rem),1fr))}
.station{display:grid;grid-template-columns:auto 1fr;gap:.1rem .6rem;padding:.35rem 0;border-bottom:1px solid #eee}
.station .id{font-weight:600}
.station .cause{color:var(--muted);font-size:.85rem}
.station .cause{grid-column:2}
.bar{height:.7rem;background:#e6e6e6;border-radius:3px;overflow:hidden;border:1px solid #bbb}
.bar>span{display:block;height:100%;background:#3a6fd8}
.controls .row{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.4rem 0}
.controls .row>span{min-width:6.5rem;font-weight:600}
button.danger{border-color:var(--red);color:var(--red)}
button[aria-pressed=true]{background:var(--red-bg);border-color:var(--red);color:var(--red);font-weight:700}
#log li{padding:.2rem 0;border-bottom:1px solid #eee;font-size:.9rem}
#log time,.when{font-variant-numeric:tabular-nums;color:var(--muted)}
.chart{width:100%;min-height:130px;overflow:hidden}
#conn{font-size:.85rem}
button[aria-disabled=true]{opacity:.55;cursor:not-allowed}
.presets{display:grid;gap:.5rem;margin:.4rem 0}
.presets li{display:grid;grid-template-columns:minmax(9rem,auto) 1fr;gap:.1rem .6rem;align-items:start}
.presets .small{grid-column:2}
@media (max-width:30rem){.presets li{grid-template-columns:1fr}.presets .small{grid-column:1}}
progress{width:100%;height:.9rem;accent-color:#3a6fd8}
`;

const laneRow = (scope: string, label: string) =>
  `<div class="row"><span>${label}</span>` +
  `<button type="button" class="danger" data-action="pull" data-scope="${scope}">Pull cord: ${label}</button>` +
  `<button type="button" data-action="reset" data-scope="${scope}">Reset cord: ${label}</button></div>`;

export function boardPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${FAVICON_LINK}
<title>Andon board · TPS Reference System</title>
<style>${BASE_STYLE}${UPLOT_STYLE}${STYLE}</style></head>
<body>
<header><h1>Andon board</h1><span>Line: <span id="overall" class="level">…</span></span>
<span id="conn" role="status">connecting…</span><a href="/">about</a><a href="/traces/view">traces</a><a href="/status">/status</a></header>
<main>
<section class="wide" aria-labelledby="h-stations"><h2 id="h-stations">Stations</h2><ul id="stations"></ul></section>
<section class="wide" aria-labelledby="h-slos"><h2 id="h-slos">SLOs, last 6 h</h2><div id="slos"></div></section>
<section aria-labelledby="h-lanes"><h2 id="h-lanes">Lanes</h2><div id="lanes"></div></section>
<section aria-labelledby="h-flow"><h2 id="h-flow">Flow</h2><div id="flow"></div></section>
<section aria-labelledby="h-chart"><h2 id="h-chart">Last minutes</h2>
<p class="small">Throughput in and out (signals/s)</p><div id="chart-throughput" class="chart" role="img" aria-label="Accepted and completed signals per second over the last minutes"></div>
<p class="small">Queue depth per lane</p><div id="chart-depth" class="chart" role="img" aria-label="Queue depth per lane over the last minutes"></div>
<p class="small">p99 intake latency (ms)</p><div id="chart-p99" class="chart" role="img" aria-label="p99 intake latency over the last minutes"></div>
</section>
<section aria-labelledby="h-pools"><h2 id="h-pools">Pools</h2><div id="pools"></div></section>
<section aria-labelledby="h-breakers"><h2 id="h-breakers">Breakers</h2><div id="breakers"></div></section>
<section class="controls" aria-labelledby="h-controls"><h2 id="h-controls">Controls</h2>
<div class="row"><label for="reason">Reason</label><input id="reason" value="pulled from the board" maxlength="500"></div>
${laneRow('fast', 'fast lane')}
${laneRow('slow', 'slow lane')}
${laneRow('line', 'whole line')}
<div class="row"><span>Chaos</span>
<button type="button" data-action="errors" aria-pressed="false">Downstream errors on service-c</button>
<button type="button" data-action="latency" aria-pressed="false">Latency 2000 ms on service-c</button>
<button type="button" data-action="crash">Crash a worker</button></div>
<div class="row"><span>Queue</span>
<button type="button" data-action="queue" aria-pressed="false">Queue backend down</button>
<button type="button" data-action="cascade" aria-pressed="false">Cascade: slow service A</button>
<button type="button" data-action="stop">Stop all chaos</button></div>
<p class="small">Pressed buttons show faults in force. Pressing the queue button again recovers the queue; the cascade
ends with Stop all chaos.</p>
<p id="result" class="small" role="status" aria-live="polite"></p></section>
<section class="controls" aria-labelledby="h-load"><h2 id="h-load">Load</h2>
<p class="small">Open-model load from inside this process to its own loopback address, one run at a time. Kept small
for a 2-core machine; <code>tps load</code>, <code>tps spike</code> and <code>tps stress</code> send more.</p>
<div class="row"><label for="mix">Mix</label><select id="mix">${MIX_NAMES.map(
    (mix) => `<option value="${mix}">${mix}</option>`,
  ).join('')}</select></div>
<ul class="presets">${loadPresetViews()
    .map(
      (p) =>
        `<li><button type="button" data-action="load" data-preset="${p.name}">Run ${p.name}</button>` +
        `<span>${escape(p.schedule)}, ${p.planned} requests</span><span class="small">${escape(p.watch)}</span></li>`,
    )
    .join('')}</ul>
<div class="row"><button type="button" class="danger" data-action="load-stop">Stop load</button></div>
<progress id="load-progress" max="1" value="0" aria-label="load run progress"></progress>
<p id="load" class="small" role="status" aria-live="polite">No load run yet.</p></section>
<section class="wide" aria-labelledby="h-log"><h2 id="h-log">Andon log</h2><ul id="log"></ul></section>
</main>
<script type="module" src="/board.js"></script>
</body></html>`;
}
