/** Thrown by `Breaker.execute` while the breaker is open and no probe is due: the call failed fast. */
export class BreakerOpenError extends Error {
  override readonly name = 'BreakerOpenError';
  constructor(
    readonly breaker: string,
    /** Milliseconds until the breaker lets a probe call through. */
    readonly retryAfterMs: number,
    readonly lastFailure: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `breaker ${breaker} is open${lastFailure === undefined ? '' : ` (last failure: ${lastFailure})`}; ` +
        `next probe in ${retryAfterMs} ms`,
      options,
    );
  }
}

export const isBreakerOpenError = (error: unknown): error is BreakerOpenError =>
  error instanceof BreakerOpenError;
