import type { ChaosControl } from '../chaos/ChaosControl.js';
import { publicConfig, type Config } from '../config/index.js';
import { LANES, type LaneName, type SignalRecord } from '../domain/signal.js';
import type { SystemStatus } from '../domain/status.js';
import type { LaneStats, WorkQueue } from '../queue/WorkQueue.js';
import { createLoadRunner } from '../loadgen/LoadRunner.js';
import type { ApiDeps } from '../services/api/ApiDeps.js';
import { buildApiApp } from '../services/api/app.js';
import { createDeadLetterDesk } from '../services/api/deadLetterDesk.js';
import { createIntake } from '../services/api/Intake.js';
import type { DownstreamServiceName, ServiceBehaviour } from '../services/downstream/ServiceBehaviour.js';
import type { PoolSnapshot } from '../services/worker/WorkerPool.js';
import type { StatusStore } from '../store/StatusStore.js';
import type { PayloadRetention } from '../store/memory/MemoryStatusStore.js';
import type { Logger } from '../telemetry/logger.js';
import { deriveStations } from '../tps/andon/index.js';
import { createRouter } from '../tps/heijunka/index.js';
import type { Breaker, Line } from '../tps/jidoka/index.js';
import { updateGauges } from './gauges.js';
import { intakeChecks } from './healthChecks.js';
import type { Instruments } from './instruments.js';
import { sloView } from './serviceLevels.js';
import { andonInput, systemStatus, type StatusParts } from './systemStatus.js';
import { VERSION } from './version.js';

const ANDON_TICK_MS = 500;

export interface ApiSideOptions {
  mode: SystemStatus['mode'];
  config: Config;
  logger: Logger;
  instruments: Instruments;
  queue: WorkQueue;
  store: StatusStore;
  /** `payloads`: what the store keeps of payloads for retries (the memory store's budget), for `/info`. */
  storeInfo: { backend: string; durable: boolean; payloads?: () => PayloadRetention };
  /** Extra health checks (a database ping): each answers "ok" or why not. */
  checks?: () => Promise<Record<string, string>>;
  line: Line;
  queueBreaker: Breaker;
  chaos: ChaosControl;
  pools: () => PoolSnapshot[];
  behaviours: Partial<Record<DownstreamServiceName, ServiceBehaviour>>;
  draining: () => boolean;
}

export interface ApiSide {
  app: Awaited<ReturnType<typeof buildApiApp>>;
  /** The andon tick: stations and gauges from the parts' state. */
  observe: () => Promise<StatusParts>;
  /** The `/status` answer, percentiles included. */
  status: () => Promise<SystemStatus>;
  close: () => Promise<void>;
}

/**
 * The API process's side of any mode: intake, the dead-letter desk, the andon tick that keeps the stations and
 * gauges current, health and info, and the Fastify app over them (not listening yet).
 */
export async function createApiSide(options: ApiSideOptions): Promise<ApiSide> {
  const { config, logger, instruments, queue, store, line, chaos } = options;
  const { clock, metrics, flow, board, restarts, breakers } = instruments;
  const startedAt = clock.now();
  const router = createRouter(config.routes);

  const intake = createIntake({
    store,
    queue,
    route: (type) => router.route(type),
    payloadLimits: { maxDepth: config.maxPayloadDepth, maxMembers: config.maxPayloadKeys },
    line,
    queueBreaker: options.queueBreaker,
    clock,
    tracer: instruments.tracing.tracerFor('api'),
    draining: options.draining,
    drainRate: (lane) => flow.completedPerSecond(lane),
    accepted: (lane) => flow.accepted(lane),
    rejected: (reason) => flow.rejected(reason),
  });

  // While the backend is down its lane figures cannot be read: the andon shows the outage with the last ones.
  let lastLanes: Record<LaneName, LaneStats> = Object.fromEntries(
    LANES.map((lane) => [
      lane,
      {
        depth: 0,
        capacity: config.maxQueueDepth,
        inflight: 0,
        wipLimit: config.pools[lane].wipLimit,
        deadLettered: 0,
      },
    ]),
  ) as Record<LaneName, LaneStats>;
  const laneStats = () =>
    queue.stats().then(
      (stats) => (lastLanes = stats),
      () => lastLanes,
    );

  const gather = async (): Promise<StatusParts> => ({
    mode: options.mode,
    startedAt,
    now: clock.now(),
    draining: options.draining(),
    lanes: await laneStats(),
    pools: options.pools(),
    restartsLastMinute: Object.fromEntries(LANES.map((lane) => [lane, restarts.sum(lane)])) as Record<
      LaneName,
      number
    >,
    breakers: breakers.map((breaker) => breaker.snapshot()),
    line,
    queue: { backend: queue.backend, durable: queue.durable, ...queue.availability() },
    behaviours: options.behaviours,
    downstreamErrorRate: (service) => flow.downstreamErrorRate(service),
    rates: flow.rates(),
    chaos: chaos.state(),
  });
  const observe = async (): Promise<StatusParts> => {
    const parts = await gather();
    board.update(deriveStations(andonInput(parts)));
    updateGauges(metrics, parts, board);
    return parts;
  };
  const status = async (): Promise<SystemStatus> =>
    systemStatus(await observe(), board, flow.percentiles(), instruments.slos.snapshots().map(sloView));
  const ticker = setInterval(
    () => void observe().catch((err: unknown) => logger.error({ err }, 'andon tick failed')),
    ANDON_TICK_MS,
  );
  ticker.unref();

  const deps: ApiDeps = {
    config,
    intake,
    store,
    line,
    metrics,
    chaos,
    load: createLoadRunner(),
    status,
    observe,
    onAndonEvent: (listener) => board.onEvent(listener),
    health: async () => {
      await observe();
      const checks: Record<string, string> = {
        ...intakeChecks({
          draining: options.draining(),
          availability: queue.availability(),
          queueBreaker: options.queueBreaker,
          line,
          now: clock.now(),
        }),
        ...(await options.checks?.()),
      };
      const stations = board.stations();
      const named = (level: string) =>
        stations
          .filter((station) => station.level === level)
          .map((station) => `${station.id}: ${station.cause}`);
      return {
        healthy: Object.values(checks).every((check) => check === 'ok'),
        checks,
        andon: { overall: board.overall(), red: named('red'), yellow: named('yellow') },
      };
    },
    info: () => ({
      name: 'tps-reference-system',
      version: VERSION,
      mode: options.mode,
      queue: {
        backend: queue.backend,
        durable: queue.durable,
        durability: durabilityNote(queue.durable, config.shutdownTimeoutMs),
      },
      store: storeView(options.storeInfo),
      started_at: new Date(startedAt).toISOString(),
      uptime_s: Math.round((clock.now() - startedAt) / 1000),
      node: process.version,
      pid: process.pid,
      config: publicConfig(config),
    }),
    deadLetters: createDeadLetterDesk(queue, store),
    rejected: (reason) => flow.rejected(reason),
    observeRequest: (sample) => flow.request(sample),
    toView: signalView,
    ...(instruments.tracing.recent ? { traces: instruments.tracing.recent } : {}),
  };
  const app = await buildApiApp(deps, logger);

  return {
    app,
    observe,
    status,
    close: async () => {
      clearInterval(ticker);
      await app.close();
      await instruments.tracing.shutdown();
    },
  };
}

/** What becomes of queued signals when the process stops, for `/info`. */
function durabilityNote(durable: boolean, graceMs: number): string {
  return durable
    ? `queued signals outlive this process; on SIGTERM the signals in hand finish within SHUTDOWN_TIMEOUT_MS (${graceMs} ms) or go back to their lane`
    : `queued and in-flight signals live in this process: on SIGTERM the workers finish them within SHUTDOWN_TIMEOUT_MS (${graceMs} ms), and those left then are lost (the log says how many); a crash loses them all`;
}

/** The store as `/info` shows it, with what it keeps of payloads and why. */
function storeView({ payloads, ...store }: ApiSideOptions['storeInfo']): Record<string, unknown> {
  if (!payloads) return store;
  return {
    ...store,
    payloads: {
      kept_for: 'retries of queued, failed and expired signals; dropped once completed or dead-lettered',
      when_dropped: 'POST /signal/:id/retry answers 409 PAYLOAD_DROPPED',
      ...payloads(),
    },
  };
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
