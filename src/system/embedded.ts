import { setTimeout as sleep } from 'node:timers/promises';
import { createEmbeddedChaos } from '../chaos/embeddedChaos.js';
import { ConfigError, loadConfig, publicConfig, type Config, type Settings } from '../config/index.js';
import { LANES, type LaneName, type SignalRecord } from '../domain/signal.js';
import type { SystemStatus } from '../domain/status.js';
import { createMemoryWorkQueue } from '../queue/memory/index.js';
import type { LaneStats } from '../queue/WorkQueue.js';
import type { ApiDeps } from '../services/api/ApiDeps.js';
import { buildApiApp } from '../services/api/app.js';
import { createDeadLetterDesk } from '../services/api/deadLetterDesk.js';
import { createIntake } from '../services/api/Intake.js';
import { startDownstreamChain } from '../services/downstream/downstreamChain.js';
import type { WorkerPool } from '../services/worker/WorkerPool.js';
import { createMemoryStatusStore } from '../store/memory/index.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { deriveStations } from '../tps/andon/index.js';
import { createRouter } from '../tps/heijunka/index.js';
import { createLine } from '../tps/jidoka/index.js';
import { createInstruments } from './instruments.js';
import { createLaneBreakers, createWorkerPools } from './workerPools.js';
import { recordDeadLetter } from './deadLetterStatus.js';
import { updateGauges } from './gauges.js';
import { observeParts } from './observeParts.js';
import { andonInput, systemStatus, type StatusParts } from './systemStatus.js';
import { VERSION } from './version.js';

export interface EmbeddedSystem {
  url: string;
  config: Config;
  /** Drains: intake answers 503, work in hand finishes (or is released), then everything closes. */
  close(): Promise<void>;
  /** The running parts, for tests and experiments that need to look inside. */
  parts: ReturnType<typeof wire> extends Promise<infer P> ? P : never;
}

const STATUS_REFRESH_MS = 500;

/** Everything in one process: API, memory queue, worker pools, downstream chain C → B → A, andon. */
export async function startEmbeddedSystem(
  overrides: Partial<Settings> = {},
  options: { env?: NodeJS.ProcessEnv; logger?: Logger } = {},
): Promise<EmbeddedSystem> {
  const config = loadConfig(options.env ?? process.env, overrides);
  if (config.queueBackend !== 'memory') {
    throw new ConfigError(
      `QUEUE_BACKEND=${config.queueBackend} runs in distributed mode (tps api / tps worker), which this build does not ` +
        'have yet; the embedded system accepts QUEUE_BACKEND=memory',
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
  const instruments = createInstruments(config, logger);
  const { clock, metrics, flow, board, restarts, breakers, makeBreaker } = instruments;
  const startedAt = clock.now();
  const router = createRouter(config.routes);
  let draining = false;

  const store = createMemoryStatusStore({
    maxRecords: config.statusMaxRecords,
    retentionMs: config.statusRetentionMs,
    clock,
  });
  const queue = createMemoryWorkQueue(
    {
      maxDepth: config.maxQueueDepth,
      wipLimit: { fast: config.pools.fast.wipLimit, slow: config.pools.slow.wipLimit },
      leaseMs: config.leaseMs,
      maxDeliver: config.maxDeliver,
    },
    { clock },
  );
  const observeCall = (service: string, ok: boolean) => flow.downstreamCall(service, ok);
  const chain = await startDownstreamChain({
    config,
    logger,
    metrics,
    createBreaker: makeBreaker,
    observe: observeCall,
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
    store,
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
    onChange: (state, what) => {
      logger.warn({ chaos: state.active }, `chaos: ${what}`);
      board.record({ station: 'chaos', level: state.active.length > 0 ? 'yellow' : 'green', message: what });
    },
  });

  const disposables = observeParts({
    logger,
    metrics,
    board,
    breakers,
    line,
    pools: Object.values(pools),
    queue,
    onDeadLetter: async (deadLetter) => {
      flow.deadLettered(deadLetter.message.lane);
      await recordDeadLetter(store, deadLetter);
    },
    onRestart: (lane) => {
      metrics.workerRestarts.inc({ pool: lane });
      restarts.add(lane);
    },
  });

  const intake = createIntake({
    store,
    queue,
    route: (type) => router.route(type),
    line,
    queueBreaker,
    clock,
    draining: () => draining,
    drainRate: (lane) => flow.completedPerSecond(lane),
    accepted: (lane) => flow.accepted(lane),
    rejected: (reason) => flow.rejected(reason),
  });

  const gatherParts = async (): Promise<StatusParts> => {
    const lanes: Record<LaneName, LaneStats> = await queue.stats();
    const availability = queue.availability();
    return {
      mode: 'embedded',
      startedAt,
      now: clock.now(),
      draining,
      lanes,
      pools: LANES.map((lane) => pools[lane].snapshot()),
      restartsLastMinute: { fast: restarts.sum('fast'), slow: restarts.sum('slow') },
      breakers: breakers.map((breaker) => breaker.snapshot()),
      line,
      queue: { backend: queue.backend, durable: queue.durable, ...availability },
      behaviours: chain.behaviours,
      downstreamErrorRate: (service) => flow.downstreamErrorRate(service),
      rates: flow.rates(),
      chaos: chaos.state(),
    };
  };

  /** The andon tick: stations and gauges from the parts' state, cheap enough to run twice a second. */
  const observe = async (): Promise<StatusParts> => {
    const statusParts = await gatherParts();
    board.update(deriveStations(andonInput(statusParts)));
    updateGauges(metrics, statusParts, board);
    return statusParts;
  };
  const refresh = async (): Promise<SystemStatus> => systemStatus(await observe(), board, flow.percentiles());
  const ticker = setInterval(
    () => void observe().catch((err: unknown) => logger.error({ err }, 'andon tick failed')),
    STATUS_REFRESH_MS,
  );
  ticker.unref();

  const info = () => ({
    name: 'tps-reference-system',
    version: VERSION,
    mode: 'embedded',
    queue: { backend: queue.backend, durable: queue.durable },
    store: { backend: 'memory', durable: false },
    started_at: new Date(startedAt).toISOString(),
    uptime_s: Math.round((clock.now() - startedAt) / 1000),
    node: process.version,
    pid: process.pid,
    config: publicConfig(config),
  });

  const deps: ApiDeps = {
    config,
    intake,
    store,
    line,
    metrics,
    chaos,
    status: refresh,
    observe,
    health: async () => {
      await observe();
      const availability = queue.availability();
      const checks: Record<string, string> = {
        intake: draining ? 'draining: the system is shutting down' : 'ok',
        queue: availability.available ? 'ok' : `unavailable: ${availability.cause ?? 'unknown'}`,
        store: 'ok',
      };
      const stations = board.stations();
      return {
        healthy: Object.values(checks).every((check) => check === 'ok'),
        checks,
        andon: {
          overall: board.overall(),
          red: stations.filter((s) => s.level === 'red').map((s) => `${s.id}: ${s.cause}`),
          yellow: stations.filter((s) => s.level === 'yellow').map((s) => `${s.id}: ${s.cause}`),
        },
      };
    },
    info,
    deadLetters: createDeadLetterDesk(queue, store),
    rejected: (reason) => flow.rejected(reason),
    observeRequest: (sample) => flow.request(sample),
    toView: signalView,
  };
  const api = await buildApiApp(deps, logger);

  const close = async () => {
    if (draining) return;
    draining = true;
    const deadline = clock.now() + config.shutdownTimeoutMs;
    // The memory queue dies with the process, so the workers first empty it, as far as the time allows.
    logger.info('draining: intake answers 503, workers finish the queued signals and what they hold');
    await waitUntil(async () => unfinished(await queue.stats()) === 0, deadline);
    await workers.close(deadline);
    const lost = unfinished(await queue.stats());
    if (lost > 0)
      logger.warn({ lost }, `${lost} queued signals are lost: the memory queue does not outlive the process`);
    clearInterval(ticker);
    await api.close();
    await chain.close();
    for (const disposable of disposables) disposable.dispose();
    await queue.close();
    await store.close();
    logger.info('stopped');
  };

  return {
    api,
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
    intake,
    refresh,
    close,
  };
}

const unfinished = (stats: Record<LaneName, LaneStats>): number =>
  LANES.reduce((sum, lane) => sum + stats[lane].depth + stats[lane].inflight, 0);

async function waitUntil(done: () => Promise<boolean>, deadline: number): Promise<void> {
  while (!(await done()) && Date.now() < deadline) await sleep(20);
}

/** A signal as `GET /signal/:id/status` shows it: internal bookkeeping left out. */
export function signalView(record: SignalRecord): Record<string, unknown> {
  const { payload: _payload, generation: _generation, deadline, timeout_ms, ...shown } = record;
  return {
    ...shown,
    ...(timeout_ms === undefined ? {} : { timeout_ms }),
    ...(deadline === undefined ? {} : { deadline: new Date(deadline).toISOString() }),
  };
}
