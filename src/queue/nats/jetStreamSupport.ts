import { JetStreamApiError } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { LaneName } from '../../domain/signal.js';
import type { LanePuller } from './LanePuller.js';

/** One lane as JetStream holds it: its stream, subject, durable consumer and the puller feeding receivers. */
export interface Lane {
  readonly name: LaneName;
  readonly stream: string;
  readonly subject: string;
  readonly consumer: string;
  readonly puller: LanePuller;
}

export const MAXIMUM_MESSAGES_EXCEEDED = 10077;
export const NO_MESSAGE_FOUND = 10037;
export const MESSAGE_NOT_FOUND = 10057;

export const isApiError = (error: unknown, ...codes: number[]): boolean =>
  error instanceof JetStreamApiError && codes.includes(error.code);

export const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const withTimeout = async <T>(work: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

export const mapLimit = async <T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

/**
 * Sends an ack-protocol message and waits until the server has read it: ack-protocol messages get no reply,
 * so the flush is the only way to know the write reached the server.
 */
export const sendAndFlush = async (
  nc: NatsConnection,
  timeoutMs: number,
  write: () => void,
): Promise<void> => {
  write();
  await withTimeout(nc.flush(), timeoutMs, 'NATS flush');
};
