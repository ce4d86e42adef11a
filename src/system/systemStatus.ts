import type { ChaosState } from '../chaos/ChaosControl.js';
import { LANES, type LaneName } from '../domain/signal.js';
import type { SloView, SystemStatus } from '../domain/status.js';
import type { LaneStats } from '../queue/WorkQueue.js';
import type { DownstreamServiceName, ServiceBehaviour } from '../services/downstream/ServiceBehaviour.js';
import type { PoolSnapshot } from '../services/worker/WorkerPool.js';
import type { AndonBoard, AndonInput } from '../tps/andon/index.js';
import type { BreakerSnapshot, Line } from '../tps/jidoka/index.js';
import { taktAndCycle } from '../tps/valuestream/index.js';
import type { FlowPercentiles, FlowRates } from './FlowStats.js';

const iso = (ms: number) => new Date(ms).toISOString();

export interface StatusParts {
  mode: SystemStatus['mode'];
  startedAt: number;
  now: number;
  draining: boolean;
  lanes: Record<LaneName, LaneStats>;
  pools: PoolSnapshot[];
  restartsLastMinute: Record<LaneName, number>;
  breakers: BreakerSnapshot[];
  line: Line;
  queue: { backend: string; durable: boolean; available: boolean; cause?: string };
  behaviours: Partial<Record<DownstreamServiceName, ServiceBehaviour>>;
  downstreamErrorRate: (service: DownstreamServiceName) => number;
  rates: FlowRates;
  chaos: ChaosState;
}

/** What the andon derives its stations from. */
export function andonInput(parts: StatusParts): AndonInput {
  return {
    api: {
      errorRate: parts.rates.error_rate,
      requestsPerSecond: parts.rates.requests_per_s,
      draining: parts.draining,
    },
    line: parts.line.snapshot(),
    lanes: LANES.map((lane) => ({ lane, ...parts.lanes[lane] })),
    pools: parts.pools.map((pool) => ({ ...pool, restartsLastMinute: parts.restartsLastMinute[pool.pool] })),
    breakers: parts.breakers,
    queue: parts.queue,
    downstream: Object.values(parts.behaviours).map((behaviour) => ({
      service: behaviour.service,
      injectedLatencyMs: behaviour.injected.latencyMs,
      injectedErrorRate: behaviour.injected.errorRate,
      errorRate: parts.downstreamErrorRate(behaviour.service),
    })),
  };
}

/** The `/status` answer, in the API's snake_case. */
export function systemStatus(
  parts: StatusParts,
  board: AndonBoard,
  percentiles: FlowPercentiles,
  slos: SloView[],
): SystemStatus {
  const line = parts.line.snapshot();
  return {
    mode: parts.mode,
    generated_at: iso(parts.now),
    uptime_s: Math.round((parts.now - parts.startedAt) / 1000),
    andon: {
      overall: board.overall(),
      stations: board.stations().map((station) => ({ ...station, since: iso(station.since) })),
      events: board.events(30).map((event) => ({ ...event, at: iso(event.at) })),
    },
    cords: [
      { scope: 'line' as const, ...line.line, since: iso(line.line.since) },
      ...LANES.map((lane) => ({ scope: lane, ...line.lanes[lane], since: iso(line.lanes[lane].since) })),
    ],
    lanes: LANES.map((lane) => {
      const stats = parts.lanes[lane];
      const admission = parts.line.intake(lane);
      return {
        lane,
        depth: stats.depth,
        capacity: stats.capacity,
        inflight: stats.inflight,
        wip_limit: stats.wipLimit,
        dead_lettered: stats.deadLettered,
        running: admission.ok,
        ...(admission.ok ? {} : { stopped_cause: admission.cause }),
      };
    }),
    pools: parts.pools.map((pool) => ({
      pool: pool.pool,
      size: pool.size,
      busy: pool.busy,
      min: pool.min,
      max: pool.max,
      ceiling: pool.ceiling,
      restarts: pool.restarts,
      scale_ups: pool.scaleUps,
      scale_downs: pool.scaleDowns,
      ...(pool.lastScale ? { last_scale: { ...pool.lastScale, at: iso(pool.lastScale.at) } } : {}),
    })),
    breakers: parts.breakers.map((breaker) => ({
      name: breaker.name,
      state: breaker.state,
      since: iso(breaker.since),
      threshold: breaker.threshold,
      consecutive_failures: breaker.consecutiveFailures,
      total_failures: breaker.totalFailures,
      opens: breaker.opens,
      ...(breaker.lastFailure ? { last_failure: breaker.lastFailure } : {}),
      ...(breaker.nextProbeAt === undefined ? {} : { next_probe_at: iso(breaker.nextProbeAt) }),
      ...(breaker.probesRemaining === undefined ? {} : { probes_remaining: breaker.probesRemaining }),
    })),
    queue: parts.queue,
    downstream: Object.values(parts.behaviours).map((behaviour) => ({
      service: behaviour.service,
      base_latency_ms: behaviour.baseLatencyMs,
      injected_latency_ms: behaviour.injected.latencyMs,
      injected_error_rate: behaviour.injected.errorRate,
    })),
    rates: parts.rates,
    percentiles_ms: percentiles,
    chaos: { active: parts.chaos.active },
    slos,
    // The distributed API sees arrivals, but its workers' completions happen in other processes.
    value_stream: Object.fromEntries(
      LANES.map((lane) => [
        lane,
        taktAndCycle(
          parts.rates.accepted_per_s[lane],
          parts.rates.completed_per_s[lane],
          parts.mode === 'embedded',
        ),
      ]),
    ) as SystemStatus['value_stream'],
  };
}
