import Fastify from 'fastify';
import { loadConfig, type Settings } from '../../config/index.js';
import type { LaneName } from '../../domain/signal.js';
import { downstreamUrls } from '../../services/downstream/downstreamAddresses.js';
import { adminGuard } from '../../services/api/plugins/adminGuard.js';
import { errorsPlugin } from '../../services/api/plugins/errors.js';
import { quietServerOptions } from '../../services/fastifyOptions.js';
import { contractServerOptions, guardFrontDoor } from '../../services/frontDoor.js';
import { createLogger, type Logger } from '../../telemetry/logger.js';
import { createLine } from '../../tps/jidoka/index.js';
import { traceRoutes } from '../../services/api/routes/traces.js';
import { createInstruments } from '../instruments.js';
import { startCordMirror } from './CordMirror.js';
import { setBreakerStates, setPoolGauges } from '../gauges.js';
import { observeParts } from '../observeParts.js';
import { sloView } from '../serviceLevels.js';
import { createLaneBreakers, createWorkerPools } from '../workerPools.js';
import type { RunningProcess } from './apiProcess.js';
import { checkDistributedConfig, connectGuardedStatusStore, connectWorkQueue } from './backends.js';

/**
 * `tps worker --pool fast|slow`: one lane's pool pulling from the broker, statuses in PostgreSQL, calls to
 * service C through the lane's breaker; /health, /metrics and /status on WORKER_PORT.
 */
export async function startWorkerProcess(
  pool: LaneName,
  overrides: Partial<Settings> = {},
  options: {
    env?: NodeJS.ProcessEnv;
    logger?: Logger;
    /** How `POST /chaos/crash` ends the process; a SIGKILL of itself unless a test embeds the worker. */
    die?: () => void;
  } = {},
): Promise<RunningProcess> {
  const config = loadConfig(options.env ?? process.env, overrides);
  checkDistributedConfig(config);
  const logger = options.logger ?? createLogger(config.logLevel).child({ role: 'worker', pool });
  const instruments = await createInstruments(config, logger, {
    resource: { 'tps.pool': pool },
    forwardSpans: true,
  });
  const { clock, metrics, flow, breakers } = instruments;
  const queue = await connectWorkQueue(config, logger, {
    role: `worker-${pool}`,
    lanes: [pool],
    makeBreaker: instruments.makeBreaker,
  });
  const { database, databaseBreaker, store } = await connectGuardedStatusStore(
    config,
    logger,
    instruments,
    'worker',
  );
  const laneBreakers = createLaneBreakers([pool], instruments);
  const line = createLine({
    lanes: [pool],
    laneBreakers,
    sharedBreakers: [databaseBreaker],
    halfOpenProbes: config.breakerProbes,
    clock,
  });
  const workers = createWorkerPools({
    config,
    logger,
    instruments,
    queue,
    store,
    line,
    lanes: [pool],
    laneBreakers,
    downstreamUrl: downstreamUrls(config)['service-c'],
  });
  const lanePool = workers.pools[pool];
  const subscriptions = observeParts({
    logger,
    instruments,
    line,
    pools: lanePool ? [lanePool] : [],
    queue,
    store,
  });

  const app = Fastify({ ...quietServerOptions(logger), ...contractServerOptions() });
  guardFrontDoor(app, config.allowedHosts);
  await app.register(errorsPlugin);
  app.get('/health', async (_request, reply) => {
    const availability = queue.availability();
    const storeOk = await database.ping().then(
      () => true,
      () => false,
    );
    const healthy = availability.available && storeOk;
    return reply.code(healthy ? 200 : 503).send({
      status: healthy ? 'healthy' : 'unhealthy',
      checks: {
        queue: availability.available ? 'ok' : availability.cause,
        store: storeOk ? 'ok' : 'unreachable',
      },
    });
  });
  // Liveness: the process answers (a broker outage makes /health 503, which a restart would not fix).
  app.get('/health/live', async () => ({ status: 'alive' }));
  app.get('/metrics', async (_request, reply) => {
    setPoolGauges(metrics, lanePool ? [lanePool.snapshot()] : []);
    setBreakerStates(metrics, breakers);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/status', async () => ({
    pool: lanePool?.snapshot(),
    breakers: breakers.map((breaker) => breaker.snapshot()),
    queue: { backend: queue.backend, ...queue.availability() },
    rates: flow.rates(),
    percentiles_ms: flow.percentiles(),
    slos: instruments.slos.snapshots().map(sloView),
    cords: line.snapshot(),
  }));
  // The worker's part of each trace; the API has its own part and Jaeger (OTLP) joins them.
  await app.register(traceRoutes, instruments.tracing.recent ? { traces: instruments.tracing.recent } : {});
  // `tps chaos crash-worker` in the distributed mode (forwarded by run-local): the answer names the signals held
  // at that moment, then SIGKILL in the same tick, so no ack, nak, drain or store write runs in between.
  const die = options.die ?? (() => process.kill(process.pid, 'SIGKILL'));
  app.post('/chaos/crash', { onRequest: adminGuard(config.tpsAdminToken) }, (_request, reply) => {
    const body = JSON.stringify({ pool, pid: process.pid, held_signals: lanePool?.heldSignals() ?? [] });
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    reply.raw.end(body);
    die();
  });
  const url = await app.listen({ host: config.host, port: config.workerPort });
  workers.start();
  // Jidoka across processes: a cord pulled at the API stops this lane's pulling too.
  const cordMirror = config.apiUrl
    ? startCordMirror({ apiUrl: config.apiUrl, intervalMs: config.andonSyncMs, line, lanes: [pool], logger })
    : undefined;
  logger.info({ url, backend: queue.backend, pool, api: config.apiUrl || undefined }, 'worker running');
  return {
    url,
    config,
    close: async () => {
      cordMirror?.stop();
      await workers.close(clock.now() + config.shutdownTimeoutMs);
      for (const subscription of subscriptions) subscription.dispose();
      await app.close();
      await queue.close();
      await store.close();
      await instruments.tracing.shutdown();
      logger.info('stopped');
    },
  };
}
