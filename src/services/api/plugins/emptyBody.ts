import type { FastifyRequest } from 'fastify';

/**
 * A preValidation hook: no body means "no options" on routes whose every field is optional. The admin routes
 * refuse a request that is not JSON before this runs (adminGuard), so there it only spares the handlers a
 * check for `undefined`.
 */
export async function emptyBodyIsNoOptions(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}
