/** The status store (the database) did not answer, or its breaker is open. The API answers 503. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(message = 'status store unavailable', options?: { cause?: unknown }) {
    super(message, options);
  }
}
export const isStoreUnavailableError = (error: unknown): error is StoreUnavailableError =>
  error instanceof StoreUnavailableError;
