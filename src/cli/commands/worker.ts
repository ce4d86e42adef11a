import { LANES, type LaneName } from '../../domain/signal.js';
import { startWorkerProcess } from '../../system/distributed/workerProcess.js';
import type { Command } from '../Command.js';
import { choiceFlag, parseFlags } from '../parseFlags.js';
import { runUntilStopped } from '../runUntilStopped.js';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'distributed mode: one lane’s worker pool, pulling from the broker',
  usage: `tps worker --pool fast|slow

  Needs QUEUE_BACKEND and DATABASE_URL as \`tps api\` does, and \`tps downstream\` at DOWNSTREAM_HOST:DOWNSTREAM_PORT.
  Serves /health, /metrics and /status on WORKER_PORT (8081; give each worker its own).`,
  async run(args, { env }) {
    const { values } = parseFlags('worker', args, { pool: { type: 'string' } });
    // Required: an absent --pool is refused like a wrong one.
    const pool = choiceFlag('worker', 'pool', values.pool ?? '', LANES) as LaneName;
    return runUntilStopped(() => startWorkerProcess(pool, {}, { env }), {
      port: env.WORKER_PORT || '8081',
      started: () => undefined,
    });
  },
};
