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
import { createDownstreamClient } from '../services/downstream/DownstreamClient.js';
import { startDownstreamChain } from '../services/downstream/downstreamChain.js';
import { createSignalProcessor, type ProcessObserver } from '../services/worker/signalProcessor.js';
import { WorkerPool } from '../services/worker/WorkerPool.js';
import { createMemoryStatusStore } from '../store/memory/index.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { createAndonBoard, deriveStations } from '../tps/andon/index.js';
import { systemClock } from '../tps/clock.js';
import { createRouter } from '../tps/heijunka/index.js';
import { createBreaker, createLine, laneBreakerName, type Breaker } from '../tps/jidoka/index.js';
import { RollingCounter } from '../tps/kaizen/index.js';
import { FlowStats } from './FlowStats.js';
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
  for (const pool of Object.values(parts.pools)) pool.start();
  logger.info({ url, backend: 'memory', durable: false }, 'embedded system running');
  return { url, config, parts, close: parts.close };
}

async function wire(config: Config, logger: Logger) {
  const clock = systemClock;
  const startedAt = clock.now();
  const metrics = createMetrics();
  const flow = new FlowStats(metrics, clock);
  const board = createAndonBoard({ clock });
  const restarts = new RollingCounter<LaneName>(clock);
  const router = createRouter(config.routes);
  let draining = false;

  const breakers: Breaker[] = [];
  const makeBreaker = (name: string, timed = true): Breaker => {
    const breaker = createBreaker({
      name,
      threshold: config.circuitBreakerThreshold,
      resetMs: config.circuitBreakerResetMs,
      halfOpenProbes: config.breakerProbes,
      probeTimeoutMs: config.probeTimeoutMs,
      ...(timed ? { callTimeoutMs: config.downstreamTimeoutMs } : {}),
      slowCallMs: config.slowCallMs,
      clock,
    });
    breakers.push(breaker);
    return breaker;
  };

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
  const laneBreakers = {
    fast: makeBreaker(laneBreakerName('fast')),
    slow: makeBreaker(laneBreakerName('slow')),
  };
  // The queue backend's own client keeps the time limits of a publish; the breaker only counts failures.
  const queueBreaker = makeBreaker('queue', false);
  const line = createLine({ lanes: LANES, laneBreakers, halfOpenProbes: config.breakerProbes, clock });

  const signalLogger = logger.child({ component: 'worker' });
  // Kaizen counts every outcome; the log gets one line per failure, none per success.
  const observer: ProcessObserver = {
    started: (message, waitMs) => flow.started(message, waitMs),
    finished: (message, outcome, details) => {
      flow.finished(message, outcome, details);
      if (outcome === 'failed' || outcome === 'retried' || outcome === 'expired') {
        signalLogger.warn(
          { id: message.id, lane: message.lane, trace_id: message.trace_id, outcome },
          `signal ${outcome}: ${details.error ?? 'no error given'}`,
        );
      }
    },
  };

  const laneClients = Object.fromEntries(
    LANES.map((lane) => [
      lane,
      createDownstreamClient({
        service: 'service-c',
        url: chain.urls['service-c'],
        breaker: laneBreakers[lane],
        metrics,
        observe: observeCall,
      }),
    ]),
  ) as Record<LaneName, ReturnType<typeof createDownstreamClient>>;

  const pools = Object.fromEntries(
    LANES.map((lane) => [
      lane,
      new WorkerPool({
        lane,
        queue,
        line,
        process: createSignalProcessor({
          lane,
          store,
          downstream: laneClients[lane],
          config,
          clock,
          observer,
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
        clock,
        logger: logger.child({ component: 'worker', pool: lane }),
      }),
    ]),
  ) as Record<LaneName, WorkerPool>;

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
      const lastError = (await store.get(deadLetter.message.id))?.error;
      await store.update(deadLetter.message.id, {
        status: 'dead_lettered',
        completed_at: new Date(deadLetter.at).toISOString(),
        error: lastError ? `${lastError} (${deadLetter.reason})` : deadLetter.reason,
      });
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
    updateGauges(statusParts);
    return statusParts;
  };
  const refresh = async (): Promise<SystemStatus> => systemStatus(await observe(), board, flow.percentiles());
  const updateGauges = (statusParts: StatusParts) => {
    for (const lane of LANES) {
      const stats = statusParts.lanes[lane];
      metrics.queueDepth.set({ lane }, stats.depth);
      metrics.queueCapacity.set({ lane }, stats.capacity);
      metrics.queueInflight.set({ lane }, stats.inflight);
    }
    for (const pool of statusParts.pools) {
      metrics.poolSize.set({ pool: pool.pool }, pool.size);
      metrics.poolBusy.set({ pool: pool.pool }, pool.busy);
    }
    for (const breaker of statusParts.breakers) {
      metrics.breakerState.set(
        { breaker: breaker.name },
        { closed: 0, half_open: 1, open: 2 }[breaker.state],
      );
    }
    for (const station of board.stations()) {
      metrics.andonLevel.set({ station: station.id }, { green: 0, yellow: 1, red: 2 }[station.level]);
    }
    for (const fault of ['downstream_latency', 'downstream_errors', 'queue_down', 'cascade'] as const) {
      metrics.chaosActive.set({ fault }, statusParts.chaos.active.includes(fault) ? 1 : 0);
    }
  };
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
    await Promise.all(Object.values(pools).map((pool) => pool.close(Math.max(0, deadline - clock.now()))));
    const lost = unfinished(await queue.stats());
    if (lost > 0)
      logger.warn({ lost }, `${lost} queued signals are lost: the memory queue does not outlive the process`);
    clearInterval(ticker);
    await api.close();
    await chain.close();
    await Promise.all(Object.values(laneClients).map((client) => client.close()));
    for (const disposable of disposables) disposable.dispose();
    await queue.close();
    await store.close();
    logger.info('stopped');
  };

  return {
    api,
    store,
    queue,
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
