/** Thrown by a WorkQueue adapter when a lane is at its depth limit. The API answers 429. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(
    readonly lane: string,
    readonly depth: number,
    readonly capacity: number,
    options?: { cause?: unknown },
  ) {
    super(`lane ${lane} is full (${depth}/${capacity})`, options);
  }
}
export const isQueueFullError = (error: unknown): error is QueueFullError => error instanceof QueueFullError;

/** Thrown by a WorkQueue adapter when its backend cannot take or give work. The API answers 503. */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
  constructor(message = 'queue backend unavailable', options?: { cause?: unknown }) {
    super(message, options);
  }
}
export const isQueueUnavailableError = (error: unknown): error is QueueUnavailableError =>
  error instanceof QueueUnavailableError;

/**
 * Thrown by a WorkQueue adapter or the guarded status store, before any I/O, when a message or record cannot be
 * copied or serialised (a payload nested too deep for JSON.stringify's recursion, a BigInt, a getter that
 * throws). The payload is at fault, not the backend: it never counts against a breaker; the API answers 400.
 */
export class UnserialisablePayloadError extends Error {
  override readonly name = 'UnserialisablePayloadError';
  constructor(
    readonly signalId: string,
    options?: { cause?: unknown },
  ) {
    const cause = options?.cause instanceof Error ? options.cause.message : String(options?.cause);
    super(`of signal ${signalId} cannot be serialised: ${cause}`, options);
  }
}
export const isUnserialisablePayloadError = (error: unknown): error is UnserialisablePayloadError =>
  error instanceof UnserialisablePayloadError;
