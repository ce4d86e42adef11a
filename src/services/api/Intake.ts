import {
  ROOT_CONTEXT,
  SpanKind,
  isSpanContextValid,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { newSignalId, newTraceId } from '../../domain/ids.js';
import type { LaneName, Payload, QueueMessage, SignalRecord, SignalType } from '../../domain/signal.js';
import { RETRYABLE_STATUSES } from '../../domain/signal.js';
import {
  TpsError,
  isTpsError,
  isQueueFullError,
  isQueueUnavailableError,
  isUnserialisablePayloadError,
  withoutStack,
  type ErrorCode,
  type TpsErrorOptions,
} from '../../errors/index.js';
import { primaryBackendOf, type PublishReceipt, type WorkQueue } from '../../queue/WorkQueue.js';
import type { StatusStore } from '../../store/StatusStore.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
} from '../../telemetry/semconv.js';
import { ATTRIBUTES, inLeafSpan, inSpan } from '../../telemetry/spans.js';
import { isSyntheticContext, recordedTraceparentOf } from '../../telemetry/traceContext.js';
import type { Clock } from '../../tps/clock.js';
import type { Breaker, Line } from '../../tps/jidoka/index.js';
import { isBreakerOpenError } from '../../tps/jidoka/index.js';
import { retryAfterSeconds } from '../../tps/kanban/index.js';
import { inspectPayload, type ShapeLimits } from '../../tps/pokayoke/index.js';
import { payloadShapeError } from './plugins/jsonShape.js';

export interface SignalRequest {
  signal_type: SignalType;
  payload: Payload;
  id?: string;
  timeout_ms?: number;
}

export type RejectionReason =
  'line_stopped' | 'lane_full' | 'queue_unavailable' | 'shutting_down' | 'id_conflict' | 'payload_dropped';

export interface IntakeDeps {
  store: StatusStore;
  queue: WorkQueue;
  route: (type: SignalType) => LaneName;
  /** MAX_PAYLOAD_DEPTH and MAX_PAYLOAD_KEYS, checked again before the breaker (a retry's stored payload too). */
  payloadLimits: ShapeLimits;
  line: Line;
  queueBreaker: Breaker;
  clock: Clock;
  /** Records the request's span (`POST /signal`) and the publish; a signal's trace id is its request span's. */
  tracer: Tracer;
  draining: () => boolean;
  /** Signals per second the lane's workers finish now, for Retry-After on 429. */
  drainRate: (lane: LaneName) => number;
  accepted: (lane: LaneName) => void;
  rejected: (reason: RejectionReason) => void;
}

/**
 * Where an HTTP request came in, for its server span (`url.scheme`, `server.address`, `server.port`). Fastify's
 * request is one: it is passed as it is, and read only when the span is recorded.
 */
export interface HttpOrigin {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number | null;
}

/**
 * `parent`: the trace context the request carried (a caller's traceparent and baggage); default: none.
 * `origin`: the HTTP request, when the call is one.
 */
export interface Intake {
  /** Accepts a signal (`created`) or returns the one already known under its id. */
  submit(
    request: SignalRequest,
    parent?: Context,
    origin?: HttpOrigin,
  ): Promise<{ created: boolean; record: SignalRecord }>;
  /** Puts a failed, expired or dead-lettered signal back on its lane under the same id. */
  retry(id: string, parent?: Context, origin?: HttpOrigin): Promise<SignalRecord>;
}

/** The answer's status on the request's span; a 4xx is the caller's, so it does not fail a server span. */
function answered(span: Span, status: number, error?: unknown): void {
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (error !== undefined) {
    span.setAttribute(
      ATTR_ERROR_TYPE,
      isTpsError(error) ? error.code : error instanceof Error ? error.name : '_OTHER',
    );
  }
}

const submitStatus = (result: { created: boolean }): number => (result.created ? 202 : 200);
const accepted = (): number => 202;

const statusOf = (error: unknown): number => (isTpsError(error) ? error.status : 500);

/** HTTP server span options: a refusal (4xx) leaves the span's status unset, as the HTTP conventions say. */
const SERVER_FAILURE = (error: unknown): boolean => statusOf(error) >= 500;

/**
 * `work` as the handling of one HTTP request on its recorded span: where the request came in, and the answer's
 * status. Only for a recorded span: a trace nobody records gets nothing built for it.
 */
async function serve<T>(
  span: Span,
  origin: HttpOrigin | undefined,
  path: string,
  work: Promise<T>,
  status: (result: T) => number,
): Promise<T> {
  span.setAttribute(ATTR_URL_PATH, path);
  if (origin) {
    span.setAttribute(ATTR_URL_SCHEME, origin.protocol);
    span.setAttribute(ATTR_SERVER_ADDRESS, origin.hostname);
    if (origin.port !== null) span.setAttribute(ATTR_SERVER_PORT, origin.port);
  }
  try {
    const result = await work;
    answered(span, status(result));
    return result;
  } catch (error) {
    answered(span, statusOf(error), error);
    throw error;
  }
}

/** The span's trace id, or a fresh one where no tracer records (so every signal still has one to log). */
const traceIdOf = (span: Span): string => {
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) ? spanContext.traceId : newTraceId();
};

/**
 * How long a client should wait on a full lane: the time the lane takes to drain at the rate it drains now.
 * A process that cannot see the drain (the distributed API, whose workers are elsewhere) says 5 s, not the cap.
 */
const laneFullRetryAfter = (depth: number, drainPerSecond: number): number =>
  drainPerSecond > 0 ? retryAfterSeconds(depth, drainPerSecond) : 5;

/** The front of the line: idempotency by id, Jidoka's stop, Kanban's bound, and only then a 202. */
export function createIntake(deps: IntakeDeps): Intake {
  const { store, clock, tracer } = deps;
  const messagingSystem = primaryBackendOf(deps.queue);

  const refuse = (reason: RejectionReason, code: ErrorCode, options: TpsErrorOptions): never => {
    deps.rejected(reason);
    throw withoutStack(() => new TpsError(code, options));
  };

  /**
   * Poka-yoke before Jidoka, before the store and the queue: a payload no adapter could copy is the caller's
   * 400, and never reaches a breaker, where its failure would count against the backend (or, in a half-open
   * probe, for it). The API's JSON parser holds bodies to the same limits; this covers every other way in.
   */
  const checkPayload = (payload: unknown): void => {
    const shape = inspectPayload(payload, deps.payloadLimits);
    // Not counted here: the API counts these codes for POST /signal as it answers them (app.ts).
    if (!shape.ok) throw payloadShapeError(shape, 'payload');
  };

  const admit = (lane: LaneName): void => {
    if (deps.draining()) refuse('shutting_down', 'SHUTTING_DOWN', { retryAfterSeconds: 5 });
    const admission = deps.line.intake(lane);
    if (!admission.ok) {
      refuse('line_stopped', 'LINE_STOPPED', {
        message: `The ${lane} lane is stopped: ${admission.cause}`,
        details: { lane, cause: admission.cause },
        retryAfterSeconds: admission.retryAfterSeconds,
      });
    }
  };

  /**
   * `acceptedAt`: the clock reading `created_at` was written from, so the queue wait starts where the status
   * says. `trace`: the request's span, whose child the enqueue is.
   */
  const enqueue = (record: SignalRecord, acceptedAt: number, trace: Context): Promise<unknown> =>
    inLeafSpan(
      tracer,
      `publish ${record.lane}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          [ATTRIBUTES.service]: 'api',
          [ATTR_MESSAGING_SYSTEM]: messagingSystem,
          [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_SEND,
          [ATTR_MESSAGING_OPERATION_NAME]: 'publish',
          [ATTR_MESSAGING_DESTINATION_NAME]: record.lane,
          [ATTR_MESSAGING_MESSAGE_ID]: record.id,
        },
      },
      trace,
      (span): Promise<unknown> =>
        span.isRecording()
          ? publishRecorded(span, record, acceptedAt)
          : publish(record, acceptedAt, undefined),
    );

  /** A composite queue (nats+rabbitmq) says which backend took the message: the fallback's, while the primary is down. */
  const publishRecorded = async (span: Span, record: SignalRecord, acceptedAt: number): Promise<void> => {
    const receipt = await publish(record, acceptedAt, recordedTraceparentOf(span.spanContext()));
    if (receipt.carrier !== undefined) span.setAttribute(ATTR_MESSAGING_SYSTEM, receipt.carrier);
  };

  const publish = async (
    record: SignalRecord,
    acceptedAt: number,
    traceparent: string | undefined,
  ): Promise<PublishReceipt> => {
    const message: QueueMessage = {
      id: record.id,
      lane: record.lane,
      signal_type: record.signal_type,
      payload: record.payload ?? {},
      enqueued_at: acceptedAt,
      generation: record.generation,
      trace_id: record.trace_id,
      ...(record.deadline === undefined ? {} : { deadline: record.deadline }),
      ...(traceparent === undefined ? {} : { traceparent }),
    };
    try {
      return await deps.queueBreaker.execute(() => deps.queue.publish(message));
    } catch (error) {
      if (isUnserialisablePayloadError(error)) {
        throw new TpsError('PAYLOAD_NOT_JSON', { message: `The payload ${error.message}`, cause: error });
      }
      if (isQueueFullError(error)) {
        refuse('lane_full', 'LANE_FULL', {
          message: `The ${record.lane} lane is full (${error.depth}/${error.capacity} waiting)`,
          details: { lane: record.lane, depth: error.depth, capacity: error.capacity },
          retryAfterSeconds: laneFullRetryAfter(error.depth, deps.drainRate(record.lane)),
          cause: error,
        });
      }
      if (isQueueUnavailableError(error) || isBreakerOpenError(error)) {
        refuse('queue_unavailable', 'QUEUE_UNAVAILABLE', {
          message: `The queue backend is unavailable: ${error.message}`,
          retryAfterSeconds: isBreakerOpenError(error)
            ? Math.max(1, Math.ceil(error.retryAfterMs / 1000))
            : 5,
          cause: error,
        });
      }
      throw error;
    }
  };

  const requestAttributes = (request: SignalRequest, parent: Context) => ({
    [ATTRIBUTES.service]: 'api',
    [ATTRIBUTES.signalType]: request.signal_type,
    [ATTR_HTTP_REQUEST_METHOD]: 'POST',
    [ATTR_HTTP_ROUTE]: '/signal',
    ...(request.id === undefined ? {} : { [ATTRIBUTES.signalId]: request.id }),
    ...(isSyntheticContext(parent) ? { synthetic_request: true } : {}),
  });

  return {
    submit: (request, parent = ROOT_CONTEXT, origin) =>
      inSpan(
        tracer,
        'POST /signal',
        { kind: SpanKind.SERVER, attributes: requestAttributes(request, parent), isFailure: SERVER_FAILURE },
        parent,
        (span, trace) =>
          span.isRecording()
            ? serve(span, origin, '/signal', submit(request, span, trace), submitStatus)
            : submit(request, span, trace),
      ),
    retry: (id, parent = ROOT_CONTEXT, origin) =>
      inSpan(
        tracer,
        'POST /signal/:id/retry',
        {
          kind: SpanKind.SERVER,
          attributes: {
            [ATTRIBUTES.service]: 'api',
            [ATTRIBUTES.signalId]: id,
            [ATTR_HTTP_REQUEST_METHOD]: 'POST',
            [ATTR_HTTP_ROUTE]: '/signal/:id/retry',
          },
          isFailure: SERVER_FAILURE,
        },
        parent,
        (span, trace) =>
          span.isRecording()
            ? serve(span, origin, `/signal/${id}/retry`, retry(id, span, trace), accepted)
            : retry(id, span, trace),
      ),
  };

  async function submit(
    request: SignalRequest,
    span: Span,
    trace: Context,
  ): Promise<{ created: boolean; record: SignalRecord }> {
    checkPayload(request.payload);
    if (request.id !== undefined) {
      const existing = await store.get(request.id);
      if (existing) return { created: false, record: sameSignal(existing, request, deps.rejected) };
    }
    const lane = deps.route(request.signal_type);
    span.setAttribute(ATTRIBUTES.lane, lane);
    admit(lane);
    const now = clock.now();
    const record: SignalRecord = {
      id: request.id ?? newSignalId(),
      signal_type: request.signal_type,
      lane,
      status: 'queued',
      attempts: 0,
      created_at: new Date(now).toISOString(),
      started_at: null,
      completed_at: null,
      trace_id: traceIdOf(span),
      generation: 0,
      payload: request.payload,
      ...(request.timeout_ms === undefined
        ? {}
        : { timeout_ms: request.timeout_ms, deadline: now + request.timeout_ms }),
    };
    span.setAttribute(ATTRIBUTES.signalId, record.id);
    const { record: stored, created } = await store.create(record, trace);
    if (!created) return { created: false, record: sameSignal(stored, request, deps.rejected) };
    try {
      await enqueue(record, now, trace);
    } catch (error) {
      await store.delete(record.id);
      throw error;
    }
    deps.accepted(lane);
    return { created: true, record };
  }

  /** The status store let go of the payload (see StatusStore): there is nothing to send again. */
  function payloadDropped(record: SignalRecord): never {
    return refuse('payload_dropped', 'PAYLOAD_DROPPED', {
      message:
        `Signal ${record.id} cannot be retried: the status store no longer keeps its payload` +
        (record.status === 'dead_lettered' ? ' and the dead-letter lane no longer holds it' : '') +
        ' (a payload is let go once its signal completes or is dead-lettered, and the others are kept ' +
        'within STATUS_PAYLOAD_BUDGET_BYTES, oldest dropped first)',
      details: { id: record.id, status: record.status },
    });
  }

  /** A retry starts a trace of its own, and the signal's trace id moves to it. */
  async function retry(id: string, span: Span, trace: Context): Promise<SignalRecord> {
    const record = await store.get(id);
    if (!record) throw new TpsError('SIGNAL_NOT_FOUND', { details: { id } });
    if (!RETRYABLE_STATUSES.has(record.status)) {
      throw new TpsError('NOT_RETRYABLE', {
        message: `Signal ${id} is ${record.status}; only failed, expired or dead-lettered signals can be retried`,
        details: { id, status: record.status },
      });
    }
    // A dead letter carries its payload in the dead-letter lane; any other signal needs the stored one.
    if (record.payload === undefined && record.status !== 'dead_lettered') payloadDropped(record);
    if (record.payload !== undefined) checkPayload(record.payload);
    span.setAttributes({ [ATTRIBUTES.lane]: record.lane, [ATTRIBUTES.signalType]: record.signal_type });
    admit(record.lane);
    const now = clock.now();
    const requeued: SignalRecord = {
      ...record,
      status: 'queued',
      attempts: 0,
      created_at: new Date(now).toISOString(),
      started_at: null,
      completed_at: null,
      error: undefined,
      generation: record.generation + 1,
      trace_id: traceIdOf(span),
      ...(record.timeout_ms === undefined ? {} : { deadline: now + record.timeout_ms }),
    };
    await store.update(id, requeued, trace);
    try {
      // A dead letter goes back out of the dead-letter lane (as generation + 1), not beside it, so that a
      // later replay cannot run the signal a second time; anything else is published afresh.
      const moved =
        record.status === 'dead_lettered' && (await deps.queue.replayDeadLetters([id])).length > 0;
      if (!moved) {
        if (record.payload === undefined) payloadDropped(record);
        await enqueue(requeued, now, trace);
      }
    } catch (error) {
      await store.update(id, record, trace);
      throw error;
    }
    deps.accepted(record.lane);
    return requeued;
  }
}

function sameSignal(
  existing: SignalRecord,
  request: SignalRequest,
  rejected: (reason: 'id_conflict') => void,
): SignalRecord {
  if (existing.signal_type !== request.signal_type) {
    rejected('id_conflict');
    throw new TpsError('ID_CONFLICT', {
      message: `Id ${existing.id} is already used by a ${existing.signal_type} signal`,
      details: { id: existing.id, signal_type: existing.signal_type },
    });
  }
  return existing;
}
