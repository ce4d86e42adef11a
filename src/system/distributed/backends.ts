import { ConfigError, type Config } from '../../config/index.js';
import type { LaneName } from '../../domain/signal.js';
import type { WorkQueue } from '../../queue/WorkQueue.js';
import type { Breaker } from '../../tps/jidoka/index.js';
import { GuardedStatusStore } from '../../store/GuardedStatusStore.js';
import type { StatusStore } from '../../store/StatusStore.js';
import { TracedStatusStore, postgresTarget } from '../../store/TracedStatusStore.js';
import type { Logger } from '../../telemetry/logger.js';
import type { Instruments } from '../instruments.js';
import { workQueueLimits } from '../workQueueLimits.js';

/** The distributed mode needs a broker and a shared status store; say which variable is missing. */
export function checkDistributedConfig(config: Config): void {
  if (config.queueBackend === 'memory') {
    throw new ConfigError(
      'QUEUE_BACKEND=memory lives inside one process: the distributed roles (tps api, tps worker) need ' +
        'QUEUE_BACKEND=nats, rabbitmq or nats+rabbitmq',
    );
  }
  if (config.databaseUrl === '') {
    throw new ConfigError(
      'DATABASE_URL is not set: the distributed roles share signal statuses through PostgreSQL ' +
        '(e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres)',
    );
  }
}

/** Connects the configured queue backend; adapters load only when chosen, so embedded mode never pulls them in. */
export async function connectWorkQueue(
  config: Config,
  logger: Logger,
  options: {
    lanes?: readonly LaneName[];
    role: string;
    makeBreaker: (name: string, timed: boolean) => Breaker;
  },
): Promise<WorkQueue> {
  const limits = workQueueLimits(config);
  const common = {
    limits,
    prefix: config.queuePrefix,
    logger: logger.child({ component: 'kanban' }),
    ...(options.lanes ? { lanes: options.lanes } : {}),
  };
  const nats = async () => {
    const { createJetStreamWorkQueue, natsServers } = await import('../../queue/nats/index.js');
    return createJetStreamWorkQueue({
      ...common,
      servers: natsServers(config.natsUrl),
      replicas: config.natsReplicas,
      name: `tps-${options.role}`,
    });
  };
  const rabbitmq = async () => {
    const { createRabbitMqWorkQueue } = await import('../../queue/rabbitmq/index.js');
    return createRabbitMqWorkQueue({ ...common, url: config.amqpUrl });
  };
  switch (config.queueBackend) {
    case 'nats':
      return nats();
    case 'rabbitmq':
      return rabbitmq();
    case 'nats+rabbitmq': {
      const { createFallbackWorkQueue } = await import('../../queue/fallback/index.js');
      return createFallbackWorkQueue({
        primary: await nats(),
        secondary: await rabbitmq(),
        primaryBreaker: options.makeBreaker('queue:nats', false),
        logger,
      });
    }
    default:
      throw new ConfigError(`QUEUE_BACKEND=${config.queueBackend} is not a broker`);
  }
}

async function connectStatusStore(
  config: Config,
  logger: Logger,
): Promise<StatusStore & { ping(): Promise<void> }> {
  const { createPostgresStatusStore } = await import('../../store/postgres/index.js');
  return createPostgresStatusStore({
    connectionString: config.databaseUrl,
    schema: config.databaseSchema,
    maxRecords: config.statusMaxRecords,
    retentionMs: config.statusRetentionMs,
    logger: logger.child({ component: 'store' }),
  });
}

/**
 * The PostgreSQL status store as a process uses it: `store` guarded by `databaseBreaker` and traced;
 * `database` is the bare connection, for health checks.
 */
export async function connectGuardedStatusStore(
  config: Config,
  logger: Logger,
  instruments: Pick<Instruments, 'makeBreaker' | 'tracing'>,
  /** Whose spans the writes are: the process's role. */
  role: 'api' | 'worker',
): Promise<{
  database: StatusStore & { ping(): Promise<void> };
  databaseBreaker: Breaker;
  store: StatusStore;
}> {
  const database = await connectStatusStore(config, logger);
  const databaseBreaker = instruments.makeBreaker('database', false);
  const store = new TracedStatusStore(
    new GuardedStatusStore(database, databaseBreaker),
    instruments.tracing.tracerFor(role),
    postgresTarget(config.databaseUrl, config.databaseSchema),
  );
  return { database, databaseBreaker, store };
}
