import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';

export interface LocalService {
  name: string;
  host: string;
  port: number;
}

export const NATS: LocalService = { name: 'NATS (JetStream)', host: '127.0.0.1', port: 4222 };
export const RABBITMQ: LocalService = { name: 'RabbitMQ', host: '127.0.0.1', port: 5672 };
export const POSTGRES: LocalService = { name: 'PostgreSQL', host: '127.0.0.1', port: 5432 };

const reachable = (service: LocalService, timeoutMs = 1000): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: service.host, port: service.port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });

/**
 * For `describe(name, { skip: skipWithout('/usr/bin/promtool', 'prometheus') }, …)`: a test that runs a program
 * is skipped with one line on a machine without it; under CI (CI=true) a missing program fails instead.
 */
export function skipWithout(program: string, debianPackage: string): string | false {
  if (existsSync(program)) return false;
  const what = `${program} is missing (Debian package ${debianPackage})`;
  if (process.env.CI === 'true') throw new Error(`${what}, and CI must run every test (.ci/run installs it)`);
  return `${what}: install it to run these tests`;
}

/**
 * For `describe(name, { skip: await skipUnless(NATS) }, …)`: on a laptop without the service the suite is
 * skipped with one line naming what is missing; under CI (CI=true) a missing service fails instead.
 */
export async function skipUnless(...services: LocalService[]): Promise<string | false> {
  for (const service of services) {
    if (await reachable(service)) continue;
    const what = `${service.name} is not answering on ${service.host}:${service.port}`;
    if (process.env.CI === 'true') throw new Error(`${what}, and CI must run every test (.ci/run starts it)`);
    return `${what}: start it to run these tests`;
  }
  return false;
}
