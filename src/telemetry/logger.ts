import { pino, type Logger } from 'pino';
import { redactSecrets } from '../errors/redactSecrets.js';

export type { Logger };

/** How deep a log line's fields are searched for URLs with credentials (`{ urls: { a: … } }` is two). */
const REDACT_DEPTH = 3;

/**
 * A log line's own fields with the credentials of any URL in them masked. pino's `redact` works on paths, not on
 * what a value says, and a URL with a password can sit in any field: a config value, a list of servers, a cause.
 */
function redactFields(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth === 0 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => redactFields(item, depth - 1));
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = redactFields(field, depth - 1);
  return copy;
}

/** pino's error serializer, with the message and stack masked: a connection failure often quotes its URL. */
function redactedError(error: Error): pino.SerializedError {
  const serialized = pino.stdSerializers.err(error);
  serialized.message = redactSecrets(serialized.message);
  serialized.stack = redactSecrets(serialized.stack);
  return serialized;
}

/** JSON logs to stdout; one child per component (`logger.child({ component: 'worker', pool: 'fast' })`). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tps' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: redactedError },
      formatters: { log: (fields) => redactFields(fields, REDACT_DEPTH) as Record<string, unknown> },
      hooks: {
        // The message and its format arguments.
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg)) as Parameters<
              typeof method
            >,
          );
        },
      },
    },
    destination,
  );
}
