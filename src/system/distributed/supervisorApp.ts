import Fastify, { type FastifyInstance } from 'fastify';
import { LANES, type LaneName } from '../../domain/signal.js';
import { TpsError, redactSecrets } from '../../errors/index.js';
import { adminGuard } from '../../services/api/plugins/adminGuard.js';
import { emptyBodyIsNoOptions } from '../../services/api/plugins/emptyBody.js';
import { errorsPlugin } from '../../services/api/plugins/errors.js';
import { contractServerOptions, guardFrontDoor } from '../../services/frontDoor.js';
import type { NatsServerProcess } from './NatsServerProcess.js';
import type { RoleState, RoleSupervisor } from './RoleSupervisor.js';

/** What `GET /state` of the supervisor answers; the API reads it for /status, the andon and chaos_active. */
export interface SupervisorState {
  roles: RoleState[];
  broker: { url: string; owned: boolean; running: boolean; pid?: number };
}

const crashBody = {
  type: 'object',
  additionalProperties: false,
  properties: { pool: { type: 'string', enum: [...LANES] } },
} as const;

/**
 * The admin HTTP side of `tps run-local`, on loopback: the API forwards the chaos that needs a process killed
 * or a broker stopped here, because run-local is the parent that owns those processes.
 */
export async function buildSupervisorApp(parts: {
  roles: RoleSupervisor;
  /** The nats-server run-local started (`--own-nats`); absent when it uses a broker it did not start. */
  broker?: NatsServerProcess;
  brokerUrl: string;
  adminToken: string;
}): Promise<FastifyInstance> {
  const { roles, broker } = parts;
  // On loopback only: run-local's children reach it at 127.0.0.1, so no name besides loopback is allowed.
  const app = Fastify(contractServerOptions());
  guardFrontDoor(app, '');
  await app.register(errorsPlugin);
  app.addHook('onRequest', adminGuard(parts.adminToken));
  app.addHook('preValidation', emptyBodyIsNoOptions);
  const state = (): SupervisorState => ({
    roles: roles.state(),
    broker: {
      url: redactSecrets(broker?.url ?? parts.brokerUrl),
      owned: broker !== undefined,
      running: broker?.running ?? true,
      ...(broker?.pid === undefined ? {} : { pid: broker.pid }),
    },
  });
  const ownBroker = (): NatsServerProcess => {
    if (broker) return broker;
    throw new TpsError('BROKER_NOT_OWNED', {
      message:
        `run-local did not start the broker at ${redactSecrets(parts.brokerUrl)}, and it never stops a broker it did not ` +
        'start (other programs may share it): run `tps run-local --own-nats` to try queue-down',
    });
  };

  app.get('/state', async () => state());
  app.post<{ Body: { pool?: LaneName } | undefined }>(
    '/crash-worker',
    { schema: { body: crashBody } },
    async (request) => ({ crashed: await roles.crash(request.body?.pool ?? 'fast'), ...state() }),
  );
  app.post('/queue-down', async () => {
    await ownBroker().stop();
    return state();
  });
  app.post('/queue-recover', async () => {
    await ownBroker().resume();
    return state();
  });
  return app;
}
