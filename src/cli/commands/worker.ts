import { LANES, type LaneName } from '../../domain/signal.js';
import { startWorkerProcess } from '../../system/distributed/workerProcess.js';
import type { Command } from '../Command.js';
import { parseFlags } from '../parseFlags.js';
import { runUntilStopped } from '../runUntilStopped.js';
import { UsageError } from '../UsageError.js';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'distributed mode: one lane’s worker pool, pulling from the broker',
  usage: `tps worker --pool fast|slow

  Needs QUEUE_BACKEND and DATABASE_URL as \`tps api\` does, and \`tps downstream\` at DOWNSTREAM_HOST:DOWNSTREAM_PORT.
  Serves /health, /metrics and /status on WORKER_PORT (8081; give each worker its own).`,
  async run(args, { env }) {
    const { values } = parseFlags('worker', args, { pool: { type: 'string' } });
    const pool = values.pool;
    if (pool === undefined || !LANES.includes(pool as LaneName)) {
      throw new UsageError(`flag --pool expects one of ${LANES.join(', ')}, got '${pool ?? ''}'`, 'worker');
    }
    return runUntilStopped(() => startWorkerProcess(pool as LaneName, {}, { env }), {
      port: env.WORKER_PORT || '8081',
      started: () => undefined,
    });
  },
};
