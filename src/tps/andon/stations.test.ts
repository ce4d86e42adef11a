import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock.js';
import type { BreakerSnapshot, Cord } from '../jidoka/index.js';
import {
  deriveStations,
  laneBreakerName,
  worstLevel,
  type AndonInput,
  type StationState,
} from './stations.js';

const NOW = 100_000;
const clock = new ManualClock(NOW);

const closedBreaker = (name: string, overrides: Partial<BreakerSnapshot> = {}): BreakerSnapshot => ({
  name,
  state: 'closed',
  since: 0,
  threshold: 10,
  halfOpenProbes: 3,
  consecutiveFailures: 0,
  totalFailures: 0,
  totalSuccesses: 0,
  opens: 0,
  transitions: [],
  ...overrides,
});

const cordIn: Cord = { pulled: false, since: 0 };

/** A system where everything is fine; each test changes one reading. */
const healthy = (): AndonInput => ({
  api: { errorRate: 0, requestsPerSecond: 12.34, draining: false },
  line: { line: { ...cordIn }, lanes: { fast: { ...cordIn }, slow: { ...cordIn } } },
  lanes: [
    { lane: 'fast', depth: 12, capacity: 1000, inflight: 3, wipLimit: 10, deadLettered: 0 },
    { lane: 'slow', depth: 0, capacity: 1000, inflight: 0, wipLimit: 5, deadLettered: 0 },
  ],
  pools: [
    { pool: 'fast', size: 4, busy: 3, min: 2, max: 8, restartsLastMinute: 0 },
    { pool: 'slow', size: 2, busy: 0, min: 1, max: 4, restartsLastMinute: 0 },
  ],
  breakers: [closedBreaker(laneBreakerName('fast')), closedBreaker('service-c')],
  queue: { backend: 'memory', available: true },
  downstream: [{ service: 'service-c', injectedLatencyMs: 0, injectedErrorRate: 0, errorRate: 0 }],
});

function stationOf(input: AndonInput, id: string): StationState {
  const found = deriveStations(input, clock).find((station) => station.id === id);
  assert.ok(found, `no station ${id}`);
  return found;
}

const levelAndCause = (input: AndonInput, id: string) => {
  const { level, cause } = stationOf(input, id);
  return { level, cause };
};

describe('deriveStations', () => {
  it('shows every part of the system green, with how it stands in words', () => {
    assert.deepEqual(deriveStations(healthy(), clock), [
      { id: 'api', kind: 'api', level: 'green', cause: '12.3 req/s, 0% answered 5xx over the last minute' },
      { id: 'line', kind: 'line', level: 'green', cause: 'running: no andon cord pulled' },
      { id: 'lane:fast', kind: 'lane', level: 'green', cause: '12/1000 queued, 3/10 in flight' },
      { id: 'lane:slow', kind: 'lane', level: 'green', cause: '0/1000 queued, 0/5 in flight' },
      { id: 'pool:fast', kind: 'pool', level: 'green', cause: '3/4 workers busy, size 2–8' },
      { id: 'pool:slow', kind: 'pool', level: 'green', cause: '0/2 workers busy, size 1–4' },
      {
        id: 'breaker:lane:fast',
        kind: 'breaker',
        level: 'green',
        cause: 'closed: 0/10 consecutive failures; 0 calls ok, 0 failed',
      },
      {
        id: 'breaker:service-c',
        kind: 'breaker',
        level: 'green',
        cause: 'closed: 0/10 consecutive failures; 0 calls ok, 0 failed',
      },
      { id: 'queue', kind: 'queue', level: 'green', cause: 'memory available' },
      {
        id: 'downstream:service-c',
        kind: 'downstream',
        level: 'green',
        cause: 'callers see 0% of calls fail',
      },
    ]);
  });

  describe('breaker', () => {
    it('is yellow while half-open, saying how many probes are left', () => {
      const input = healthy();
      input.breakers = [closedBreaker('service-c', { state: 'half_open', probesRemaining: 1 })];
      assert.deepEqual(levelAndCause(input, 'breaker:service-c'), {
        level: 'yellow',
        cause: 'probing: 1 of 3 probes left',
      });
    });

    it('is red while open, with the last failure and the seconds to the next probe', () => {
      const input = healthy();
      input.breakers = [
        closedBreaker('service-c', {
          state: 'open',
          lastFailure: 'service-c answered 500',
          nextProbeAt: NOW + 12_300,
        }),
      ];
      assert.deepEqual(levelAndCause(input, 'breaker:service-c'), {
        level: 'red',
        cause: 'open: service-c answered 500; next probe in 13 s',
      });
    });

    it('says when the probe of an open breaker is due', () => {
      const input = healthy();
      input.breakers = [
        closedBreaker('service-c', { state: 'open', lastFailure: 'x', nextProbeAt: NOW - 1 }),
      ];
      assert.equal(stationOf(input, 'breaker:service-c').cause, 'open: x; probe due now');
    });
  });

  describe('lane', () => {
    it('is red when its andon cord is pulled, saying by whom and why', () => {
      const input = healthy();
      input.line.lanes.fast = { pulled: true, reason: 'bad deploy', by: 'ana', since: 0 };
      assert.deepEqual(levelAndCause(input, 'lane:fast'), {
        level: 'red',
        cause: 'andon cord pulled by ana: bad deploy (12/1000 queued, 3/10 in flight)',
      });
      assert.equal(stationOf(input, 'lane:slow').level, 'green');
    });

    it("is red when the whole line's cord is pulled", () => {
      const input = healthy();
      input.line.line = { pulled: true, reason: 'fire drill', since: 0 };
      assert.deepEqual(levelAndCause(input, 'lane:slow'), {
        level: 'red',
        cause: 'whole line stopped: andon cord pulled: fire drill (0/1000 queued, 0/5 in flight)',
      });
    });

    it('is red when its breaker is open, yellow while it probes', () => {
      const input = healthy();
      input.breakers = [
        closedBreaker('lane:fast', {
          state: 'open',
          lastFailure: 'timed out after 5000 ms',
          nextProbeAt: NOW,
        }),
      ];
      assert.deepEqual(levelAndCause(input, 'lane:fast'), {
        level: 'red',
        cause: 'breaker open: timed out after 5000 ms (12/1000 queued, 3/10 in flight)',
      });
      input.breakers = [closedBreaker('lane:fast', { state: 'half_open', probesRemaining: 2 })];
      assert.equal(stationOf(input, 'lane:fast').level, 'yellow');
    });

    it('is red when full, yellow from 80 % full, with the percentage and the counts', () => {
      const input = healthy();
      const fast = input.lanes[0]!;
      fast.depth = 1000;
      assert.deepEqual(levelAndCause(input, 'lane:fast'), {
        level: 'red',
        cause: '100% full (1000/1000 queued, 3/10 in flight)',
      });
      fast.depth = 800;
      assert.deepEqual(levelAndCause(input, 'lane:fast'), {
        level: 'yellow',
        cause: '80% full (800/1000 queued, 3/10 in flight)',
      });
      fast.depth = 799;
      assert.equal(stationOf(input, 'lane:fast').level, 'green');
    });

    it('names every abnormality, the worst first', () => {
      const input = healthy();
      input.lanes[0]!.depth = 900;
      input.line.lanes.fast = { pulled: true, reason: 'inspect', since: 0 };
      assert.deepEqual(levelAndCause(input, 'lane:fast'), {
        level: 'red',
        cause: 'andon cord pulled: inspect; 90% full (900/1000 queued, 3/10 in flight)',
      });
    });

    it('counts its dead letters in the cause', () => {
      const input = healthy();
      input.lanes[1]!.deadLettered = 2;
      assert.equal(stationOf(input, 'lane:slow').cause, '0/1000 queued, 0/5 in flight, 2 dead-lettered');
    });
  });

  describe('pool', () => {
    it('is yellow after workers restarted in the last minute', () => {
      const input = healthy();
      input.pools[0]!.restartsLastMinute = 2;
      assert.deepEqual(levelAndCause(input, 'pool:fast'), {
        level: 'yellow',
        cause: '2 worker restarts in the last minute (3/4 workers busy, size 2–8)',
      });
    });

    it('is yellow when saturated: every worker busy at the maximum size', () => {
      const input = healthy();
      input.pools[0] = { pool: 'fast', size: 8, busy: 8, min: 2, max: 8, restartsLastMinute: 0 };
      assert.deepEqual(levelAndCause(input, 'pool:fast'), {
        level: 'yellow',
        cause: 'saturated: every worker busy at the largest pool size (8/8 workers busy, size 2–8)',
      });
    });

    it('stays green when every worker is busy but the pool can still grow', () => {
      const input = healthy();
      input.pools[0] = { pool: 'fast', size: 4, busy: 4, min: 2, max: 8, restartsLastMinute: 0 };
      assert.equal(stationOf(input, 'pool:fast').level, 'green');
    });
  });

  describe('api', () => {
    it('is red while draining', () => {
      const input = healthy();
      input.api.draining = true;
      assert.deepEqual(levelAndCause(input, 'api'), {
        level: 'red',
        cause: 'draining: taking no new signals (12.3 req/s, 0% answered 5xx over the last minute)',
      });
    });

    it('is red from 5 % 5xx answers and yellow from 1 %', () => {
      const input = healthy();
      input.api.errorRate = 0.05;
      assert.deepEqual(levelAndCause(input, 'api'), {
        level: 'red',
        cause: '5xx share at or above 5% (12.3 req/s, 5% answered 5xx over the last minute)',
      });
      input.api.errorRate = 0.0499;
      assert.deepEqual(levelAndCause(input, 'api'), {
        level: 'yellow',
        cause: '5xx share at or above 1% (12.3 req/s, 4.9% answered 5xx over the last minute)',
      });
      input.api.errorRate = 0.0099;
      assert.equal(stationOf(input, 'api').level, 'green');
    });
  });

  describe('queue', () => {
    it('is red when the backend is unavailable, with the cause', () => {
      const input = healthy();
      input.queue = { backend: 'nats', available: false, cause: 'connection refused' };
      assert.deepEqual(levelAndCause(input, 'queue'), {
        level: 'red',
        cause: 'nats unavailable: connection refused',
      });
    });

    it('is yellow while running on its fallback', () => {
      const input = healthy();
      input.queue = { backend: 'nats+rabbitmq', available: true, fallbackActive: true, cause: 'nats down' };
      assert.deepEqual(levelAndCause(input, 'queue'), {
        level: 'yellow',
        cause: 'nats+rabbitmq running on its fallback: nats down',
      });
    });

    it('is yellow while its fallback is down, though intake goes on', () => {
      const input = healthy();
      input.queue = {
        backend: 'nats+rabbitmq',
        available: true,
        degraded: true,
        cause: 'no fallback: rabbitmq is down',
      };
      assert.deepEqual(levelAndCause(input, 'queue'), {
        level: 'yellow',
        cause: 'nats+rabbitmq degraded: no fallback: rabbitmq is down',
      });
    });
  });

  describe('downstream', () => {
    it('is yellow while a fault is injected, saying which', () => {
      const input = healthy();
      input.downstream = [
        { service: 'service-c', injectedLatencyMs: 5000, injectedErrorRate: 0.2, errorRate: 0.1 },
      ];
      assert.deepEqual(levelAndCause(input, 'downstream:service-c'), {
        level: 'yellow',
        cause: 'fault injected: +5000 ms latency, 20% errors (callers see 10% of calls fail)',
      });
    });

    it('is red when half the calls or more fail', () => {
      const input = healthy();
      input.downstream = [
        { service: 'service-c', injectedLatencyMs: 0, injectedErrorRate: 0, errorRate: 0.5 },
      ];
      assert.deepEqual(levelAndCause(input, 'downstream:service-c'), {
        level: 'red',
        cause: 'failing: 50% of calls or more (callers see 50% of calls fail)',
      });
    });
  });

  describe('line', () => {
    it("is red when the whole line's cord is pulled", () => {
      const input = healthy();
      input.line.line = { pulled: true, reason: 'fire drill', by: 'bo', since: 0 };
      assert.deepEqual(levelAndCause(input, 'line'), {
        level: 'red',
        cause: 'whole line stopped: andon cord pulled by bo: fire drill',
      });
    });

    it("is yellow while a lane's cord is pulled", () => {
      const input = healthy();
      input.line.lanes.slow = { pulled: true, reason: 'inspect', since: 0 };
      assert.deepEqual(levelAndCause(input, 'line'), {
        level: 'yellow',
        cause: 'lane slow stopped: andon cord pulled: inspect',
      });
    });
  });
});

describe('worstLevel', () => {
  it('is the most severe level, green for none', () => {
    assert.equal(worstLevel([]), 'green');
    assert.equal(worstLevel(['green', 'yellow', 'green']), 'yellow');
    assert.equal(worstLevel(['yellow', 'red', 'green']), 'red');
  });
});
