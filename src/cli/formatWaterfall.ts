import { spanLabel, type TraceDetail, type TraceSpan } from '../domain/traces.js';

const WORK = '█';
const WAIT = '░';

/** Spans as a tree, each after its parent (children in start order); a span whose parent is elsewhere is a root. */
function inTreeOrder(spans: readonly TraceSpan[]): { span: TraceSpan; depth: number }[] {
  const ids = new Set(spans.map((span) => span.span_id));
  const children = new Map<string | undefined, TraceSpan[]>();
  for (const span of [...spans].sort((a, b) => a.start_ms - b.start_ms)) {
    const parent =
      span.parent_span_id !== undefined && ids.has(span.parent_span_id) ? span.parent_span_id : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const ordered: { span: TraceSpan; depth: number }[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      ordered.push({ span, depth });
      visit(span.span_id, depth + 1);
    }
  };
  visit(undefined, 0);
  return ordered;
}

const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`);

/**
 * One trace as a text waterfall: a line per span, indented under its parent, with a bar placed on the
 * trace's time axis (█ work, ░ wait) and ✗ where the span failed.
 */
export function formatWaterfall(trace: TraceDetail, width = 40): string {
  const total = Math.max(trace.lead_time_ms, 0.001);
  const rows = inTreeOrder(trace.spans).map(({ span, depth }) => {
    const from = Math.min(width - 1, Math.floor((span.start_ms / total) * width));
    const length = Math.max(1, Math.round((span.duration_ms / total) * width));
    const bar =
      ' '.repeat(from) + (span.stage === 'wait' ? WAIT : WORK).repeat(Math.min(length, width - from));
    const label = `${'  '.repeat(depth)}${spanLabel(span)}`;
    const failed = span.status === 'error' ? ` ✗ ${span.error ?? 'failed'}` : '';
    return { label, service: span.service, bar: bar.padEnd(width), time: ms(span.duration_ms), failed };
  });
  const labelWidth = Math.max(...rows.map((row) => row.label.length), 4);
  const serviceWidth = Math.max(...rows.map((row) => row.service.length), 7);
  const lines = rows.map(
    (row) =>
      `${row.label.padEnd(labelWidth)}  ${row.service.padEnd(serviceWidth)}  │${row.bar}│ ${row.time.padStart(9)}${row.failed}`,
  );
  const header =
    `trace ${trace.trace_id}  signal ${trace.signal_id ?? '?'} (${trace.lane ?? '?'})  ${trace.outcome}\n` +
    `lead ${ms(trace.lead_time_ms)} = process ${ms(trace.process_time_ms)} + wait ${ms(trace.wait_time_ms)}; ` +
    `process-cycle efficiency ${(trace.pce * 100).toFixed(1)} %   (${WORK} work, ${WAIT} wait)`;
  return `${header}\n\n${lines.join('\n')}`;
}
