import { FAVICON_LINK } from './favicon.js';
import { LANES } from '../domain/signal.js';
import { BASE_STYLE } from './baseStyle.js';
import { OUTCOME_FILTERS } from './traces/render.js';

/**
 * `GET /traces/view` and `/traces/view/:id`: the trace viewer's frame, styles and filter form. `/traces.js`
 * (bundled from `src/web/traces/`) fetches `GET /traces` and `GET /traces/:id` as JSON and draws them.
 */
const STYLE = `
form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end}
form.filters label{display:flex;flex-direction:column;font-size:.85rem;font-weight:600;gap:.15rem}
form.filters input[type=number]{width:7rem}
.scroll{overflow-x:auto}
caption{text-align:left;padding:.2rem 0}
a{color:var(--accent)}
.err{color:var(--red)}
code{background:#f1f1f1;padding:0 .25rem;border-radius:3px;word-break:break-all}
.figures td.num{white-space:nowrap}
.legend-words{font-size:.9rem}
.swatch{display:inline-block;width:1.6rem;height:.8rem;vertical-align:middle;border:1px solid #333;border-radius:2px}
.work .fill,.swatch.work{background:#1d5fd1}
.wait .fill,.swatch.wait{background:repeating-linear-gradient(135deg,#5f6b7a 0 3px,#dfe4ea 3px 7px)}
.error .fill,.swatch.error{background:#b3261e;border-color:#5c0d0a}
.wait.error .fill{background:repeating-linear-gradient(135deg,#b3261e 0 3px,#fde4e4 3px 7px)}
.axis{display:flex;justify-content:space-between;font-size:.8rem;color:var(--muted);margin-left:calc(40% + .6rem);border-bottom:1px solid #999}
.group h3{font-size:.95rem;margin:.7rem 0 .2rem}
.waterfall ol{list-style:none;margin:0;padding:0}
.span{display:grid;grid-template-columns:40% 1fr;gap:.6rem;align-items:center;padding:.15rem 0;border-bottom:1px solid #eee}
.span.error{background:var(--red-bg)}
.label{overflow-wrap:anywhere}
.track{position:relative;height:1rem;background:#f3f3f3;border:1px solid #ddd}
.fill{position:absolute;top:0;bottom:0;min-width:2px;border:1px solid rgba(0,0,0,.35)}
@media (max-width:40rem){.span{grid-template-columns:1fr}.axis{margin-left:0}}
`;

const options = (values: readonly string[], any: string): string =>
  `<option value="">${any}</option>` +
  values.map((value) => `<option value="${value}">${value.replace(/_/g, ' ')}</option>`).join('');

export function tracesPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${FAVICON_LINK}
<title>Traces · TPS Reference System</title>
<style>${BASE_STYLE}${STYLE}</style></head>
<body>
<header><h1>Traces: the value stream of each signal</h1><a href="/">about</a><a href="/board">board</a>
<a href="/traces/view">recent traces</a></header>
<main>
<section class="wide" aria-labelledby="h-find"><h2 id="h-find">Find</h2>
<form class="filters" method="get" action="/traces/view">
<label>Signal id<input name="signal_id" id="signal_id" maxlength="128" autocomplete="off"></label>
<label>Lane<select name="lane" id="lane">${options(LANES, 'any lane')}</select></label>
<label>Outcome<select name="outcome" id="outcome">${options(OUTCOME_FILTERS, 'any outcome')}</select></label>
<label>At least (ms)<input type="number" name="min_ms" id="min_ms" min="0" step="1" inputmode="numeric"></label>
<button type="submit">Show traces</button><a href="/traces/view">clear</a>
</form></section>
<section class="wide" aria-labelledby="h-trace" id="trace-section" hidden><h2 id="h-trace">Trace</h2>
<div id="trace" aria-live="polite"></div>
<h3>Value stream</h3><div id="trace-figures"></div>
<h3>Waterfall</h3><div id="waterfall"></div></section>
<section class="wide" aria-labelledby="h-averages"><h2 id="h-averages">Value stream, recent traces</h2>
<div id="averages"><p>Loading…</p></div></section>
<section class="wide" aria-labelledby="h-list"><h2 id="h-list">Recent traces</h2>
<div id="list" aria-live="polite"><p>Loading…</p></div></section>
</main>
<script type="module" src="/traces.js"></script>
</body></html>`;
}
