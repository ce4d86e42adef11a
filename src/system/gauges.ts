import { LANES } from '../domain/signal.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { AndonBoard } from '../tps/andon/index.js';
import type { StatusParts } from './systemStatus.js';

const BREAKER_STATE = { closed: 0, half_open: 1, open: 2 } as const;
const LEVEL = { green: 0, yellow: 1, red: 2 } as const;
const FAULTS = ['downstream_latency', 'downstream_errors', 'queue_down', 'cascade'] as const;

/** The gauges of the contract, set from the state the andon tick just gathered. */
export function updateGauges(metrics: Metrics, parts: StatusParts, board: AndonBoard): void {
  for (const lane of LANES) {
    const stats = parts.lanes[lane];
    metrics.queueDepth.set({ lane }, stats.depth);
    metrics.queueCapacity.set({ lane }, stats.capacity);
    metrics.queueInflight.set({ lane }, stats.inflight);
  }
  for (const pool of parts.pools) {
    metrics.poolSize.set({ pool: pool.pool }, pool.size);
    metrics.poolBusy.set({ pool: pool.pool }, pool.busy);
  }
  for (const breaker of parts.breakers) {
    metrics.breakerState.set({ breaker: breaker.name }, BREAKER_STATE[breaker.state]);
  }
  for (const station of board.stations()) {
    metrics.andonLevel.set({ station: station.id }, LEVEL[station.level]);
  }
  for (const fault of FAULTS) {
    metrics.chaosActive.set({ fault }, parts.chaos.active.includes(fault) ? 1 : 0);
  }
}
