import { startDownstreamProcess } from '../../system/distributed/downstreamProcess.js';
import type { Command } from '../Command.js';
import { parseFlags } from '../parseFlags.js';
import { runUntilStopped } from '../runUntilStopped.js';

export const downstreamCommand: Command = {
  name: 'downstream',
  summary: 'distributed mode: services A ("the database"), B and C, C → B → A',
  usage: `tps downstream

  Listens on DOWNSTREAM_PORT (8091) for service A and the next two ports for B and C; each takes faults on
  PUT /fault {"latency_ms","error_rate"} and DELETE /fault.`,
  async run(args, { env }) {
    parseFlags('downstream', args, {});
    return runUntilStopped(() => startDownstreamProcess({}, { env }), {
      port: env.DOWNSTREAM_PORT || '8091',
      started: () => undefined,
    });
  },
};
