import { isConfigError } from '../config/index.js';

/** Margin on top of SHUTDOWN_TIMEOUT_MS for closing the servers after the pools have drained. */
const CLOSE_MARGIN_MS = 5_000;

export interface Stoppable {
  config: { shutdownTimeoutMs: number };
  close(): Promise<void>;
}

/**
 * Starts a process role, then waits for SIGTERM or SIGINT and drains it within a bound. A bad setting
 * (ConfigError) exits 2 with its one-line message; a taken port exits 1 saying so.
 */
export async function runUntilStopped(
  start: () => Promise<Stoppable>,
  options: { port: string; started: (running: Stoppable) => void },
): Promise<number> {
  let running: Stoppable;
  try {
    running = await start();
  } catch (error) {
    if (isConfigError(error)) {
      console.error(error.message);
      return 2;
    }
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(
        `port ${options.port} is taken: something else listens there. Stop it, or choose another port`,
      );
      return 1;
    }
    throw error;
  }
  options.started(running);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const boundMs = running.config.shutdownTimeoutMs + CLOSE_MARGIN_MS;
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
    await running.close();
  } catch (error) {
    console.error('shutdown failed:', error);
    process.exit(1);
  }
  clearTimeout(timer);
  console.log('stopped');
  // Exit now rather than wait for idle keep-alive sockets and the like to let go.
  process.exit(0);
}
