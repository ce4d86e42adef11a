import { setTimeout as sleep } from 'node:timers/promises';
import { createEmbeddedChaos } from '../chaos/embeddedChaos.js';
import { ConfigError, loadConfig, type Config, type Settings } from '../config/index.js';
import { LANES, type LaneName } from '../domain/signal.js';
import { createMemoryWorkQueue } from '../queue/memory/index.js';
import type { LaneStats } from '../queue/WorkQueue.js';
import { startDownstreamChain } from '../services/downstream/downstreamChain.js';
import type { WorkerPool } from '../services/worker/WorkerPool.js';
import { createMemoryStatusStore } from '../store/memory/index.js';
import { TracedStatusStore } from '../store/TracedStatusStore.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { createLine } from '../tps/jidoka/index.js';
import { createApiSide } from './apiSide.js';
import { logDrained, outcomeTotals } from './drainReport.js';
import { createInstruments } from './instruments.js';
import { observeParts, recordChaos } from './observeParts.js';
import { workQueueLimits } from './workQueueLimits.js';
import { createLaneBreakers, createWorkerPools } from './workerPools.js';

export { signalView } from './apiSide.js';

export interface EmbeddedSystem {
  url: string;
  config: Config;
  /** Drains: intake answers 503, the queue is worked off as far as time allows, then everything closes. */
  close(): Promise<void>;
  /** The running parts, for tests and experiments that need to look inside. */
  parts: Awaited<ReturnType<typeof wire>>;
}

/** Everything in one process: API, memory queue, worker pools, downstream chain C → B → A, andon. */
export async function startEmbeddedSystem(
  overrides: Partial<Settings> = {},
  options: { env?: NodeJS.ProcessEnv; logger?: Logger } = {},
): Promise<EmbeddedSystem> {
  const config = loadConfig(options.env ?? process.env, overrides);
  if (config.queueBackend !== 'memory') {
    throw new ConfigError(
      `QUEUE_BACKEND=${config.queueBackend} is for the distributed mode (tps api, tps worker, tps downstream); ` +
        'the embedded system (tps start, npm start) runs on QUEUE_BACKEND=memory',
    );
  }
  const logger = options.logger ?? createLogger(config.logLevel);
  const parts = await wire(config, logger);
  const url = await parts.api.listen({ host: config.host, port: config.port });
  parts.workers.start();
  logger.info({ url, backend: 'memory', durable: false }, 'embedded system running');
  return { url, config, parts, close: parts.close };
}

async function wire(config: Config, logger: Logger) {
  const instruments = await createInstruments(config, logger);
  const { clock, metrics, flow, board, breakers, makeBreaker } = instruments;
  let draining = false;

  // One store; its writes are spans of the role that makes them, the API's or the workers', as in the
  // distributed mode.
  const memoryStore = createMemoryStatusStore({
    maxRecords: config.statusMaxRecords,
    retentionMs: config.statusRetentionMs,
    payloadBudgetBytes: config.statusPayloadBudgetBytes,
    clock,
  });
  const store = new TracedStatusStore(memoryStore, instruments.tracing.tracerFor('api'), {
    system: 'memory',
  });
  const workerStore = store.tracedBy(instruments.tracing.tracerFor('worker'));
  const queue = createMemoryWorkQueue(workQueueLimits(config), { clock });
  const chain = await startDownstreamChain({
    config,
    logger,
    metrics,
    createBreaker: makeBreaker,
    tracer: instruments.tracing.tracerFor('downstream'),
    observe: (service, ok) => flow.downstreamCall(service, ok),
  });
  const laneBreakers = createLaneBreakers(LANES, instruments);
  // The queue backend's own client keeps the time limits of a publish; the breaker only counts failures.
  const queueBreaker = makeBreaker('queue', false);
  const line = createLine({ lanes: LANES, laneBreakers, halfOpenProbes: config.breakerProbes, clock });
  const workers = createWorkerPools({
    config,
    logger,
    instruments,
    queue,
    store: workerStore,
    line,
    lanes: LANES,
    laneBreakers,
    downstreamUrl: chain.urls['service-c'],
  });
  const pools = workers.pools as Record<LaneName, WorkerPool>;

  const chaos = createEmbeddedChaos({
    behaviours: chain.behaviours,
    pools,
    queue,
    cascadeLatencyMs: config.downstreamTimeoutMs * 2,
    onChange: recordChaos(logger, instruments),
  });

  const disposables = observeParts({ logger, instruments, line, pools: Object.values(pools), queue, store });

  const apiSide = await createApiSide({
    mode: 'embedded',
    config,
    logger,
    instruments,
    queue,
    store,
    storeInfo: { backend: 'memory', durable: false, payloads: () => memoryStore.payloadRetention() },
    line,
    queueBreaker,
    chaos,
    pools: () => LANES.map((lane) => pools[lane].snapshot()),
    behaviours: chain.behaviours,
    draining: () => draining,
  });

  const close = async () => {
    if (draining) return;
    draining = true;
    const startedAt = clock.now();
    const deadline = startedAt + config.shutdownTimeoutMs;
    const before = await outcomeTotals(metrics);
    const waiting = unfinished(await queue.stats());
    // The memory queue dies with the process, so the workers first empty it, as far as the time allows.
    logger.info(
      { queued_or_in_flight: waiting, grace_ms: config.shutdownTimeoutMs },
      `draining: intake answers 503, workers finish the ${waiting} queued and in-flight signals`,
    );
    await waitUntil(async () => unfinished(await queue.stats()) === 0, deadline);
    await workers.close(deadline);
    logDrained(logger, {
      before,
      after: await outcomeTotals(metrics),
      left: unfinished(await queue.stats()),
      graceMs: config.shutdownTimeoutMs,
      tookMs: clock.now() - startedAt,
    });
    await apiSide.close();
    await chain.close();
    for (const disposable of disposables) disposable.dispose();
    await queue.close();
    await store.close();
    logger.info('stopped');
  };

  return {
    api: apiSide.app,
    refresh: apiSide.status,
    store,
    queue,
    workers,
    pools,
    line,
    breakers,
    laneBreakers,
    chain,
    chaos,
    board,
    flow,
    metrics,
    close,
  };
}

const unfinished = (stats: Record<LaneName, LaneStats>): number =>
  LANES.reduce((sum, lane) => sum + stats[lane].depth + stats[lane].inflight, 0);

async function waitUntil(done: () => Promise<boolean>, deadline: number): Promise<void> {
  while (!(await done()) && Date.now() < deadline) await sleep(20);
}
