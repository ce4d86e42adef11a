import type { QueueMessage } from '../domain/signal.js';
import { UnserialisablePayloadError } from '../errors/queueErrors.js';
import { inspectPayload } from '../tps/pokayoke/payloadShape.js';

/**
 * Copies or serialises a message the way an adapter carries it, first, before any I/O: a message that cannot be
 * serialised is refused as the caller's fault (`UnserialisablePayloadError`), never mistaken for the backend
 * failing.
 */
export function serialiseOrRefuse<T>(message: Pick<QueueMessage, 'id'>, serialise: () => T): T {
  try {
    return serialise();
  } catch (error) {
    throw new UnserialisablePayloadError(message.id, { cause: error });
  }
}

/** Deeper than this, JSON.stringify's recursion comes near the stack's end (it overflows at a few thousand). */
const SERIALISABLE_DEPTH = 1_000;

/**
 * Refuses, without copying anything, a message whose payload no adapter could serialise: for callers that must
 * know before they call an adapter under a breaker.
 */
export function refuseUnserialisable(message: { id: string; payload?: unknown }): void {
  if (message.payload === undefined) return;
  const shape = inspectPayload(message.payload, {
    maxDepth: SERIALISABLE_DEPTH,
    maxMembers: Number.POSITIVE_INFINITY,
  });
  if (!shape.ok)
    throw new UnserialisablePayloadError(message.id, { cause: new Error(`payload ${shape.message}`) });
}
