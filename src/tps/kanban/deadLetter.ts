import type { QueueMessage } from '../../domain/signal.js';
import type { DeadLetter } from '../../queue/WorkQueue.js';

/** Why the last delivery of a dead-lettered message came back. */
export type DeadLetterCause = 'lease_expired' | 'nak';

const LAST_ATTEMPT: Record<DeadLetterCause, string> = {
  lease_expired: 'the last lease expired without an ack',
  nak: 'the last attempt was nak’ed',
};

/** The dead-letter record, with its reason in words for the board and `GET /dlq`. */
export const deadLetterRecord = (
  message: QueueMessage,
  attempts: number,
  cause: DeadLetterCause,
  at: number,
): DeadLetter => ({
  message,
  attempts,
  reason: `delivered ${attempts} time${attempts === 1 ? '' : 's'} (the maximum); ${LAST_ATTEMPT[cause]}`,
  at,
});
