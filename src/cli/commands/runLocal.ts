import { LANES } from '../../domain/signal.js';
import { natsServers } from '../../queue/nats/natsServers.js';
import { NatsServerProcess } from '../../system/distributed/NatsServerProcess.js';
import { portAnswers } from '../../system/distributed/portAnswers.js';
import { RoleSupervisor, type RoleSpec } from '../../system/distributed/RoleSupervisor.js';
import { buildSupervisorApp } from '../../system/distributed/supervisorApp.js';
import { withSystemNodeFlags } from '../../system/nodeFlags.js';
import type { Command } from '../Command.js';
import { integerFlag, parseFlags } from '../parseFlags.js';
import { UsageError } from '../UsageError.js';

const DEFAULTS = {
  QUEUE_BACKEND: 'nats+rabbitmq',
  NATS_URL: 'nats://127.0.0.1:4222',
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
};

export const runLocalCommand: Command = {
  name: 'run-local',
  summary:
    'distributed mode on this machine: downstream, both workers and the API, against the local brokers',
  usage: `tps run-local [--own-nats [--nats-port N]] [--fast-port N] [--slow-port N]

  Starts \`tps downstream\`, \`tps worker --pool fast\` (WORKER_PORT 8081), \`tps worker --pool slow\` (8082) and
  \`tps api\` (PORT 8080) as separate processes, each line of output prefixed with its role. QUEUE_BACKEND
  defaults to nats+rabbitmq, with NATS_URL, AMQP_URL and DATABASE_URL pointing at this machine's servers.
  Says which server is missing when one does not answer. Ctrl-C stops them all (each drains first).

  run-local supervises what it starts: a worker process that dies (tps chaos crash-worker is a kill -9) is
  started again and counted. The API reaches run-local's admin side through SUPERVISOR_URL.

  --own-nats      start a nats-server of our own (JetStream, a temp store) instead of using NATS_URL, so that
                  tps chaos queue-down / queue-recover may stop and start it. A broker run-local did not start
                  is never stopped.
  --nats-port N   the port of that nats-server (default: a free one)
  --fast-port N   WORKER_PORT of the fast worker (default 8081)
  --slow-port N   WORKER_PORT of the slow worker (default 8082)`,

  async run(args, { env }) {
    const { values } = parseFlags('run-local', args, {
      'own-nats': { type: 'boolean' },
      'nats-port': { type: 'string' },
      'fast-port': { type: 'string' },
      'slow-port': { type: 'string' },
    });
    const port = (flag: string, raw: string | undefined) =>
      integerFlag('run-local', flag, raw, { min: 1, max: 65535 });
    const ownNats = values['own-nats'] ?? false;
    const natsPort = port('nats-port', values['nats-port']);
    if (natsPort !== undefined && !ownNats) {
      throw new UsageError('--nats-port is the port of the nats-server that --own-nats starts', 'run-local');
    }
    const workerPorts = {
      fast: port('fast-port', values['fast-port']) ?? 8081,
      slow: port('slow-port', values['slow-port']) ?? 8082,
    };
    const merged: NodeJS.ProcessEnv = { ...DEFAULTS, ...definedOnly(env) };
    if (merged.WORKER_PORT !== undefined) {
      console.error(
        'run-local gives each worker its WORKER_PORT itself; unset WORKER_PORT (see --fast-port)',
      );
      return 2;
    }
    if (ownNats && !String(merged.QUEUE_BACKEND).includes('nats')) {
      throw new UsageError(
        `--own-nats needs a QUEUE_BACKEND with nats, not ${merged.QUEUE_BACKEND}`,
        'run-local',
      );
    }
    const missing = await missingServers(merged, ownNats);
    if (missing.length > 0) {
      for (const line of missing) console.error(line);
      return 1;
    }
    const script = process.argv[1];
    if (!script) throw new Error('cannot tell which script runs tps (process.argv[1] is empty)');

    let broker: NatsServerProcess | undefined;
    if (ownNats) {
      try {
        broker = await NatsServerProcess.start(natsPort ?? 0);
      } catch (error) {
        console.error(`--own-nats: ${error instanceof Error ? error.message : String(error)}`);
        return 1;
      }
      merged.NATS_URL = broker.url;
      console.log(
        `${'nats-server'.padEnd(11)} ready (${broker.url}, store ${broker.storeDir}, ours to stop)`,
      );
    }
    const supervisor = new RoleSupervisor({
      command: process.execPath,
      args: [...withSystemNodeFlags(process.execArgv), script],
      env: merged,
      log: (role, line) => console.log(`${role.padEnd(11)} | ${line}`),
    });
    const admin = await buildSupervisorApp({
      roles: supervisor,
      ...(broker ? { broker } : {}),
      brokerUrl: String(merged.NATS_URL),
      adminToken: merged.TPS_ADMIN_TOKEN ?? '',
    });
    const supervisorUrl = await admin.listen({ host: '127.0.0.1', port: 0 });
    const shutdown = async () => {
      await supervisor.stopAll();
      await admin.close();
      await broker?.destroy();
    };

    const apiPort = merged.PORT ?? '8080';
    const downstreamPort = Number(merged.DOWNSTREAM_PORT ?? 8091);
    const roles: RoleSpec[] = [
      // Downstream and the workers send their spans to the API, whose /traces then shows whole traces.
      {
        name: 'downstream',
        args: ['downstream'],
        env: { API_URL: `http://127.0.0.1:${apiPort}` },
        url: `http://127.0.0.1:${downstreamPort + 2}`,
      },
      ...LANES.map((pool) => ({
        name: `worker-${pool}`,
        args: ['worker', '--pool', pool],
        // The workers follow the API's andon cords (it starts after them; until then they keep theirs).
        env: { WORKER_PORT: String(workerPorts[pool]), API_URL: `http://127.0.0.1:${apiPort}` },
        url: `http://127.0.0.1:${workerPorts[pool]}`,
        pool,
      })),
      {
        name: 'api',
        args: ['api'],
        env: { PORT: apiPort, SUPERVISOR_URL: supervisorUrl },
        url: `http://127.0.0.1:${apiPort}`,
      },
    ];
    for (const role of roles) {
      if (!(await supervisor.start(role))) {
        console.error(`${role.name} did not become healthy at ${role.url}/health; stopping what started`);
        await shutdown();
        return 1;
      }
      console.log(`${role.name.padEnd(11)} ready (${role.url})`);
    }
    console.log(
      `\nDistributed mode on ${merged.QUEUE_BACKEND}, statuses in PostgreSQL. API at http://localhost:${apiPort}` +
        ` (try: tps signal --wait, tps status). Supervisor at ${supervisorUrl}. Ctrl-C stops all four.`,
    );
    const signal = new Promise<undefined>((resolve) => {
      process.once('SIGINT', () => resolve(undefined));
      process.once('SIGTERM', () => resolve(undefined));
    });
    const failure = await Promise.race([supervisor.failed, signal]);
    if (failure) console.error(`${failure}; stopping the others`);
    await shutdown();
    return failure ? 1 : 0;
  },
};

function definedOnly(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}

async function missingServers(env: NodeJS.ProcessEnv, ownNats: boolean): Promise<string[]> {
  const backend = env.QUEUE_BACKEND ?? '';
  // Each entry: a name, the URLs of which one must answer (NATS_URL may list a cluster's servers), the variable.
  const wanted: Array<[string, string[], string]> = [
    ['PostgreSQL', [String(env.DATABASE_URL)], 'DATABASE_URL'],
  ];
  if (backend.includes('nats') && !ownNats)
    wanted.push(['NATS', natsServers(String(env.NATS_URL)), 'NATS_URL']);
  if (backend.includes('rabbitmq')) wanted.push(['RabbitMQ', [String(env.AMQP_URL)], 'AMQP_URL']);
  const defaultPort = { NATS: 4222, RabbitMQ: 5672, PostgreSQL: 5432 };
  const missing: string[] = [];
  for (const [name, urls, variable] of wanted) {
    const addresses = urls.map((url) => {
      const { hostname, port } = new URL(url);
      return {
        host: hostname || '127.0.0.1',
        port: Number(port) || defaultPort[name as keyof typeof defaultPort],
      };
    });
    let answered = false;
    for (const { host, port } of addresses) answered ||= await portAnswers(port, host);
    if (!answered) {
      const where = addresses.map(({ host, port }) => `${host}:${port}`).join(', ');
      missing.push(
        `${name} does not answer at ${where} (${variable}): start it, or point ${variable} elsewhere`,
      );
    }
  }
  return missing;
}
