import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  detailTrace,
  matchesQuery,
  summarizeTrace,
  traceOutcome,
  type RecordedSpan,
} from './summarizeTrace.js';

const span = (
  overrides: Partial<RecordedSpan> & Pick<RecordedSpan, 'name' | 'start' | 'end'>,
): RecordedSpan => ({
  span_id: overrides.name,
  service: 'api',
  kind: 'internal',
  stage: 'work',
  status: 'ok',
  attributes: {},
  ...overrides,
});

const T0 = Date.UTC(2026, 0, 1);
const intake = span({
  name: 'POST /signal',
  start: T0,
  end: T0 + 2,
  attributes: { 'tps.signal_id': 's-1', 'tps.lane': 'fast', 'tps.signal_type': 'execute' },
});
const attempt = (n: number, outcome: string, start: number) =>
  span({
    name: `process fast ${n}`,
    parent_span_id: 'POST /signal',
    service: 'worker',
    start: T0 + start,
    end: T0 + start + 10,
    attributes: { 'tps.outcome': outcome },
  });

describe('traceOutcome', () => {
  it('is in progress before any worker has finished an attempt', () => {
    assert.equal(traceOutcome([intake]), 'in_progress');
  });

  it('is rejected when intake failed and no worker saw the signal', () => {
    assert.equal(traceOutcome([{ ...intake, status: 'error' }]), 'rejected');
  });

  it('is rejected when intake answered 4xx, which leaves an HTTP server span’s status unset', () => {
    const refused = { ...intake, attributes: { ...intake.attributes, 'http.response.status_code': 429 } };
    assert.equal(traceOutcome([refused]), 'rejected');
    assert.equal(summarizeTrace('t', [refused]).error, true);
    const accepted = { ...intake, attributes: { ...intake.attributes, 'http.response.status_code': 202 } };
    assert.equal(traceOutcome([accepted]), 'in_progress');
  });

  it('takes the latest attempt’s verdict', () => {
    assert.equal(traceOutcome([intake, attempt(2, 'completed', 50), attempt(1, 'retried', 10)]), 'completed');
    assert.equal(traceOutcome([intake, attempt(1, 'deferred', 10)]), 'retried');
  });

  it('ends dead-lettered when the queue gave up during the last attempt, and not after a replay', () => {
    const deadLetter = span({
      name: 'dead-letter',
      start: T0 + 15,
      end: T0 + 15,
      attributes: { 'tps.outcome': 'dead_lettered' },
    });
    assert.equal(traceOutcome([intake, attempt(1, 'retried', 10), deadLetter]), 'dead_lettered');
    assert.equal(
      traceOutcome([intake, attempt(1, 'retried', 10), deadLetter, attempt(2, 'completed', 40)]),
      'completed',
    );
  });

  it('ignores a duplicate delivery, which says nothing about the signal', () => {
    assert.equal(
      traceOutcome([intake, attempt(1, 'completed', 10), attempt(2, 'duplicate', 50)]),
      'completed',
    );
  });
});

describe('summarizeTrace and detailTrace', () => {
  const spans = [intake, attempt(1, 'completed', 8)];

  it('names the signal, its lane and the services that took part', () => {
    const summary = summarizeTrace('t1', spans);
    assert.equal(summary.signal_id, 's-1');
    assert.equal(summary.lane, 'fast');
    assert.equal(summary.signal_type, 'execute');
    assert.deepEqual(summary.services, ['api', 'worker']);
    assert.equal(summary.span_count, 2);
    assert.equal(summary.duration_ms, 18);
    assert.equal(summary.started_at, new Date(T0).toISOString());
    assert.equal(summary.error, false);
  });

  it('gives span times relative to the trace’s start, in start order', () => {
    const detail = detailTrace('t1', [...spans].reverse());
    assert.deepEqual(
      detail.spans.map((s) => [s.name, s.start_ms, s.duration_ms]),
      [
        ['POST /signal', 0, 2],
        ['process fast 1', 8, 10],
      ],
    );
  });
});

describe('matchesQuery', () => {
  const summary = summarizeTrace('t1', [intake, attempt(1, 'completed', 8)]);

  it('passes everything when no filter is set', () => {
    assert.equal(matchesQuery(summary, {}), true);
  });

  it('filters by lane, signal id, outcome and minimum duration', () => {
    assert.equal(matchesQuery(summary, { lane: 'slow' }), false);
    assert.equal(matchesQuery(summary, { signal_id: 's-2' }), false);
    assert.equal(matchesQuery(summary, { outcome: 'failed' }), false);
    assert.equal(matchesQuery(summary, { outcome: 'completed', lane: 'fast', min_ms: 18 }), true);
    assert.equal(matchesQuery(summary, { min_ms: 19 }), false);
  });

  it('takes outcome=error as any span failed', () => {
    assert.equal(matchesQuery(summary, { outcome: 'error' }), false);
    const failed = summarizeTrace('t2', [{ ...intake, status: 'error' }]);
    assert.equal(matchesQuery(failed, { outcome: 'error' }), true);
  });
});
