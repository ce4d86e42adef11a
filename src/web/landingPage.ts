import { FAVICON_LINK } from './favicon.js';

const PRINCIPLES: Array<[string, string]> = [
  [
    'Jidoka',
    'a breaker around every dependency and an andon cord: the line stops itself instead of passing defects on',
  ],
  [
    'Poka-yoke',
    'strict validation: a bad signal is refused at the door with a reason, and nothing is queued',
  ],
  [
    'Kanban',
    'bounded lanes that workers pull from, with WIP limits, leases, redelivery and a dead-letter lane',
  ],
  ['Heijunka', 'fast and slow lanes with their own pools that grow under backlog and shrink when idle'],
  ['Andon', 'every station green, yellow or red with its cause in words'],
  ['Kaizen', 'Prometheus metrics and HDR percentiles, so every change is measured before and after'],
];

const escape = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** `GET /`: what this is and where to look. */
export function landingPage(info: Record<string, unknown>, address: string): string {
  const items = PRINCIPLES.map(([name, what]) => `<li><strong>${name}</strong>: ${escape(what)}</li>`).join(
    '\n',
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${FAVICON_LINK}
<title>TPS Reference System</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
code{background:#f1f1f1;padding:.1rem .3rem;border-radius:3px}a{color:#0b57d0}</style></head>
<body><h1>TPS Reference System</h1>
<p>The Toyota Production System as a running service: send it signals, watch it, load it and break it on purpose.
Mode <code>${escape(String(info.mode))}</code>, queue <code>${escape(String((info.queue as { backend?: string } | undefined)?.backend))}</code>, version ${escape(String(info.version))}.</p>
<h2>Look</h2><ul>
<li><a href="/board">/board</a>: the Andon board, live</li>
<li><a href="/traces/view">/traces</a>: recent traces, each signal's value stream as a waterfall</li>
<li><a href="/status">/status</a>: stations, lanes, pools, breakers, percentiles</li>
<li><a href="/health">/health</a> and <a href="/info">/info</a></li>
<li><a href="/metrics">/metrics</a>: Prometheus exposition</li>
<li><a href="/dlq">/dlq</a>: dead-lettered signals</li></ul>
<h2>Try</h2><p><code>curl -X POST ${escape(address)}/signal -H 'content-type: application/json' -d '{"signal_type":"execute","payload":{"task":"test"}}'</code></p>
<h2>The principles</h2><ul>${items}</ul></body></html>`;
}
