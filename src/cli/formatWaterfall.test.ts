import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceDetail, TraceSpan } from '../domain/traces.js';
import { formatWaterfall } from './formatWaterfall.js';

const span = (
  overrides: Partial<TraceSpan> & Pick<TraceSpan, 'span_id' | 'name' | 'start_ms' | 'duration_ms'>,
): TraceSpan => ({
  service: 'api',
  kind: 'internal',
  stage: 'work',
  status: 'ok',
  attributes: {},
  ...overrides,
});

const trace: TraceDetail = {
  trace_id: 'a'.repeat(32),
  signal_id: 's-1',
  lane: 'fast',
  outcome: 'completed',
  started_at: '2026-01-01T00:00:00.000Z',
  duration_ms: 100,
  span_count: 3,
  error: true,
  services: ['api', 'queue', 'worker'],
  lead_time_ms: 100,
  process_time_ms: 50,
  wait_time_ms: 50,
  pce: 0.5,
  spans: [
    span({
      span_id: 'w',
      parent_span_id: 'r',
      name: 'queue wait',
      service: 'queue',
      stage: 'wait',
      start_ms: 10,
      duration_ms: 40,
    }),
    span({ span_id: 'r', name: 'POST /signal', start_ms: 0, duration_ms: 10 }),
    span({
      span_id: 'p',
      parent_span_id: 'r',
      name: 'process fast',
      service: 'worker',
      start_ms: 50,
      duration_ms: 50,
      status: 'error',
      error: 'boom',
    }),
  ],
};

describe('formatWaterfall', () => {
  const lines = formatWaterfall(trace, 10).split('\n');

  it('heads the waterfall with the value-stream figures', () => {
    assert.match(lines[0] ?? '', /signal s-1 \(fast\)\s+completed/);
    assert.match(
      lines[1] ?? '',
      /lead 100\.0 ms = process 50\.0 ms \+ wait 50\.0 ms; process-cycle efficiency 50\.0 %/,
    );
  });

  it('puts children under their parent, indented, in start order', () => {
    const names = lines.slice(3).map((line) => line.replace(/\s+(api|queue|worker)\s+│.*$/, ''));
    assert.deepEqual(names, ['POST /signal', '  queue wait', '  process fast']);
  });

  it('draws each span on the trace’s time axis, wait apart from work, and marks failures', () => {
    const [root, wait, item] = lines.slice(3);
    assert.match(root ?? '', /│█ {9}│/);
    assert.match(wait ?? '', /│ ░░░░ {5}│/);
    assert.match(item ?? '', /│ {5}█████│\s+50\.0 ms ✗ boom/);
  });
});
