/** How signals and dead letters are laid out in JetStream messages: JSON bodies and `Tps-*` headers. */
import type { StoredMsg } from '@nats-io/jetstream';
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { LANES, type LaneName, type QueueMessage } from '../../domain/signal.js';
import { TRACEPARENT_HEADER, withTraceparent, withoutTraceparent } from '../traceparentHeader.js';
import type { DeadLetter } from '../WorkQueue.js';

/** The signal's trace id, beside the body, so tools can follow a message without parsing it. */
export const TRACE_ID_HEADER = 'Tps-Trace-Id';
export const DEAD_LETTER_REASON_HEADER = 'Tps-Dead-Letter-Reason';
export const DEAD_LETTER_ATTEMPTS_HEADER = 'Tps-Dead-Letter-Attempts';
/** Epoch ms when the message was dead-lettered. */
export const DEAD_LETTER_AT_HEADER = 'Tps-Dead-Letter-At';
/** `<stream>:<sequence>` of the work message it came from. */
export const DEAD_LETTER_SOURCE_HEADER = 'Tps-Dead-Letter-Source';

const isLane = (value: unknown): value is LaneName => (LANES as readonly unknown[]).includes(value);

/** A message's body: everything but the trace context, which travels in a header. */
export const messageBody = (message: QueueMessage): string => JSON.stringify(withoutTraceparent(message));

/** The message a body and its headers make, or undefined for a body that is not one of ours. */
export const readQueueMessage = (data: Uint8Array, h: MsgHdrs | undefined): QueueMessage | undefined =>
  withTraceparent(parseQueueMessage(data), h?.get(TRACEPARENT_HEADER));

/** Just enough checking that a body is one of our messages, so a stray one is refused instead of crashing. */
const parseQueueMessage = (data: Uint8Array): QueueMessage | undefined => {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Partial<QueueMessage>;
  return typeof message.id === 'string' &&
    isLane(message.lane) &&
    typeof message.generation === 'number' &&
    typeof message.trace_id === 'string'
    ? (message as QueueMessage)
    : undefined;
};

export const messageHeaders = (message: QueueMessage): MsgHdrs => {
  const h = headers();
  h.set(TRACE_ID_HEADER, message.trace_id);
  if (message.traceparent) h.set(TRACEPARENT_HEADER, message.traceparent);
  return h;
};

export const deadLetterHeaders = (deadLetter: DeadLetter, source: string): MsgHdrs => {
  const h = messageHeaders(deadLetter.message);
  // Header values are one line.
  h.set(DEAD_LETTER_REASON_HEADER, deadLetter.reason.replace(/[\r\n]+/g, ' '));
  h.set(DEAD_LETTER_ATTEMPTS_HEADER, String(deadLetter.attempts));
  h.set(DEAD_LETTER_AT_HEADER, String(deadLetter.at));
  h.set(DEAD_LETTER_SOURCE_HEADER, source);
  return h;
};

export interface StoredDeadLetter {
  deadLetter: DeadLetter;
  /** Its sequence in the dead-letter stream. */
  seq: number;
}

/** Reads a dead letter back from the dead-letter stream; undefined for a message that is not one. */
export const decodeDeadLetter = (stored: StoredMsg): StoredDeadLetter | undefined => {
  const message = readQueueMessage(stored.data, stored.header);
  if (!message) return undefined;
  const attempts = Number(stored.header.get(DEAD_LETTER_ATTEMPTS_HEADER));
  const at = Number(stored.header.get(DEAD_LETTER_AT_HEADER));
  return {
    seq: stored.seq,
    deadLetter: {
      message,
      attempts: Number.isFinite(attempts) ? attempts : 0,
      reason: stored.header.get(DEAD_LETTER_REASON_HEADER) || 'dead-lettered',
      at: Number.isFinite(at) && at > 0 ? at : stored.time.getTime(),
    },
  };
};
