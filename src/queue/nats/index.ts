export * from './JetStreamWorkQueue.js';
export { TRACE_ID_HEADER } from './messageFormat.js';
export { jetStreamNames } from './jetStreamTopology.js';
export { natsServers } from './natsServers.js';
