/**
 * A downstream call answered with an HTTP error status, or did not answer in time.
 * 5xx and timeouts count against the caller's breaker; 4xx do not (the request was wrong, not the service).
 */
export class DownstreamError extends Error {
  override readonly name = 'DownstreamError';
  constructor(
    readonly service: string,
    /** HTTP status, or undefined when the call never got an answer (timeout, connection refused). */
    readonly status: number | undefined,
    /** The whole cause, naming the service: `describeFailure` shows it as it is when there is no status. */
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Whether retrying could help: server-side failures and no-answers, not client errors. */
  get retriable(): boolean {
    return this.status === undefined || this.status >= 500;
  }
}
export const isDownstreamError = (error: unknown): error is DownstreamError =>
  error instanceof DownstreamError;

/** A processor throws this to say "don't retry": the signal ends `failed` at once (bullmq's UnrecoverableError). */
export class UnrecoverableError extends Error {
  override readonly name = 'UnrecoverableError';
}
export const isUnrecoverableError = (error: unknown): error is UnrecoverableError =>
  error instanceof UnrecoverableError;
