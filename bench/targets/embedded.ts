/** The whole system in one process, as `npm start` runs it; the environment still applies (e.g. MAX_QUEUE_DEPTH). */
import { startEmbeddedSystem } from '../../src/system/embedded.js';
import { runTarget } from './runTarget.js';

await runTarget(() => startEmbeddedSystem({ port: 0, logLevel: 'warn' }));
