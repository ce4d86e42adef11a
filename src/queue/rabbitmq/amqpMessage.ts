import type { Message, Options } from 'amqplib';
import { LANES, SIGNAL_TYPES, messageKey, type QueueMessage } from '../../domain/signal.js';
import { TRACEPARENT_HEADER, withTraceparent, withoutTraceparent } from '../traceparentHeader.js';

/** The header the trace id travels in, beside the body, so tools that never parse bodies can follow a trace. */
export const TRACE_HEADER = 'trace_id';

export interface EncodedMessage {
  body: Buffer;
  options: Options.Publish;
}

export const encodeMessage = (message: QueueMessage): EncodedMessage => ({
  body: Buffer.from(JSON.stringify(withoutTraceparent(message))),
  options: {
    persistent: true,
    // An unroutable publish (its queue was deleted) comes back instead of being confirmed and dropped.
    mandatory: true,
    messageId: messageKey(message),
    contentType: 'application/json',
    type: message.signal_type,
    timestamp: Math.floor(message.enqueued_at / 1000),
    headers: {
      [TRACE_HEADER]: message.trace_id,
      ...(message.traceparent === undefined ? {} : { [TRACEPARENT_HEADER]: message.traceparent }),
    },
  },
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The message a delivery carries (body and trace header), or undefined when it is not one of ours. */
export function decodeMessage(raw: Pick<Message, 'content' | 'properties'>): QueueMessage | undefined {
  return withTraceparent(decodeBody(raw.content), raw.properties.headers?.[TRACEPARENT_HEADER]);
}

/** The body as a QueueMessage, or undefined when it is not one (a message some other client put there). */
function decodeBody(content: Buffer): QueueMessage | undefined {
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(body)) return undefined;
  const { id, lane, signal_type, payload, enqueued_at, generation, trace_id, deadline } = body;
  const valid =
    typeof id === 'string' &&
    (LANES as readonly unknown[]).includes(lane) &&
    (SIGNAL_TYPES as readonly unknown[]).includes(signal_type) &&
    isRecord(payload) &&
    typeof enqueued_at === 'number' &&
    typeof generation === 'number' &&
    typeof trace_id === 'string' &&
    (deadline === undefined || typeof deadline === 'number');
  return valid ? (body as unknown as QueueMessage) : undefined;
}

/**
 * How many times a quorum queue has taken this message back (nack with requeue, or the consumer's channel
 * closing): absent on the first delivery. RabbitMQ 3.x counts every return; 4.x no longer counts a return
 * caused by a channel closing.
 */
export const deliveryCount = (message: Message): number => {
  const count = Number(message.properties.headers?.['x-delivery-count'] ?? 0);
  return Number.isFinite(count) && count > 0 ? count : 0;
};

export interface Death {
  /** `delivery_limit`, `rejected`, `expired` or `maxlen`. */
  reason: string;
  /** Epoch ms, to the second. */
  at: number | undefined;
}

/** The most recent dead-lettering recorded in the `x-death` header (RabbitMQ keeps the newest first). */
export function lastDeath(message: Message): Death | undefined {
  const headers = message.properties.headers;
  const deaths: unknown = headers?.['x-death'];
  const newest: unknown = Array.isArray(deaths) ? deaths[0] : undefined;
  const firstReason: unknown = headers?.['x-first-death-reason'];
  const fallback = typeof firstReason === 'string' ? firstReason : undefined;
  if (!isRecord(newest)) return fallback === undefined ? undefined : { reason: fallback, at: undefined };
  const reason = typeof newest.reason === 'string' ? newest.reason : (fallback ?? 'unknown');
  // amqplib decodes AMQP timestamps as { '!': 'timestamp', value: seconds }.
  const time = isRecord(newest.time) ? newest.time.value : newest.time;
  return { reason, at: typeof time === 'number' ? time * 1000 : undefined };
}
