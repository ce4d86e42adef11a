import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { TpsError } from '../../../errors/index.js';

const isLoopback = (address: string | undefined): boolean =>
  address !== undefined &&
  (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * A preHandler for routes that change the system (andon cord, chaos, replay): callers on loopback pass,
 * others need `Authorization: Bearer $TPS_ADMIN_TOKEN`.
 */
export function adminGuard(adminToken: string) {
  return async (request: FastifyRequest): Promise<void> => {
    if (isLoopback(request.socket.remoteAddress)) return;
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (adminToken !== '' && token !== '' && sameSecret(token, adminToken)) return;
    throw new TpsError('FORBIDDEN', {
      message: adminToken
        ? 'Admin routes need loopback or Authorization: Bearer <TPS_ADMIN_TOKEN>'
        : 'Admin routes are open only to loopback callers (set TPS_ADMIN_TOKEN to allow others)',
    });
  };
}
