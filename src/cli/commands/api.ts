import { startApiProcess } from '../../system/distributed/apiProcess.js';
import type { Command } from '../Command.js';
import { parseFlags } from '../parseFlags.js';
import { runUntilStopped } from '../runUntilStopped.js';

export const apiCommand: Command = {
  name: 'api',
  summary: 'distributed mode: the API alone, over NATS and/or RabbitMQ with statuses in PostgreSQL',
  usage: `tps api

  Needs QUEUE_BACKEND=nats|rabbitmq|nats+rabbitmq (NATS_URL, AMQP_URL) and DATABASE_URL.
  Listens on PORT (8080). Start \`tps worker --pool fast\`, \`tps worker --pool slow\` and \`tps downstream\` beside it,
  or all of them with \`make run-local\`.`,
  async run(args, { env }) {
    parseFlags('api', args, {});
    return runUntilStopped(() => startApiProcess({}, { env }), {
      port: env.PORT || '8080',
      started: () => undefined,
    });
  },
};
