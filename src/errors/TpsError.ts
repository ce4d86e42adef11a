import { ERRORS, type ErrorCode } from './codes.js';

export interface TpsErrorOptions {
  message?: string;
  details?: unknown;
  /** Seconds the client should wait before trying again (429 and 503). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** An error with a stable code from the registry; the API answers it as-is. */
export class TpsError extends Error {
  override readonly name = 'TpsError';
  readonly status: number;
  readonly details: unknown;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    options: TpsErrorOptions = {},
  ) {
    super(options.message ?? ERRORS[code].message, { cause: options.cause });
    this.status = ERRORS[code].status;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toBody(): { error: { code: ErrorCode; message: string; details?: unknown } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export const isTpsError = (error: unknown): error is TpsError => error instanceof TpsError;
