/** The whole system in one process, as `npm start` runs it; the environment still applies (e.g. MAX_QUEUE_DEPTH). */
import { startEmbeddedSystem } from '../../src/system/embedded.js';
import { runTarget } from './runTarget.js';

// Warnings only, unless the bench asks for less (LOG_LEVEL in the target's environment).
await runTarget(() =>
  startEmbeddedSystem({ port: 0, ...(process.env.LOG_LEVEL ? {} : { logLevel: 'warn' }) }),
);
