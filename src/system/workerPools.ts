import type { Config } from '../config/index.js';
import type { LaneName } from '../domain/signal.js';
import { createDownstreamClient, type DownstreamClient } from '../services/downstream/DownstreamClient.js';
import { createSignalProcessor } from '../services/worker/signalProcessor.js';
import { WorkerPool } from '../services/worker/WorkerPool.js';
import { primaryBackendOf, type LaneStats, type WorkQueue } from '../queue/WorkQueue.js';
import { shareCapacity } from '../tps/heijunka/index.js';
import type { StatusStore } from '../store/StatusStore.js';
import type { Logger } from '../telemetry/logger.js';
import { laneBreakerName, type Breaker, type Line } from '../tps/jidoka/index.js';
import type { Instruments } from './instruments.js';

/** The breaker that guards each lane's calls to service C; the line stops a lane while its breaker is open. */
export const createLaneBreakers = (
  lanes: readonly LaneName[],
  instruments: Instruments,
): Record<LaneName, Breaker> =>
  Object.fromEntries(lanes.map((lane) => [lane, instruments.makeBreaker(laneBreakerName(lane))])) as Record<
    LaneName,
    Breaker
  >;

export interface WorkerPools {
  pools: Partial<Record<LaneName, WorkerPool>>;
  start(): void;
  /** Stops pulling; work in hand gets until `deadline` (epoch ms), then is released for redelivery. */
  close(deadline: number): Promise<void>;
}

/** A pool per lane, each worker processing through the lane's breaker to service C (`downstreamUrl`). */
export function createWorkerPools(options: {
  config: Config;
  logger: Logger;
  instruments: Instruments;
  queue: WorkQueue;
  store: StatusStore;
  line: Line;
  lanes: readonly LaneName[];
  laneBreakers: Partial<Record<LaneName, Breaker>>;
  downstreamUrl: string;
}): WorkerPools {
  const { config, instruments, queue, store, line } = options;
  const { clock, metrics, flow } = instruments;
  const clients: DownstreamClient[] = [];
  const pools: Partial<Record<LaneName, WorkerPool>> = {};
  const ceilingOf = sharedBudget(config, () => Object.values(pools));
  for (const lane of options.lanes) {
    const breaker = options.laneBreakers[lane];
    if (!breaker) throw new Error(`no breaker for the ${lane} lane`);
    const downstream = createDownstreamClient({
      service: 'service-c',
      url: options.downstreamUrl,
      breaker,
      // The worker's call starts the chain's budget: C and B pass on what is left of it.
      timeoutMs: config.downstreamTimeoutMs,
      metrics,
      observe: (service, ok) => flow.downstreamCall(service, ok),
      tracer: instruments.tracing.tracerFor('worker'),
    });
    clients.push(downstream);
    pools[lane] = new WorkerPool({
      lane,
      queue,
      line,
      process: createSignalProcessor({
        lane,
        store,
        downstream,
        config,
        clock,
        observer: instruments.signalObserver,
        tracer: instruments.tracing.tracerFor('worker'),
        messagingSystem: primaryBackendOf(queue),
      }),
      settings: config.pools[lane],
      autoscale: config.autoscale
        ? {
            intervalMs: config.autoscaleIntervalMs,
            scaleUpBacklogPerWorker: config.scaleUpBacklogPerWorker,
            step: config.scaleStep,
            cooldownMs: config.scaleCooldownMs,
            idleMs: config.scaleIdleMs,
          }
        : undefined,
      ...(ceilingOf ? { ceiling: (stats: Record<LaneName, LaneStats>) => ceilingOf(lane, stats) } : {}),
      clock,
      logger: options.logger.child({ component: 'worker', pool: lane }),
    });
  }
  const all = () => Object.values(pools);
  return {
    pools,
    start: () => all().forEach((pool) => pool.start()),
    close: async (deadline) => {
      await Promise.all(all().map((pool) => pool.close(Math.max(0, deadline - clock.now()))));
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

/** Under WORKER_BUDGET, each pool's ceiling from every pool's busy workers and backlog (Heijunka's rebalancing). */
function sharedBudget(config: Config, pools: () => WorkerPool[]) {
  if (config.workerBudget === 0) return undefined;
  return (lane: LaneName, stats: Record<LaneName, LaneStats>): number => {
    const demands = pools().map((pool) => {
      const { min, max, busy } = pool.snapshot();
      return { name: pool.lane, min, max, demand: busy + stats[pool.lane].depth };
    });
    return shareCapacity(demands, config.workerBudget)[lane] ?? config.pools[lane].max;
  };
}
