import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { portAnswers } from '../../src/system/distributed/portAnswers.js';

export interface LocalService {
  name: string;
  host: string;
  port: number;
}

export const NATS: LocalService = { name: 'NATS (JetStream)', host: '127.0.0.1', port: 4222 };
export const RABBITMQ: LocalService = { name: 'RabbitMQ', host: '127.0.0.1', port: 5672 };
export const POSTGRES: LocalService = { name: 'PostgreSQL', host: '127.0.0.1', port: 5432 };

const reachable = (service: LocalService): Promise<boolean> => portAnswers(service.port, service.host);

/** Whether a program is there: a path that exists, or a name found on PATH. */
const installed = (program: string): boolean =>
  program.includes('/') ? existsSync(program) : !spawnSync(program, ['--version'], { stdio: 'ignore' }).error;

/**
 * For `describe(name, { skip: skipWithout('/usr/bin/promtool', 'prometheus') }, …)`: a test that runs a program
 * (a path, or a name on PATH) is skipped with one line on a machine without it; under CI (CI=true) a missing
 * program fails instead.
 */
export function skipWithout(program: string, debianPackage: string): string | false {
  if (installed(program)) return false;
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
