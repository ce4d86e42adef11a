import type { Logger } from 'pino';
import { LANES, type LaneName } from '../../domain/signal.js';
import type { WorkQueueLimits } from '../WorkQueue.js';
import { jetStreamNames, type TopologySettings } from './jetStreamTopology.js';

export interface JetStreamWorkQueueOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222` (NATS_URL). */
  servers: string | string[];
  limits: WorkQueueLimits;
  /** Names streams (`<prefix>_<lane>`), subjects (`<prefix>.signals.<lane>`) and consumers. Default `tps`. */
  prefix?: string;
  /** The lanes this queue serves. Default: all of them. */
  lanes?: readonly LaneName[];
  /** Connection name, shown by the server's monitoring (`/connz`). */
  name?: string;
  logger?: Logger;
  /** How long a JetStream request (publish, ack, stream info) may take before it fails. Default 5 000 ms. */
  requestTimeoutMs?: number;
  /** How long JetStream remembers a `Nats-Msg-Id` to drop a repeated publish. Default 2 minutes. */
  duplicateWindowMs?: number;
  /** Pause between reconnect attempts; reconnecting never gives up. Default 1 000 ms. */
  reconnectTimeWaitMs?: number;
  /** Copies of each stream and consumer (NATS_REPLICAS): 1 to 5, at most the cluster's size. Default 1. */
  replicas?: number;
}

const DEFAULT_PREFIX = 'tps';
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
export const DEFAULT_RECONNECT_TIME_WAIT_MS = 1_000;

const validateLimits = (limits: WorkQueueLimits, lanes: readonly LaneName[]): void => {
  const counts: [string, number][] = [
    ['maxDepth', limits.maxDepth],
    ['maxDeliver', limits.maxDeliver],
    ...lanes.map((lane): [string, number] => [`wipLimit.${lane}`, limits.wipLimit[lane]]),
  ];
  for (const [name, value] of counts) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${name} must be a whole number ≥ 1, got ${value}`);
  }
  if (!(limits.leaseMs > 0)) throw new RangeError(`leaseMs must be > 0, got ${limits.leaseMs}`);
};

/** JetStream keeps 1 to 5 copies of a stream. */
const validateReplicas = (replicas: number): number => {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5)
    throw new RangeError(`replicas must be a whole number from 1 to 5, got ${replicas}`);
  return replicas;
};

/** The streams and consumers the options ask for; throws `RangeError` on limits JetStream cannot take. */
export const topologySettingsOf = (options: JetStreamWorkQueueOptions): TopologySettings => {
  const lanes = options.lanes ?? LANES;
  validateLimits(options.limits, lanes);
  return {
    names: jetStreamNames(options.prefix ?? DEFAULT_PREFIX),
    limits: { ...options.limits, wipLimit: { ...options.limits.wipLimit } },
    lanes,
    duplicateWindowMs: options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS,
    replicas: validateReplicas(options.replicas ?? 1),
  };
};
