import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceDetail, TraceList, TraceSpan } from '../../domain/traces.js';
import { figuresHtml, groupByService, listHtml, queryFrom, searchOf, waterfallHtml } from './render.js';

const span = (over: Partial<TraceSpan> & Pick<TraceSpan, 'span_id' | 'service' | 'name'>): TraceSpan => ({
  kind: 'internal',
  stage: 'work',
  start_ms: 0,
  duration_ms: 1,
  status: 'ok',
  attributes: {},
  ...over,
});

/** A fixture in the shape of src/domain/traces.ts: one signal through the API, the queue, a worker and C → B → A. */
const TRACE: TraceDetail = {
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  signal_id: 'sig-<1>',
  signal_type: 'execute',
  lane: 'fast',
  outcome: 'completed',
  started_at: '2025-01-01T10:00:00.000Z',
  duration_ms: 100,
  span_count: 6,
  error: true,
  services: ['api', 'queue', 'worker', 'service-c', 'service-b', 'service-a'],
  lead_time_ms: 100,
  process_time_ms: 60,
  wait_time_ms: 40,
  pce: 0.6,
  spans: [
    span({ span_id: 'w', service: 'worker', name: 'process execute', start_ms: 40, duration_ms: 60 }),
    span({ span_id: 'c', service: 'service-c', name: 'POST /c', start_ms: 45, duration_ms: 50 }),
    span({
      span_id: 'c0',
      service: 'service-c',
      name: 'POST /c (first try)',
      start_ms: 42,
      duration_ms: 2,
      status: 'error',
      error: 'service-c answered 503',
    }),
    span({
      span_id: 'q',
      service: 'queue',
      name: 'queued in fast',
      stage: 'wait',
      start_ms: 2,
      duration_ms: 38,
    }),
    span({ span_id: 'a', service: 'api', name: 'POST /signal', kind: 'server', start_ms: 0, duration_ms: 2 }),
    span({ span_id: 'x', service: 'custom', name: 'something else', start_ms: 96, duration_ms: 4 }),
  ],
};

describe('trace viewer rendering', () => {
  it('groups spans per service in the order a signal meets them, each group by start time', () => {
    const groups = groupByService(TRACE.spans);
    assert.deepEqual(
      groups.map(([service, spans]) => [service, spans.map((s) => s.span_id)]),
      [
        ['api', ['a']],
        ['queue', ['q']],
        ['worker', ['w']],
        ['service-c', ['c0', 'c']],
        ['custom', ['x']],
      ],
    );
  });

  it('draws wait and work apart, places bars on one time axis, and marks errors in words', () => {
    const html = waterfallHtml(TRACE);
    assert.match(html, /data-span="q" data-service="queue" data-stage="wait"/);
    assert.match(html, /queued in fast<\/span> <span class="small">waiting · 38\.0 ms at \+2\.0 ms/);
    assert.match(html, /left:40\.00%;width:60\.00%/, 'the worker span starts at 40 % of the lead time');
    assert.match(html, /data-status="error">.*<strong class="err">ERROR<\/strong>: service-c answered 503/);
    assert.match(html, /1 ERROR/);
    // service-c: a 2 ms try at 42, then 50 ms at 45: 52 ms of work.
    assert.match(
      html,
      /data-service-group="service-c"><h3>service-c <span class="small">2 spans · work 52\.0 ms/,
    );
    assert.match(html, /Solid blue: work.*Striped grey: waiting.*Red, marked ERROR/);
  });

  it('gives a service the wall time its work covered, nested spans counted once', () => {
    const nested: TraceDetail = {
      ...TRACE,
      duration_ms: 271,
      spans: [
        span({ span_id: 'p', service: 'worker', name: 'process execute', start_ms: 0, duration_ms: 271 }),
        span({ span_id: 'n1', service: 'worker', name: 'call service-c', start_ms: 10, duration_ms: 250 }),
        span({ span_id: 'n2', service: 'worker', name: 'write status', start_ms: 261, duration_ms: 8 }),
      ],
    };
    assert.match(waterfallHtml(nested), /worker <span class="small">3 spans · work 271 ms/);
  });

  it('escapes what comes from the data', () => {
    const list: TraceList = {
      traces: [TRACE],
      averages: { lead_time_ms: 50, process_time_ms: 20, wait_time_ms: 30, pce: 0.4, count: 7 },
      capacity: 1000,
    };
    const html = listHtml(list);
    assert.match(html, /sig-&lt;1&gt;/);
    assert.doesNotMatch(html, /sig-<1>/);
    assert.match(html, /href="\/traces\/view\/4bf92f3577b34da6a3ce929d0e0e4736"/);
    assert.match(html, /completed<\/span> <strong class="err">error<\/strong>/);
  });

  it('tells the value-stream figures of the trace beside the recent average', () => {
    const html = figuresHtml(TRACE, {
      lead_time_ms: 50,
      process_time_ms: 20,
      wait_time_ms: 30,
      pce: 0.4,
      count: 7,
    });
    assert.match(html, /Average of 7 recent/);
    assert.match(html, /Lead time<\/th><td class="num">100 ms<\/td><td class="num">50\.0 ms/);
    assert.match(html, /Process-cycle efficiency<\/th><td class="num">60 %<\/td><td class="num">40 %/);
    assert.match(figuresHtml(undefined, { ...TRACE, count: 0 }), /No finished traces yet/);
  });

  it('reads the filters from the address and writes the API query', () => {
    const query = queryFrom('?lane=fast&outcome=error&min_ms=50&signal_id=%20abc%20&bogus=1&outcome2=x');
    assert.deepEqual(query, { lane: 'fast', outcome: 'error', min_ms: 50, signal_id: 'abc' });
    assert.equal(searchOf(query), '?lane=fast&outcome=error&min_ms=50&signal_id=abc');
    assert.deepEqual(queryFrom('?outcome=nonsense&min_ms=-3&lane='), {});
    assert.equal(searchOf({}), '');
  });
});
