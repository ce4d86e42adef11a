import { startEmbeddedSystem, type EmbeddedSystem } from '../../system/embedded.js';
import type { Command } from '../Command.js';
import { parseFlags } from '../parseFlags.js';
import { runUntilStopped } from '../runUntilStopped.js';

export const startCommand: Command = {
  name: 'start',
  summary:
    'run the whole system in this terminal (API, queue, pools, downstream chain); Ctrl-C drains and stops',
  usage: `tps start

  Runs the embedded system in the foreground, configured by the environment (PORT, WORKER_COUNT,
  MAX_QUEUE_DEPTH, …; a bad value stops start-up with a message naming it, exit 2).
  SIGTERM or SIGINT drains: intake answers 503, workers finish what they hold, then it exits.
  \`tps up\` runs this in the background; \`npm start\` builds and runs it.`,

  async run(args, { env }) {
    parseFlags('start', args, {});
    return runUntilStopped(() => startEmbeddedSystem({}, { env }), {
      port: env.PORT || '8080',
      started: (system) => printWhereToLook((system as EmbeddedSystem).url),
    });
  },
};

function printWhereToLook(url: string): void {
  const rows: Array<[string, string]> = [
    ['/board', 'the Andon board, live in the browser'],
    ['/', 'what this is, and links'],
    ['/status', 'stations, lanes, pools, breakers, percentiles (or `tps status`)'],
    ['/metrics', 'Prometheus exposition (or `tps metrics`)'],
    ['/health', 'health check (or `tps health`)'],
    ['/dlq', 'dead-lettered signals (or `tps dlq list`)'],
  ];
  const width = Math.max(...rows.map(([path]) => `${url}${path}`.length));
  console.log(
    [
      `TPS Reference System running at ${url} (embedded: memory queue, not durable)`,
      ...rows.map(([path, what]) => `  ${`${url}${path}`.padEnd(width)}  ${what}`),
      `  send a signal: tps signal --wait`,
      `  stop: Ctrl-C here, or \`tps down\` when started by \`tps up\``,
    ].join('\n'),
  );
}
