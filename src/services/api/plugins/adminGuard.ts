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

const READS = new Set(['GET', 'HEAD']);

/** `Origin` names this very server (scheme aside: a TLS proxy may sit in front), as the browser sees it. */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const from = new URL(origin);
    return from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false; // `null` (a sandboxed frame, a file) or garbage: not us
  }
}

/**
 * A request a page of another site made the browser send. Browsers send `Sec-Fetch-Site` on every request and
 * `Origin` on every POST/DELETE; a client that is not a browser (curl, `tps`) sends neither, or its own origin.
 */
function crossSiteReason(request: FastifyRequest): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return `Sec-Fetch-Site: ${site}`;
  const origin = request.headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, request.headers.host)) {
    return `Origin ${JSON.stringify(origin.slice(0, 100))} is not this server's`;
  }
  return undefined;
}

const isJson = (contentType: string | undefined): boolean =>
  contentType !== undefined && contentType.split(';')[0]?.trim().toLowerCase() === 'application/json';

/**
 * An onRequest hook for routes that change the system (andon cord, chaos, replay, load), in this order:
 * 1. no request another site started (403 CROSS_SITE), whoever sends it, token or not;
 * 2. callers on loopback pass, others need `Authorization: Bearer $TPS_ADMIN_TOKEN` (403 FORBIDDEN);
 * 3. a change is deliberate: it comes as `application/json` (415), which no HTML form can send and which a
 *    browser sends cross-site only after a CORS preflight we never grant. `{}` means "no options".
 */
export function adminGuard(adminToken: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const crossSite = crossSiteReason(request);
    if (crossSite) {
      throw new TpsError('CROSS_SITE', {
        message: `Admin routes refuse requests another site started (${crossSite}): use the board or \`tps\``,
      });
    }
    if (!isLoopback(request.socket.remoteAddress)) {
      const header = request.headers.authorization ?? '';
      const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
      if (adminToken === '' || token === '' || !sameSecret(token, adminToken)) {
        throw new TpsError('FORBIDDEN', {
          message: adminToken
            ? 'Admin routes need loopback or Authorization: Bearer <TPS_ADMIN_TOKEN>'
            : 'Admin routes are open only to loopback callers (set TPS_ADMIN_TOKEN to allow others)',
        });
      }
    }
    if (!READS.has(request.method) && !isJson(request.headers['content-type'])) {
      throw new TpsError('UNSUPPORTED_MEDIA_TYPE', {
        message: `${request.method} ${request.url.split('?')[0]} changes the system: send content-type: application/json (a body of {} when there are no options)`,
      });
    }
  };
}
