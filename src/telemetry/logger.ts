import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs to stdout; one child per component (`logger.child({ component: 'worker', pool: 'fast' })`). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'tps' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
