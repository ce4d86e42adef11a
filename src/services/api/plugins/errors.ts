import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { TpsError, isStoreUnavailableError, isTpsError, type ErrorCode } from '../../../errors/index.js';
import { describeValidation } from '../../../tps/pokayoke/index.js';

/** Fastify's own error codes, mapped onto ours so every answer has the same shape. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
};

export type RejectedRequestListener = (error: TpsError, request: FastifyRequest) => void;

/** Answers every error and unknown route as `{"error":{"code","message","details"?}}`, with Retry-After where due. */
export const errorsPlugin = fp<{ onRejected?: RejectedRequestListener }>(
  async (app: FastifyInstance, options) => {
    app.setErrorHandler(async (raw: FastifyError, request, reply) => {
      const error = toTpsError(raw);
      if (error.status >= 500 && error.code === 'INTERNAL')
        request.log.error({ err: raw, reqId: request.id }, 'request failed');
      options.onRejected?.(error, request);
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

function send(reply: FastifyReply, error: TpsError) {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.code(error.status).type('application/json').send(error.toBody());
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
