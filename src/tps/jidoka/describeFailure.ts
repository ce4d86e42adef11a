import { isDownstreamError } from '../../errors/index.js';
import { isTimeoutError } from './isTimeoutError.js';

/** A failure in plain words, for breaker causes, andon stations and a signal's `error` field. */
export function describeFailure(error: unknown): string {
  if (isDownstreamError(error)) {
    // Without a status the message already says who did not answer and why (DownstreamError): prefixing it
    // again gave "service-a did not answer: service-a did not answer: …".
    return error.status === undefined ? error.message : `${error.service} answered ${error.status}`;
  }
  if (isTimeoutError(error)) return 'timed out';
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return `non-error thrown: ${String(error)}`;
}
