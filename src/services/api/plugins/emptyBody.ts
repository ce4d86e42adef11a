import type { FastifyRequest } from 'fastify';

/** A preValidation hook: a POST with no body means "no options" on routes whose every field is optional. */
export async function emptyBodyIsNoOptions(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}
