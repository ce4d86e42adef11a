import { isConfigError } from '../../config/index.js';
import { startEmbeddedSystem, type EmbeddedSystem } from '../../system/embedded.js';
import type { Command } from '../Command.js';
import { parseFlags } from '../parseFlags.js';

/** Margin on top of SHUTDOWN_TIMEOUT_MS for closing the servers after the pools have drained. */
const CLOSE_MARGIN_MS = 5_000;

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
    let system: EmbeddedSystem;
    try {
      system = await startEmbeddedSystem({}, { env });
    } catch (error) {
      if (isConfigError(error)) {
        console.error(error.message);
        return 2;
      }
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        console.error(
          `port ${env.PORT || 8080} is taken: something else listens there. Stop it, or choose another with PORT=…`,
        );
        return 1;
      }
      throw error;
    }
    printWhereToLook(system.url);

    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    const boundMs = system.config.shutdownTimeoutMs + CLOSE_MARGIN_MS;
    console.log(
      `${signal}: draining, then stopping (at most ${boundMs / 1000} s; send it again to stop at once)`,
    );
    const force = (why: string) => {
      console.error(`${why}: exiting without finishing the drain`);
      process.exit(1);
    };
    const timer = setTimeout(() => force(`shutdown took longer than ${boundMs / 1000} s`), boundMs);
    process.once('SIGTERM', () => force('second SIGTERM'));
    process.once('SIGINT', () => force('second SIGINT'));
    try {
      await system.close();
    } catch (error) {
      console.error('shutdown failed:', error);
      process.exit(1);
    }
    clearTimeout(timer);
    console.log('stopped');
    // Exit now rather than wait for idle keep-alive sockets and the like to let go.
    process.exit(0);
  },
};

function printWhereToLook(url: string): void {
  const rows: Array<[string, string]> = [
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
