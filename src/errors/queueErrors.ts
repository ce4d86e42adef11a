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
