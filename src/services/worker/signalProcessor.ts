import { setTimeout as delay } from 'node:timers/promises';
import { SpanKind, trace, type Context, type Tracer } from '@opentelemetry/api';
import type { Config } from '../../config/index.js';
import { TERMINAL_STATUSES, type LaneName, type QueueMessage } from '../../domain/signal.js';
import { isDownstreamError, isStoreUnavailableError, isUnrecoverableError } from '../../errors/index.js';
import type { Delivery, MessagingBackend } from '../../queue/WorkQueue.js';
import {
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
} from '../../telemetry/semconv.js';
import type { StatusStore } from '../../store/StatusStore.js';
import { ATTRIBUTES, inLeafSpan, inSpan, recordFailure } from '../../telemetry/spans.js';
import { messageTraceContext } from '../../telemetry/traceContext.js';
import type { Clock } from '../../tps/clock.js';
import { isBreakerOpenError } from '../../tps/jidoka/index.js';
import type { DownstreamClient } from '../downstream/DownstreamClient.js';

export type ProcessOutcome =
  'completed' | 'failed' | 'expired' | 'retried' | 'deferred' | 'duplicate' | 'abandoned';

/** Told about every step, so metrics, percentiles and the andon stay out of the processing logic. */
export interface ProcessObserver {
  started(message: QueueMessage, queueWaitMs: number): void;
  finished(
    message: QueueMessage,
    outcome: ProcessOutcome,
    details: {
      processingMs: number;
      leadTimeMs?: number;
      error?: string;
      /** The attempt's trace context (its `process` span), for the log line about it. */
      trace?: Context;
    },
  ): void;
}

export type SignalProcessor = (delivery: Delivery, life: AbortSignal) => Promise<ProcessOutcome>;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * What a worker does with one delivery: skip what is already done, expire what is too late,
 * simulate the work, call the downstream chain through the lane's breaker, then record and ack.
 * When `life` aborts (the worker crashed) it walks away exactly as a dead process would: no ack, no cleanup.
 */
export function createSignalProcessor(deps: {
  lane: LaneName;
  store: StatusStore;
  downstream: DownstreamClient;
  config: Config;
  clock: Clock;
  observer: ProcessObserver;
  /** Records the queue wait and each attempt's `process` span, in the message's trace (`messageTraceContext`). */
  tracer: Tracer;
  /** The backend the lane's messages come on (`messaging.system`), unless a delivery names its own. */
  messagingSystem?: MessagingBackend;
}): SignalProcessor {
  const { store, downstream, config, clock, observer, tracer } = deps;
  const messagingSystem = deps.messagingSystem ?? 'memory';
  const laneWorkMs = deps.lane === 'fast' ? config.fastWorkMs : config.slowWorkMs;

  const workFor = (message: QueueMessage): number => {
    const asked = message.payload.work_ms;
    return typeof asked === 'number' ? Math.min(asked, config.maxWorkMs) : laneWorkMs;
  };
  const backoffMs = (attempt: number) => config.retryBackoffMs * 2 ** Math.max(0, attempt - 1);

  /** The time between acceptance and a worker taking it, as a span of its own (first delivery only). */
  const recordQueueWait = (parent: Context, message: QueueMessage, received: number): void => {
    tracer
      .startSpan(
        `queue wait ${message.lane}`,
        {
          kind: SpanKind.INTERNAL,
          startTime: message.enqueued_at,
          attributes: {
            [ATTRIBUTES.service]: 'queue',
            [ATTRIBUTES.stage]: 'wait',
            [ATTRIBUTES.lane]: message.lane,
          },
        },
        parent,
      )
      .end(received);
  };

  const traced: SignalProcessor = (delivery, life) => {
    const message = delivery.message;
    const received = clock.now();
    const parent = messageTraceContext(message);
    if (delivery.attempt === 1) recordQueueWait(parent, message, received);
    const attributes = {
      [ATTRIBUTES.service]: 'worker',
      [ATTRIBUTES.signalId]: message.id,
      [ATTRIBUTES.signalType]: message.signal_type,
      [ATTRIBUTES.lane]: message.lane,
      [ATTR_MESSAGING_SYSTEM]: delivery.carrier ?? messagingSystem,
      [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
      [ATTR_MESSAGING_OPERATION_NAME]: 'process',
      [ATTR_MESSAGING_DESTINATION_NAME]: message.lane,
      [ATTR_MESSAGING_MESSAGE_ID]: message.id,
      'tps.attempt': delivery.attempt,
    };
    return inSpan(
      tracer,
      `process ${message.lane}`,
      { kind: SpanKind.CONSUMER, attributes },
      parent,
      async (span, attemptTrace) => {
        const outcome = await process(delivery, life, received, attemptTrace);
        span.setAttribute(ATTRIBUTES.outcome, outcome);
        return outcome;
      },
    );
  };
  const process = async (
    delivery: Delivery,
    life: AbortSignal,
    received: number,
    attemptTrace: Context,
  ): Promise<ProcessOutcome> => {
    const message = delivery.message;
    const record = await store.get(message.id);
    // Already settled for good (a redelivery whose ack or term did not reach the broker), or superseded by a retry.
    const done = record && (record.generation > message.generation || TERMINAL_STATUSES.has(record.status));
    if (done) {
      await settled(delivery.ack());
      observer.finished(message, 'duplicate', { processingMs: 0 });
      return 'duplicate';
    }
    if (message.deadline !== undefined && received > message.deadline) {
      const error = `not started before its deadline (${iso(message.deadline)})`;
      await store.update(message.id, { status: 'expired', completed_at: iso(received), error }, attemptTrace);
      await settled(delivery.term());
      failedAttempt(attemptTrace, error);
      observer.finished(message, 'expired', { processingMs: 0, error, trace: attemptTrace });
      return 'expired';
    }

    await store.update(
      message.id,
      { status: 'processing', started_at: iso(received), attempts: delivery.attempt },
      attemptTrace,
    );
    observer.started(message, received - message.enqueued_at);
    const workMs = workFor(message);
    const renewal = keepLeased(delivery, config.leaseMs, workMs + config.downstreamTimeoutMs, life);
    try {
      if (workMs > 0) {
        await inLeafSpan(
          tracer,
          'work',
          { kind: SpanKind.INTERNAL, attributes: { [ATTRIBUTES.service]: 'worker', 'tps.work_ms': workMs } },
          attemptTrace,
          () => delay(workMs, undefined, { signal: life }),
        );
      }
      await downstream.call({ id: message.id, trace_id: message.trace_id }, { trace: attemptTrace });
      if (life.aborted) return 'abandoned';
      const done = clock.now();
      await store.update(
        message.id,
        { status: 'completed', completed_at: iso(done), error: undefined },
        attemptTrace,
      );
      await settled(delivery.ack());
      observer.finished(message, 'completed', {
        processingMs: done - received,
        leadTimeMs: done - message.enqueued_at,
      });
      return 'completed';
    } catch (error) {
      if (life.aborted) return 'abandoned';
      return await settleFailure(delivery, error, received, attemptTrace);
    } finally {
      renewal?.stop();
    }
  };

  // The database down is not the signal's fault: it goes back to its lane for later, and the worker lives on.
  return async (delivery, life) => {
    try {
      return await traced(delivery, life);
    } catch (error) {
      if (life.aborted || !isStoreUnavailableError(error)) throw error;
      await delivery.nak(config.retryBackoffMs).catch(() => undefined);
      observer.finished(delivery.message, 'deferred', { processingMs: 0, error: error.message });
      return 'deferred';
    }
  };

  async function settleFailure(
    delivery: Delivery,
    error: unknown,
    received: number,
    attemptTrace: Context,
  ): Promise<ProcessOutcome> {
    const message = delivery.message;
    const text = error instanceof Error ? error.message : String(error);
    const processingMs = clock.now() - received;
    if (isBreakerOpenError(error)) {
      await store.update(message.id, { status: 'queued', error: text }, attemptTrace);
      await delivery.nak(Math.max(error.retryAfterMs, config.retryBackoffMs));
      observer.finished(message, 'deferred', { processingMs, error: text, trace: attemptTrace });
      return 'deferred';
    }
    const retriable = !isUnrecoverableError(error) && (!isDownstreamError(error) || error.retriable);
    if (!retriable) {
      await store.update(
        message.id,
        { status: 'failed', completed_at: iso(clock.now()), error: text },
        attemptTrace,
      );
      await settled(delivery.term());
      failedAttempt(attemptTrace, text);
      observer.finished(message, 'failed', { processingMs, error: text, trace: attemptTrace });
      return 'failed';
    }
    await store.update(message.id, { status: 'queued', error: text }, attemptTrace);
    await delivery.nak(backoffMs(delivery.attempt));
    failedAttempt(attemptTrace, text);
    observer.finished(message, 'retried', { processingMs, error: text, trace: attemptTrace });
    return 'retried';
  }
}

/**
 * Marks the attempt's `process` span failed, for an attempt that ends without throwing. `attemptTrace`: the
 * context `inSpan` gave the attempt, which its children (store writes, work, the call) belong to.
 */
function failedAttempt(attemptTrace: Context, why: string): void {
  const span = trace.getSpan(attemptTrace);
  if (span) recordFailure(span, new Error(why));
}

/**
 * Settling once the status is written: if the broker cannot take the ack now, it delivers the signal again
 * later, and that delivery finds the status already final and only acks. Failing here would undo a finished
 * signal's status and work it a second time.
 */
async function settled(settle: Promise<void>): Promise<void> {
  await settle.catch(() => undefined);
}

/** Renews the lease while long work runs; short work (the usual case) needs no timer at all. */
function keepLeased(delivery: Delivery, leaseMs: number, expectedMs: number, life: AbortSignal) {
  if (expectedMs < leaseMs / 2) return undefined;
  const timer = setInterval(() => void delivery.extend().catch(() => undefined), Math.max(50, leaseMs / 3));
  timer.unref();
  // Stopping also takes the listener off the worker's life signal, which lasts as long as the worker: left on,
  // every long signal the worker ever worked would stay reachable from it.
  const stop = () => {
    clearInterval(timer);
    life.removeEventListener('abort', stop);
  };
  life.addEventListener('abort', stop, { once: true });
  return { stop };
}
