import type { QueueMessage } from '../domain/signal.js';

/**
 * How every broker adapter carries a message's trace context: the W3C `traceparent` of the enqueue span in a
 * message header, not in the body. The worker's spans join the API's trace through it.
 */
export const TRACEPARENT_HEADER = 'traceparent';

/** What goes in the body: the message without its trace context. */
export const withoutTraceparent = ({
  traceparent: _traceparent,
  ...body
}: QueueMessage): Omit<QueueMessage, 'traceparent'> => body;

/** The message read from a body, with the trace context its header carried (a non-empty string), if any. */
export const withTraceparent = (
  message: QueueMessage | undefined,
  header: unknown,
): QueueMessage | undefined =>
  message && typeof header === 'string' && header !== '' ? { ...message, traceparent: header } : message;
