import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import type { Disposable } from '../../../domain/disposable.js';
import { TpsError } from '../../../errors/index.js';
import type { AndonEvent } from '../../../tps/andon/index.js';
import type { ApiDeps } from '../ApiDeps.js';

/** How often every client gets the whole status. */
export const STATUS_INTERVAL_MS = 1_000;
/** A comment line this often keeps proxies from closing a quiet stream. */
export const KEEP_ALIVE_MS = 15_000;

/**
 * `GET /events`: Server-Sent Events for the board. `event: status` carries the whole SystemStatus once a second
 * and right after an andon event; `event: andon` carries each andon event as it happens; `event: load` the board's
 * load run (`/load`) at its start, every second while it runs, and at its end.
 *
 * Cost: one shared timer and one andon and load subscription for all clients, only while someone listens; the
 * status is built and serialised once per tick and written to every client (`npm run bench:board` measures it).
 */
export const eventRoutes: FastifyPluginAsync<ApiDeps> = async (app, deps) => {
  const clients = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | undefined;
  let subscriptions: Disposable[] = [];
  let ticks = 0;
  let building = false;
  let again = false;

  const broadcast = (frame: string): void => {
    for (const client of clients) client.write(frame);
  };

  const statusFrame = async (): Promise<string> =>
    `event: status\ndata: ${JSON.stringify(await deps.status())}\n\n`;

  /** Builds one status for everyone; a request while one is being built makes one more after it. */
  const pushStatus = async (): Promise<void> => {
    if (building) {
      again = true;
      return;
    }
    building = true;
    try {
      do {
        again = false;
        if (clients.size === 0) return;
        broadcast(await statusFrame());
      } while (again);
    } catch (err: unknown) {
      app.log.error({ err }, 'status for /events failed');
    } finally {
      building = false;
    }
  };

  const onAndon = (event: AndonEvent): void => {
    const { at, ...rest } = event;
    broadcast(`event: andon\ndata: ${JSON.stringify({ at: new Date(at).toISOString(), ...rest })}\n\n`);
    setImmediate(() => void pushStatus());
  };

  const loadFrame = (): string => `event: load\ndata: ${JSON.stringify(deps.load.view())}\n\n`;

  const start = (): void => {
    if (timer) return;
    ticks = 0;
    timer = setInterval(() => {
      ticks += 1;
      if ((ticks * STATUS_INTERVAL_MS) % KEEP_ALIVE_MS === 0) broadcast(': keep-alive\n\n');
      void pushStatus();
    }, STATUS_INTERVAL_MS);
    timer.unref();
    subscriptions = [
      ...(deps.onAndonEvent ? [deps.onAndonEvent(onAndon)] : []),
      deps.load.onChange(() => broadcast(loadFrame())),
    ];
  };

  const stopIfIdle = (): void => {
    if (clients.size > 0) return;
    clearInterval(timer);
    timer = undefined;
    for (const subscription of subscriptions) subscription.dispose();
    subscriptions = [];
  };

  app.get('/events', async (request, reply) => {
    // Each stream holds a socket and a buffer for as long as the client stays: bounded, as every input is.
    if (clients.size >= deps.config.maxEventClients) {
      throw new TpsError('TOO_MANY_EVENT_CLIENTS', {
        message: `${clients.size} clients already follow /events (MAX_EVENT_CLIENTS); try again later`,
        retryAfterSeconds: 5,
      });
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    if (deps.load.view().state !== 'idle') raw.write(loadFrame());
    clients.add(raw);
    start();
    request.raw.on('close', () => {
      clients.delete(raw);
      stopIfIdle();
    });
    try {
      const frame = await statusFrame();
      if (clients.has(raw)) raw.write(frame);
    } catch (err: unknown) {
      app.log.error({ err }, 'status for /events failed');
    }
  });

  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => {
    for (const client of clients) client.end();
    clients.clear();
    stopIfIdle();
  });
};
