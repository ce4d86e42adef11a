import type { Config } from '../config/index.js';
import type { LaneName } from '../domain/signal.js';
import type { ProcessObserver } from '../services/worker/signalProcessor.js';
import type { Logger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { createTracing } from '../telemetry/tracing.js';
import { logTraceFieldsOf } from '../telemetry/traceContext.js';
import { createAndonBoard } from '../tps/andon/index.js';
import { systemClock, type Clock } from '../tps/clock.js';
import { createBreaker, type Breaker } from '../tps/jidoka/index.js';
import { RollingCounter } from '../tps/kaizen/index.js';
import { breakerOptions } from './breakerOptions.js';
import { FlowStats } from './FlowStats.js';
import { startCountersAtZero } from './gauges.js';
import { createServiceLevels } from './serviceLevels.js';
import { VERSION } from './version.js';

/**
 * What every process of the system measures and shows with: metrics, Kaizen's flow stats and SLOs, the andon,
 * breakers, and the tracers of the value stream. `resource` adds attributes to this process's spans;
 * `forwardSpans` sends them to the API as well (a worker or downstream process of the distributed mode).
 */
export async function createInstruments(
  config: Config,
  logger: Logger,
  options: { clock?: Clock; resource?: Record<string, string>; forwardSpans?: boolean } = {},
) {
  const clock = options.clock ?? systemClock;
  const slos = createServiceLevels(config, clock);
  const metrics = createMetrics(undefined, () => slos.snapshots());
  startCountersAtZero(metrics);
  const tracing = await createTracing({
    version: VERSION,
    ...(options.resource ? { attributes: options.resource } : {}),
    ...(options.forwardSpans && config.apiUrl !== '' && config.traceBuffer > 0
      ? { forward: spanForwarding(config, logger) }
      : {}),
    sampleRatio: config.traceSampleRatio,
    buffer: config.traceBuffer,
    otlpEndpoint: config.otelExporterOtlpEndpoint,
  });
  const flow = new FlowStats(metrics, clock, slos);
  const board = createAndonBoard({ clock });
  const restarts = new RollingCounter<LaneName>(clock);
  const breakers: Breaker[] = [];

  /** A breaker with the configured thresholds; `timed: false` for a client that keeps its own time limits. */
  const makeBreaker = (name: string, timed = true): Breaker => {
    const breaker = createBreaker(breakerOptions(config, name, timed, clock));
    breakers.push(breaker);
    // At zero from the start, so Prometheus's increase() sees a breaker's first transition (see gauges.ts).
    for (const event of ['open', 'half_open', 'closed', 'rejected'])
      metrics.breakerEvents.inc({ breaker: name, event }, 0);
    return breaker;
  };

  const signalLogger = logger.child({ component: 'worker' });
  /** Kaizen counts every outcome; the log gets one line per failure, none per success. */
  const signalObserver: ProcessObserver = {
    started: (message, waitMs) => flow.started(message, waitMs),
    finished: (message, outcome, details) => {
      flow.finished(message, outcome, details);
      if (outcome === 'failed' || outcome === 'retried' || outcome === 'expired') {
        signalLogger.warn(
          {
            id: message.id,
            lane: message.lane,
            ...logTraceFieldsOf(details.trace, message.trace_id),
            outcome,
          },
          `signal ${outcome}: ${details.error ?? 'no error given'}`,
        );
      }
    },
  };

  return { clock, metrics, tracing, flow, slos, board, restarts, breakers, makeBreaker, signalObserver };
}

/** Where a worker or downstream process sends its spans (API_URL), and one log line when that stops or resumes. */
function spanForwarding(config: Config, logger: Logger) {
  return {
    apiUrl: config.apiUrl,
    adminToken: config.tpsAdminToken,
    onReachable: (reachable: boolean, why?: string) =>
      reachable
        ? logger.info({ api: config.apiUrl }, 'the API takes this process’s spans again')
        : logger.warn(
            { api: config.apiUrl, why },
            'the API does not take this process’s spans; its /traces misses them',
          ),
  };
}

export type Instruments = Awaited<ReturnType<typeof createInstruments>>;
