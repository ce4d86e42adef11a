import { LANES } from '../domain/signal.js';
import type { PoolSnapshot } from '../services/worker/WorkerPool.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { AndonBoard } from '../tps/andon/index.js';
import type { Breaker } from '../tps/jidoka/index.js';
import type { StatusParts } from './systemStatus.js';

const BREAKER_STATE = { closed: 0, half_open: 1, open: 2 } as const;
const LEVEL = { green: 0, yellow: 1, red: 2 } as const;
const FAULTS = ['downstream_latency', 'downstream_errors', 'queue_down', 'cascade'] as const;

/**
 * Counters whose series would otherwise appear only at their first event, at 1: Prometheus's increase() cannot
 * see that first event (it needs two samples), so the first restart or dead letter would raise no alert.
 */
export function startCountersAtZero(metrics: Metrics): void {
  for (const lane of LANES) {
    metrics.workerRestarts.inc({ pool: lane }, 0);
    metrics.deadLetters.inc({ lane }, 0);
    for (const direction of ['up', 'down']) metrics.poolScaleEvents.inc({ pool: lane, direction }, 0);
  }
}

/** circuit_breaker_state of each breaker as it is now: 0 closed, 1 half-open, 2 open. */
export function setBreakerStates(
  metrics: Metrics,
  breakers: readonly Pick<Breaker, 'name' | 'state'>[],
): void {
  for (const breaker of breakers) {
    metrics.breakerState.set({ breaker: breaker.name }, BREAKER_STATE[breaker.state]);
  }
}

/** worker_pool_size, worker_pool_busy and worker_pool_max of each pool as it is now. */
export function setPoolGauges(metrics: Metrics, pools: readonly PoolSnapshot[]): void {
  for (const pool of pools) {
    metrics.poolSize.set({ pool: pool.pool }, pool.size);
    metrics.poolBusy.set({ pool: pool.pool }, pool.busy);
    metrics.poolMax.set({ pool: pool.pool }, pool.max);
  }
}

/** The gauges of the contract, set from the state the andon tick just gathered. */
export function updateGauges(metrics: Metrics, parts: StatusParts, board: AndonBoard): void {
  for (const lane of LANES) {
    const stats = parts.lanes[lane];
    metrics.queueDepth.set({ lane }, stats.depth);
    metrics.queueCapacity.set({ lane }, stats.capacity);
    metrics.queueInflight.set({ lane }, stats.inflight);
  }
  setPoolGauges(metrics, parts.pools);
  setBreakerStates(metrics, parts.breakers);
  for (const station of board.stations()) {
    metrics.andonLevel.set({ station: station.id }, LEVEL[station.level]);
  }
  for (const fault of FAULTS) {
    metrics.chaosActive.set({ fault }, parts.chaos.active.includes(fault) ? 1 : 0);
  }
}
