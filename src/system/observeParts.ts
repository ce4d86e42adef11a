import type { Disposable } from '../domain/disposable.js';
import { SpanKind, SpanStatusCode, type SpanContext, type Tracer } from '@opentelemetry/api';
import type { DeadLetter, WorkQueue } from '../queue/WorkQueue.js';
import type { WorkerPool } from '../services/worker/WorkerPool.js';
import type { StatusStore } from '../store/StatusStore.js';
import type { Logger } from '../telemetry/logger.js';
import { ATTRIBUTES } from '../telemetry/spans.js';
import { logTraceFields, messageTraceContext } from '../telemetry/traceContext.js';
import type { Line } from '../tps/jidoka/index.js';
import { recordDeadLetter } from './deadLetterStatus.js';
import type { Instruments } from './instruments.js';
import type { LaneName } from '../domain/signal.js';
import type { ChaosState } from '../chaos/ChaosControl.js';

/** A worker (or a worker process) of `pool` died and was restarted: the counter, the rolling window, the andon. */
export function recordRestart(instruments: Instruments, pool: LaneName, message: string, count = 1): void {
  instruments.metrics.workerRestarts.inc({ pool }, count);
  instruments.restarts.add(pool, count);
  instruments.board.record({ station: `pool:${pool}`, level: 'yellow', message });
}

/** Chaos switched on or off: a log line and an andon event, so a learner sees that the fault really fired. */
export const recordChaos =
  (logger: Logger, instruments: Instruments) =>
  (state: ChaosState, what: string): void => {
    logger.warn({ chaos: state.active }, `chaos: ${what}`);
    instruments.board.record({
      station: 'chaos',
      level: state.active.length > 0 ? 'yellow' : 'green',
      message: what,
    });
  };

/** Each transition of the instruments' breakers: circuit_breaker_events_total and one log line (`jidoka`). */
export function observeBreakers(
  jidoka: Logger,
  instruments: Pick<Instruments, 'breakers' | 'metrics'>,
): Disposable[] {
  return instruments.breakers.map((breaker) =>
    breaker.onTransition((transition) => {
      instruments.metrics.breakerEvents.inc({ breaker: transition.breaker, event: transition.to });
      const level = transition.to === 'open' ? 'warn' : 'info';
      jidoka[level](
        { breaker: transition.breaker, from: transition.from, to: transition.to },
        transition.cause,
      );
    }),
  );
}

/**
 * Attaches logs, metrics and andon events to the parts' events, so none of that lives inside the logic.
 * One log line per state change or failure; nothing per request.
 */
export function observeParts(parts: {
  logger: Logger;
  instruments: Instruments;
  line: Line;
  pools: WorkerPool[];
  queue: WorkQueue;
  /** Where a dead-lettered signal's status is recorded. */
  store: StatusStore;
}): Disposable[] {
  const { logger, instruments } = parts;
  const { metrics, board, flow } = instruments;
  const jidoka = logger.child({ component: 'jidoka' });

  const subscriptions: Disposable[] = observeBreakers(jidoka, instruments);

  subscriptions.push(
    parts.line.onChange((event) => {
      const scope = event.lane ?? 'line';
      const message =
        event.action === 'pulled'
          ? `andon cord pulled for the ${scope}${event.by ? ` by ${event.by}` : ''}: ${event.reason ?? ''}`
          : `andon cord reset for the ${scope}${event.by ? ` by ${event.by}` : ''}`;
      jidoka.warn({ scope, action: event.action }, message);
      board.record({ station: `cord:${scope}`, level: event.action === 'pulled' ? 'red' : 'green', message });
    }),
  );

  for (const pool of parts.pools) {
    const poolLogger = logger.child({ component: 'heijunka', pool: pool.lane });
    subscriptions.push(
      pool.onEvent((event) => {
        if (event.type === 'scaled') {
          metrics.poolScaleEvents.inc({ pool: event.pool, direction: event.to > event.from ? 'up' : 'down' });
          poolLogger.info({ from: event.from, to: event.to }, `pool ${event.pool} scaled: ${event.reason}`);
        } else {
          recordRestart(
            instruments,
            event.pool,
            `worker ${event.worker} of the ${event.pool} pool died (${event.reason}) and was restarted`,
          );
        }
      }),
    );
  }

  subscriptions.push(
    parts.queue.onDeadLetter((deadLetter) => {
      const { id, lane, trace_id } = deadLetter.message;
      const span = recordDeadLetterSpan(instruments.tracing.tracerFor('worker'), deadLetter);
      const traceFields = logTraceFields(span, trace_id);
      logger.warn(
        { component: 'kanban', id, lane, ...traceFields, attempts: deadLetter.attempts },
        `dead-lettered: ${deadLetter.reason}`,
      );
      board.record({
        station: `lane:${lane}`,
        level: 'yellow',
        message: `signal ${id} dead-lettered: ${deadLetter.reason}`,
      });
      flow.deadLettered(lane);
      recordDeadLetter(parts.store, deadLetter).catch((err: unknown) =>
        logger.error({ err, id, ...traceFields }, 'could not record a dead letter'),
      );
    }),
  );
  return subscriptions;
}

/**
 * The end of a signal's trace when the queue gives up on it: a span whose outcome is dead_lettered. Answers
 * its span context, for the log line about it.
 */
function recordDeadLetterSpan(tracer: Tracer, deadLetter: DeadLetter): SpanContext {
  const { message } = deadLetter;
  const span = tracer.startSpan(
    `dead-letter ${message.lane}`,
    {
      kind: SpanKind.INTERNAL,
      startTime: deadLetter.at,
      attributes: {
        [ATTRIBUTES.service]: 'queue',
        [ATTRIBUTES.signalId]: message.id,
        [ATTRIBUTES.lane]: message.lane,
        [ATTRIBUTES.outcome]: 'dead_lettered',
        'tps.attempts': deadLetter.attempts,
      },
    },
    messageTraceContext(message),
  );
  span.setStatus({ code: SpanStatusCode.ERROR, message: deadLetter.reason });
  span.end(deadLetter.at);
  return span.spanContext();
}
