import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  TpsError,
  isStoreUnavailableError,
  isTpsError,
  redactSecrets,
  type ErrorCode,
} from '../../../errors/index.js';
import { describeValidation } from '../../../tps/pokayoke/index.js';

/** Fastify's own error codes, mapped onto ours so every answer has the same shape. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
};

/**
 * A body over the limit is read and dropped (up to this many bytes, or this long) before the 413 goes out and
 * the connection closes: a client that writes its whole body before it reads would otherwise get a broken pipe,
 * or a reset that throws our answer away, instead of the 413.
 */
const DRAIN_CAP_BYTES = 16 * 1024 * 1024;
const DRAIN_CAP_MS = 5000;

export type RejectedRequestListener = (error: TpsError, request: FastifyRequest) => void;

/** Answers every error and unknown route as `{"error":{"code","message","details"?}}`, with Retry-After where due. */
export const errorsPlugin = fp<{ onRejected?: RejectedRequestListener }>(
  async (app: FastifyInstance, options) => {
    app.setErrorHandler(async (raw: FastifyError, request, reply) => {
      const error = toTpsError(raw);
      if (error.status >= 500 && error.code === 'INTERNAL')
        request.log.error({ err: raw, reqId: request.id }, 'request failed');
      options.onRejected?.(error, request);
      if (error.code === 'PAYLOAD_TOO_LARGE' && !request.raw.complete) {
        drainThen(request, () => void send(reply.header('connection', 'close'), error));
        return reply;
      }
      return send(reply, error);
    });
    app.setNotFoundHandler(async (request, reply) =>
      send(
        reply,
        new TpsError('NOT_FOUND', { message: `No route ${request.method} ${request.url.split('?')[0]}` }),
      ),
    );
  },
  { name: 'tps-errors' },
);

/** Reads and drops the rest of the body (up to the caps), then answers. */
function drainThen(request: FastifyRequest, answer: () => void): void {
  const raw = request.raw;
  let dropped = 0;
  let answered = false;
  const finish = () => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    raw.removeListener('data', onData);
    raw.removeListener('end', finish);
    raw.removeListener('error', finish);
    raw.removeListener('close', finish);
    answer();
  };
  const onData = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_CAP_BYTES) finish();
  };
  const timer = setTimeout(finish, DRAIN_CAP_MS);
  raw.on('data', onData);
  raw.once('end', finish);
  raw.once('error', finish);
  raw.once('close', finish);
  raw.resume();
}

function send(reply: FastifyReply, error: TpsError) {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  const body = error.toBody();
  // A message may quote a backend's failure, and that may name its URL with credentials in it.
  body.error.message = redactSecrets(body.error.message);
  return reply.code(error.status).type('application/json').send(body);
}

function toTpsError(error: FastifyError): TpsError {
  if (isTpsError(error)) return error;
  if (isStoreUnavailableError(error)) {
    return new TpsError('STORE_UNAVAILABLE', { message: error.message, retryAfterSeconds: 5, cause: error });
  }
  if (error.validation) {
    const issues = describeValidation(error.validation, error.validationContext ?? 'request');
    return new TpsError('VALIDATION_FAILED', {
      message: issues.map((issue) => issue.message).join('; '),
      details: issues,
    });
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) return new TpsError(mapped, { message: error.message, cause: error });
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new TpsError('VALIDATION_FAILED', { message: error.message, cause: error });
  }
  return new TpsError('INTERNAL', { cause: error });
}
