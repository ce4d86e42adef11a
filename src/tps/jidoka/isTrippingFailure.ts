import {
  isDownstreamError,
  isQueueFullError,
  isUnserialisablePayloadError,
  isUnrecoverableError,
} from '../../errors/index.js';

/**
 * Whether an error says the dependency is unwell, so it counts against its breaker.
 * Counted: 5xx and unanswered downstream calls, timeouts (cockatiel's `TaskCancelledError`),
 * `QueueUnavailableError`, and anything unforeseen. Not counted: a dependency that answers
 * "your request is wrong" (4xx), a processor giving up on purpose (`UnrecoverableError`), and a full
 * lane (`QueueFullError`): that is Kanban's back-pressure working, not the queue backend failing; and a message
 * that cannot be serialised (`UnserialisablePayloadError`): the caller's fault. (Callers serialise before the
 * breaker anyway: cockatiel takes an error it does not count, thrown by a half-open probe, as the probe
 * succeeding.)
 */
export function isTrippingFailure(error: unknown): boolean {
  if (isDownstreamError(error)) return error.retriable;
  return !isUnrecoverableError(error) && !isQueueFullError(error) && !isUnserialisablePayloadError(error);
}
