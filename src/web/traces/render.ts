/**
 * The trace viewer's HTML, from the `GET /traces` JSON (src/domain/traces.ts): pure functions of the data, so they
 * are tested without a browser. `main.ts` fetches and puts the results in the page.
 */
import type { Level } from '../../domain/status.js';
import {
  TRACE_OUTCOMES,
  spanLabel,
  type TraceDetail,
  type TraceList,
  type TraceOutcome,
  type TraceQuery,
  type TraceSpan,
  type TraceSummary,
  type ValueStream,
} from '../../domain/traces.js';
import { timeCovered } from '../../tps/valuestream/measureValueStream.js';
import { escape, timeOf } from '../board/format.js';

/** The roles in the order a signal meets them; any other service follows in order of first appearance. */
const SERVICE_ORDER = ['api', 'queue', 'worker', 'service-c', 'service-b', 'service-a', 'store'];

const OUTCOME_WORDS: Record<TraceOutcome, [Level, string]> = {
  in_progress: ['yellow', 'in progress'],
  completed: ['green', 'completed'],
  failed: ['red', 'failed'],
  expired: ['red', 'expired'],
  dead_lettered: ['red', 'dead-lettered'],
  retried: ['yellow', 'retried'],
  rejected: ['red', 'rejected'],
};

export const OUTCOME_FILTERS: ReadonlyArray<TraceOutcome | 'error'> = ['error', ...TRACE_OUTCOMES];

/** `0.4 ms`, `12.3 ms`, `480 ms`, `2.35 s`. */
function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

const percent = (ratio: number): string =>
  Number.isFinite(ratio) ? `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)} %` : '—';

/** The filters of the page's address (`?lane=fast&outcome=error&min_ms=50&signal_id=…`), unknown values left out. */
export function queryFrom(search: string): TraceQuery {
  const params = new URLSearchParams(search);
  const query: TraceQuery = {};
  const lane = params.get('lane')?.trim();
  if (lane) query.lane = lane;
  const outcome = params.get('outcome');
  if (outcome && (OUTCOME_FILTERS as readonly string[]).includes(outcome))
    query.outcome = outcome as TraceQuery['outcome'];
  const minMs = Number(params.get('min_ms') ?? '');
  if (params.get('min_ms') && Number.isFinite(minMs) && minMs > 0) query.min_ms = minMs;
  const signalId = params.get('signal_id')?.trim();
  if (signalId) query.signal_id = signalId;
  const limit = Number(params.get('limit') ?? '');
  if (Number.isInteger(limit) && limit > 0) query.limit = limit;
  return query;
}

/** The query string for `GET /traces`. */
export function searchOf(query: TraceQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function outcomeBadge(outcome: TraceOutcome, error: boolean): string {
  const [level, words] = OUTCOME_WORDS[outcome] ?? ['yellow', String(outcome)];
  const shown = error && level !== 'red' ? 'red' : level;
  return (
    `<span class="level ${shown}">${escape(words)}</span>` +
    (error ? ' <strong class="err">error</strong>' : '')
  );
}

const traceLink = (t: TraceSummary): string =>
  `<a href="/traces/view/${encodeURIComponent(t.trace_id)}">${escape(t.signal_id ?? t.trace_id.slice(0, 16))}</a>`;

/** The recent traces as a table, newest first as the API gives them. */
export function listHtml(list: TraceList): string {
  if (list.traces.length === 0)
    return `<p>No trace matches these filters. The process keeps the last ${list.capacity} traces.</p>`;
  const rows = list.traces
    .map(
      (t) =>
        `<tr data-trace="${escape(t.trace_id)}" data-outcome="${t.outcome}" data-error="${t.error}">` +
        `<td class="num">${timeOf(t.started_at)}</td>` +
        `<td>${traceLink(t)}<br><span class="small">${escape(t.signal_type ?? '—')}</span></td>` +
        `<td>${escape(t.lane ?? '—')}</td><td>${outcomeBadge(t.outcome, t.error)}</td>` +
        `<td class="num">${duration(t.lead_time_ms)}</td><td class="num">${duration(t.process_time_ms)}</td>` +
        `<td class="num">${percent(t.pce)}</td><td class="num">${t.span_count}</td>` +
        `<td>${t.services.map(escape).join(', ')}</td></tr>`,
    )
    .join('');
  return (
    `<div class="scroll"><table><caption class="small">${list.traces.length} traces, newest first ` +
    `(the process keeps the last ${list.capacity})</caption><thead><tr><th>Started</th><th>Signal</th>` +
    '<th>Lane</th><th>Outcome</th><th>Lead time</th><th>Process time</th><th>PCE</th><th>Spans</th>' +
    `<th>Services</th></tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

/** Lead time, process time, wait and PCE: this trace's beside the average of recent ones when known. */
export function figuresHtml(
  trace: ValueStream | undefined,
  average?: ValueStream & { count: number },
): string {
  const rows: Array<[string, (v: ValueStream) => string, string]> = [
    ['Lead time', (v) => duration(v.lead_time_ms), 'from the request at the API to the last span'],
    ['Process time', (v) => duration(v.process_time_ms), 'time worked on the signal'],
    ['Wait time', (v) => duration(v.wait_time_ms), 'time spent queued or waiting for a retry'],
    ['Process-cycle efficiency', (v) => percent(v.pce), 'process time ÷ lead time'],
  ];
  const averaged = average && average.count > 0;
  const head =
    `<tr><th>Figure</th>${trace ? '<th>This trace</th>' : ''}` +
    `${averaged ? `<th>Average of ${average.count} recent</th>` : ''}<th>Meaning</th></tr>`;
  const body = rows
    .map(
      ([name, value, meaning]) =>
        `<tr><th>${name}</th>${trace ? `<td class="num">${value(trace)}</td>` : ''}` +
        `${averaged ? `<td class="num">${value(average)}</td>` : ''}<td class="small">${meaning}</td></tr>`,
    )
    .join('');
  if (!trace && !averaged) return '<p>No finished traces yet to average.</p>';
  return `<table class="figures"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** Spans grouped per service in the order a signal meets them, each group sorted by start. */
export function groupByService(spans: readonly TraceSpan[]): Array<[string, TraceSpan[]]> {
  const groups = new Map<string, TraceSpan[]>();
  for (const span of [...spans].sort((a, b) => a.start_ms - b.start_ms)) {
    const list = groups.get(span.service) ?? [];
    list.push(span);
    groups.set(span.service, list);
  }
  const rank = (service: string): number => {
    const at = SERVICE_ORDER.indexOf(service);
    return at < 0 ? SERVICE_ORDER.length : at;
  };
  return [...groups.entries()].sort(([a], [b]) => rank(a) - rank(b));
}

const share = (part: number, whole: number): number =>
  whole > 0 ? Math.min(100, Math.max(0, (part / whole) * 100)) : 0;

function spanHtml(span: TraceSpan, total: number): string {
  const left = share(span.start_ms, total);
  const width = Math.min(100 - left, share(span.duration_ms, total));
  const stage = span.stage === 'wait' ? 'waiting' : 'work';
  const error =
    span.status === 'error'
      ? ` <strong class="err">ERROR</strong>${span.error ? `: ${escape(span.error)}` : ''}`
      : '';
  return (
    `<li class="span ${span.stage} ${span.status}" data-span="${escape(span.span_id)}" ` +
    `data-service="${escape(span.service)}" data-stage="${span.stage}" data-status="${span.status}">` +
    `<span class="label"><span class="name">${escape(spanLabel(span))}</span>${error} ` +
    `<span class="small">${stage} · ${duration(span.duration_ms)} at +${duration(span.start_ms)}</span></span>` +
    `<span class="track" aria-hidden="true"><span class="fill" style="left:${left.toFixed(2)}%;` +
    `width:${width.toFixed(2)}%"></span></span></li>`
  );
}

const LEGEND =
  '<p class="legend-words" id="legend"><span class="swatch work" aria-hidden="true"></span> Solid blue: work, ' +
  'the signal being handled. <span class="swatch wait" aria-hidden="true"></span> Striped grey: waiting, in a ' +
  'queue or for a retry. <span class="swatch error" aria-hidden="true"></span> Red, marked ERROR: the span ' +
  'failed; its message follows.</p>';

/** One trace as a waterfall: a group per service, a bar per span on one time axis from 0 to the lead time. */
export function waterfallHtml(trace: TraceDetail): string {
  const total = Math.max(trace.duration_ms, ...trace.spans.map((s) => s.start_ms + s.duration_ms), 0);
  const groups = groupByService(trace.spans)
    .map(([service, spans]) => {
      // Wall time covered, not a sum: a worker's span and the calls nested in it are one stretch of work.
      const sum = (stage: 'wait' | 'work') =>
        timeCovered(
          spans
            .filter((s) => s.stage === stage)
            .map((s) => ({ start: s.start_ms, end: s.start_ms + s.duration_ms })),
        );
      const errors = spans.filter((s) => s.status === 'error').length;
      return (
        `<div class="group" data-service-group="${escape(service)}"><h3>${escape(service)} ` +
        `<span class="small">${spans.length} span${spans.length === 1 ? '' : 's'} · work ${duration(sum('work'))}` +
        ` · waiting ${duration(sum('wait'))}${errors ? ` · <strong class="err">${errors} ERROR</strong>` : ''}` +
        `</span></h3><ol>${spans.map((span) => spanHtml(span, total)).join('')}</ol></div>`
      );
    })
    .join('');
  return (
    `${LEGEND}<div class="axis" aria-hidden="true"><span>0</span><span>${duration(total / 2)}</span>` +
    `<span>${duration(total)}</span></div><div class="waterfall" aria-describedby="legend">${groups}</div>`
  );
}

/** The heading facts of one trace. */
export function traceHeaderHtml(trace: TraceDetail): string {
  return (
    `<p><strong>Signal</strong> ${escape(trace.signal_id ?? '—')} (${escape(trace.signal_type ?? '—')}, lane ` +
    `${escape(trace.lane ?? '—')}) · ${outcomeBadge(trace.outcome, trace.error)} · started ` +
    `${timeOf(trace.started_at)} · ${trace.span_count} spans over ${trace.services.map(escape).join(', ')}</p>` +
    `<p class="small">Trace id <code>${escape(trace.trace_id)}</code></p>`
  );
}
