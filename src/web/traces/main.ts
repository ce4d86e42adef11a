/// <reference lib="dom" />
/**
 * The trace viewer's script (bundled by esbuild into `dist/web/traces.js`): reads the filters from the page's
 * address, fetches `GET /traces` and `GET /traces/:id` as JSON, and draws the list, the averages and one trace.
 * The filters are a plain GET form and the traces plain links, so the browser's own navigation does the rest.
 */
import type { TraceDetail, TraceList, TraceQuery } from '../../domain/traces.js';
import { escape } from '../board/format.js';
import { figuresHtml, listHtml, queryFrom, searchOf, traceHeaderHtml, waterfallHtml } from './render.js';

const byId = (id: string): HTMLElement => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`traces: #${id} missing`);
  return element;
};

/** GET as JSON; a refusal becomes an Error with the API's own message. */
async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  const body = (await response.json().catch(() => undefined)) as
    (T & { error?: { code?: string; message?: string } }) | undefined;
  if (!response.ok || body === undefined) {
    const reason = body?.error?.message ?? `${response.status} ${response.statusText}`;
    throw new Error(`GET ${path}: ${reason}`);
  }
  return body;
}

const problem = (error: unknown): string => `<p class="err" role="alert">${escape(String(error))}</p>`;

function fillForm(query: TraceQuery): void {
  const { signal_id, lane, outcome, min_ms } = query;
  const values: Record<string, string | number | undefined> = { signal_id, lane, outcome, min_ms };
  for (const [name, value] of Object.entries(values)) {
    const field = document.getElementById(name) as HTMLInputElement | HTMLSelectElement | null;
    if (field && value !== undefined) field.value = String(value);
  }
}

async function showTrace(id: string, list: Promise<TraceList | undefined>): Promise<void> {
  const section = byId('trace-section');
  section.hidden = false;
  try {
    const trace = await getJson<TraceDetail>(`/traces/${encodeURIComponent(id)}`);
    byId('trace').innerHTML = traceHeaderHtml(trace);
    byId('trace').dataset.traceId = trace.trace_id;
    byId('trace-figures').innerHTML = figuresHtml(trace, (await list)?.averages);
    byId('waterfall').innerHTML = waterfallHtml(trace);
    document.title = `Trace ${trace.signal_id ?? trace.trace_id} · TPS Reference System`;
  } catch (error) {
    byId('trace').innerHTML = problem(error);
  }
}

async function main(): Promise<void> {
  const query = queryFrom(location.search);
  fillForm(query);
  const id = /^\/traces\/view\/([^/]+)$/.exec(location.pathname)?.[1];
  const list = getJson<TraceList>(`/traces${searchOf(query)}`).then(
    (answer) => {
      byId('list').innerHTML = listHtml(answer);
      byId('averages').innerHTML = figuresHtml(undefined, answer.averages);
      return answer;
    },
    (error: unknown) => {
      byId('list').innerHTML = problem(error);
      byId('averages').innerHTML = '';
      return undefined;
    },
  );
  let shown = id === undefined ? undefined : decodeURIComponent(id);
  // Looking a signal up by its id: open its trace straight away when there is just one.
  if (shown === undefined && query.signal_id !== undefined) {
    const found = await list;
    if (found?.traces.length === 1) shown = found.traces[0]?.trace_id;
  }
  if (shown !== undefined) await showTrace(shown, list);
  await list;
  document.body.dataset.ready = 'true';
}

void main();
