import type { FastifyInstance } from 'fastify';
import { TpsError } from '../../../errors/index.js';
import { inspectBody, type PayloadShape, type ShapeLimits } from '../../../tps/pokayoke/index.js';

/** The refusal for a payload or body over its structural limits, as the API answers it (400). */
export function payloadShapeError(shape: Extract<PayloadShape, { ok: false }>, what: string): TpsError {
  const code =
    shape.problem === 'too_deep'
      ? 'PAYLOAD_TOO_DEEP'
      : shape.problem === 'too_many_members'
        ? 'PAYLOAD_TOO_MANY_KEYS'
        : 'PAYLOAD_NOT_JSON';
  return new TpsError(code, { message: `The ${what} ${shape.message}` });
}

/**
 * Fastify's own JSON parser (the same prototype-poisoning checks and errors), followed by the structural
 * limits, on every JSON body of every route: a body nested thousands deep is refused with a 400 while it is
 * parsed, before any hook, schema, copy or breaker sees it.
 */
export function parseJsonWithinLimits(app: FastifyInstance, limits: ShapeLimits): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    void parse(request, body as string, (error, value: unknown) => {
      if (error) return done(error, undefined);
      const shape = inspectBody(value, limits);
      if (!shape.ok) return done(payloadShapeError(shape, 'body'), undefined);
      done(null, value);
    });
  });
}
