import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import type { PercentilesView, SystemStatus } from '../../domain/status.js';
import { createStyle } from '../Style.js';
import { renderStatus } from './status.js';

const NOW = Date.parse('2026-01-01T12:00:10Z');
const AT = '2026-01-01T12:00:00Z';
const none: PercentilesView = { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
const some: PercentilesView = { count: 40, p50: 12.34, p90: 20, p99: 1500, p999: 1600, max: 1700, mean: 15 };

const stopped: SystemStatus = {
  mode: 'embedded',
  generated_at: AT,
  uptime_s: 75,
  andon: {
    overall: 'red',
    stations: [
      { id: 'breaker:lane:fast', kind: 'breaker', level: 'red', cause: 'open after 10 failures', since: AT },
      { id: 'pool:fast', kind: 'pool', level: 'green', cause: '0/10 busy', since: AT },
    ],
    events: [{ at: AT, station: 'breaker:lane:fast', from: 'green', to: 'red', message: 'breaker opened' }],
  },
  cords: [{ scope: 'line', pulled: false, since: AT }],
  lanes: [
    {
      lane: 'fast',
      depth: 3,
      capacity: 1000,
      inflight: 0,
      wip_limit: 40,
      dead_lettered: 2,
      running: false,
      stopped_cause: 'breaker lane:fast open',
    },
  ],
  pools: [
    {
      pool: 'fast',
      size: 10,
      busy: 0,
      min: 2,
      max: 40,
      ceiling: 40,
      restarts: 1,
      scale_ups: 0,
      scale_downs: 0,
    },
  ],
  breakers: [
    {
      name: 'lane:fast',
      state: 'open',
      since: AT,
      threshold: 10,
      consecutive_failures: 10,
      total_failures: 12,
      opens: 1,
      last_failure: 'service-c answered 503',
      next_probe_at: '2026-01-01T12:00:30Z',
    },
  ],
  queue: { backend: 'memory', durable: false, available: true },
  downstream: [
    { service: 'service-c', base_latency_ms: 2, injected_latency_ms: 5000, injected_error_rate: 0 },
  ],
  rates: {
    intake_per_s: 4,
    accepted_per_s: { fast: 3, slow: 1 },
    completed_per_s: { fast: 0, slow: 1.25 },
    error_rate: 0.5,
    requests_per_s: 6,
  },
  value_stream: {
    fast: { takt_ms: 333.3, cycle_ms: null, keeping_up: false },
    slow: { takt_ms: 1000, cycle_ms: 800, keeping_up: true },
  },
  percentiles_ms: {
    intake: some,
    queue_wait: { fast: none, slow: some },
    processing: { fast: none, slow: some },
    lead_time: { fast: none, slow: some },
  },
  chaos: { active: ['downstream_latency'] },
  slos: [
    {
      name: 'intake-availability',
      objective: 'POST /signal answered without a 5xx',
      target: 0.999,
      sli: 0.98,
      error_budget_remaining: -19,
      burn_rates: { '5m': 20, '1h': 20, '6h': 20 },
      events: { good: 49, total: 50 },
    },
    {
      name: 'fast-lead-time',
      objective: 'completed fast-lane signals within 1000 ms lead time',
      target: 0.99,
      sli: null,
      error_budget_remaining: 1,
      burn_rates: { '5m': 0, '1h': 0, '6h': 0 },
      events: { good: 0, total: 0 },
    },
  ],
};

describe('renderStatus', () => {
  const terminal = createStyle({ isTTY: true } as NodeJS.WriteStream, {});

  it('colours levels on a terminal and still writes every level word', () => {
    const text = renderStatus(stopped, terminal, NOW);
    assert.ok(text.includes('\x1b['), 'colour codes on a terminal');
    const plain = stripVTControlCharacters(text);
    assert.match(plain, /andon red/);
    assert.match(
      plain,
      /^\s+red\s+breaker:lane:fast\s+open after 10 failures\s+\d\d:\d\d:\d\d \(10\.0 s ago\)$/m,
    );
    assert.match(plain, /^\s+green\s+pool:fast\s/m);
    assert.match(plain, /^\s+fast\s+3\/1000\s+0\s+40\s+2\s+stopped: breaker lane:fast open$/m);
    assert.match(
      plain,
      /^\s+lane:fast\s+open\s+10\/10, 12 total\s+1\s+service-c answered 503\s+.*\(in 20\.0 s\)$/m,
    );
    assert.match(plain, /green → red/);
  });

  it('keeps columns aligned whatever the colour codes', () => {
    const lines = stripVTControlCharacters(renderStatus(stopped, terminal, NOW)).split('\n');
    const heading = lines.find((line) => line.includes('LEVEL'));
    const row = lines.find((line) => line.includes('breaker:lane:fast') && line.includes('open after'));
    assert.ok(heading && row);
    assert.equal(row.indexOf('breaker:lane:fast'), heading.indexOf('STATION'));
  });

  it('shows no numbers for a measure with no samples, and formats slow ones in seconds', () => {
    const plain = renderStatus(stopped, createStyle({ isTTY: false } as NodeJS.WriteStream, {}), NOW);
    assert.ok(!plain.includes('\x1b['), 'no colour codes off a terminal');
    assert.match(plain, /^\s+lead time, fast\s+—\s+—\s+—\s+—\s+0$/m);
    assert.match(plain, /^\s+lead time, slow\s+12\.3 ms\s+20 ms\s+1\.5 s\s+1\.7 s\s+40$/m);
    assert.match(plain, /completed fast 0\/s, slow 1\.3\/s/);
    assert.match(plain, /errors 50%/);
  });

  it('compares takt time with cycle time per lane', () => {
    const plain = renderStatus(stopped, createStyle({ isTTY: false } as NodeJS.WriteStream, {}), NOW);
    assert.match(plain, /^TAKT time between arrivals/m);
    assert.match(plain, /^\s+fast\s+333\.3 ms\s+—\s+no: the queue grows$/m);
    assert.match(plain, /^\s+slow\s+1000 ms\s+800 ms\s+yes$/m);
  });

  it('shows each SLO with its target, SLI, budget left and burn rates', () => {
    const plain = renderStatus(stopped, createStyle({ isTTY: false } as NodeJS.WriteStream, {}), NOW);
    assert.match(plain, /^SLOS \(last 6 h\)$/m);
    assert.match(plain, /^\s+SLO\s+TARGET\s+SLI\s+BUDGET LEFT\s+BURN 5M\s+BURN 1H\s+BURN 6H\s+GOOD\/ALL$/m);
    assert.match(plain, /^\s+intake-availability\s+99\.9%\s+98%\s+-1900%\s+20×\s+20×\s+20×\s+49\/50$/m);
    assert.match(plain, /^\s+fast-lead-time\s+99%\s+—\s+100%\s+0×\s+0×\s+0×\s+0\/0$/m);
  });
});
