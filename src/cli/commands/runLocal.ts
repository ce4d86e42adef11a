import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from '../Command.js';
import { parseFlags } from '../parseFlags.js';

const DEFAULTS = {
  QUEUE_BACKEND: 'nats+rabbitmq',
  NATS_URL: 'nats://127.0.0.1:4222',
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
};

interface Role {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  health: string;
}

export const runLocalCommand: Command = {
  name: 'run-local',
  summary:
    'distributed mode on this machine: downstream, both workers and the API, against the local brokers',
  usage: `tps run-local

  Starts \`tps downstream\`, \`tps worker --pool fast\` (WORKER_PORT 8081), \`tps worker --pool slow\` (8082) and
  \`tps api\` (PORT 8080) as separate processes, each line of output prefixed with its role. QUEUE_BACKEND
  defaults to nats+rabbitmq, with NATS_URL, AMQP_URL and DATABASE_URL pointing at this machine's servers.
  Says which server is missing when one does not answer. Ctrl-C stops them all (each drains first).`,

  async run(args, { env }) {
    parseFlags('run-local', args, {});
    const merged: NodeJS.ProcessEnv = { ...DEFAULTS, ...definedOnly(env) };
    const missing = await missingServers(merged);
    if (missing.length > 0) {
      for (const line of missing) console.error(line);
      return 1;
    }
    const apiPort = merged.PORT ?? '8080';
    const downstreamPort = Number(merged.DOWNSTREAM_PORT ?? 8091);
    const roles: Role[] = [
      {
        name: 'downstream',
        args: ['downstream'],
        env: {},
        health: `http://127.0.0.1:${downstreamPort + 2}/health`,
      },
      {
        name: 'worker-fast',
        args: ['worker', '--pool', 'fast'],
        env: { WORKER_PORT: '8081' },
        health: 'http://127.0.0.1:8081/health',
      },
      {
        name: 'worker-slow',
        args: ['worker', '--pool', 'slow'],
        env: { WORKER_PORT: '8082' },
        health: 'http://127.0.0.1:8082/health',
      },
      { name: 'api', args: ['api'], env: { PORT: apiPort }, health: `http://127.0.0.1:${apiPort}/health` },
    ];
    if (merged.WORKER_PORT !== undefined) {
      console.error('run-local gives the workers WORKER_PORT 8081 and 8082 itself; unset WORKER_PORT');
      return 2;
    }
    const script = process.argv[1];
    if (!script) throw new Error('cannot tell which script runs tps (process.argv[1] is empty)');
    const children: ChildProcess[] = [];
    const stopAll = async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.all(
        children.filter((child) => child.exitCode === null).map((child) => once(child, 'exit')),
      );
    };
    for (const role of roles) {
      const child = spawn(process.execPath, [...process.execArgv, script, ...role.args], {
        env: { ...merged, ...role.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Their own process group: a Ctrl-C in the terminal reaches them once, as run-local's SIGTERM, and drains.
        detached: true,
      });
      children.push(child);
      prefixLines(child, role.name);
      if (!(await healthy(role.health, child))) {
        console.error(`${role.name} did not become healthy at ${role.health}; stopping what started`);
        await stopAll();
        return 1;
      }
      console.log(`${role.name.padEnd(11)} ready (${role.health.replace('/health', '')})`);
    }
    console.log(
      `\nDistributed mode on ${merged.QUEUE_BACKEND}, statuses in PostgreSQL. API at http://localhost:${apiPort}` +
        ` (try: tps signal --wait, tps status). Ctrl-C stops all four.`,
    );
    const exited = Promise.race(children.map((child) => once(child, 'exit').then(() => child)));
    const signal = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    const first = await Promise.race([exited, signal]);
    if (first) console.error('a role exited; stopping the others');
    await stopAll();
    return first ? 1 : 0;
  },
};

function definedOnly(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}

function prefixLines(child: ChildProcess, name: string): void {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) console.log(`${name.padEnd(11)} | ${line}`);
    });
  }
}

async function healthy(url: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if ((await fetch(url).catch(() => undefined))?.ok) return true;
    await sleep(200);
  }
  return false;
}

async function missingServers(env: NodeJS.ProcessEnv): Promise<string[]> {
  const backend = env.QUEUE_BACKEND ?? '';
  const wanted: Array<[string, string, string]> = [['PostgreSQL', String(env.DATABASE_URL), 'DATABASE_URL']];
  if (backend.includes('nats')) wanted.push(['NATS', String(env.NATS_URL), 'NATS_URL']);
  if (backend.includes('rabbitmq')) wanted.push(['RabbitMQ', String(env.AMQP_URL), 'AMQP_URL']);
  const missing: string[] = [];
  for (const [name, url, variable] of wanted) {
    const { hostname, port } = new URL(url);
    const defaultPort = { NATS: 4222, RabbitMQ: 5672, PostgreSQL: 5432 }[name] ?? 0;
    if (!(await answers(hostname || '127.0.0.1', Number(port) || defaultPort))) {
      missing.push(
        `${name} does not answer at ${hostname}:${port || defaultPort} (${variable}): start it, or point ${variable} elsewhere`,
      );
    }
  }
  return missing;
}

const answers = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
