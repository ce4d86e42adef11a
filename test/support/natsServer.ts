import { NatsServerProcess } from '../../src/system/distributed/NatsServerProcess.js';
import { freePort } from './processes.js';

/** A NATS server with JetStream of a test's own, on a free port with a temp store: the test may stop it. */
export type OwnNatsServer = NatsServerProcess;
export const OwnNatsServer = {
  start: async (): Promise<OwnNatsServer> => NatsServerProcess.start(await freePort()),
};
