import type { Config } from '../config/index.js';
import type { WorkQueueLimits } from '../queue/WorkQueue.js';

/** The Kanban limits every queue adapter takes, from the configuration. */
export const workQueueLimits = (config: Config): WorkQueueLimits => ({
  maxDepth: config.maxQueueDepth,
  wipLimit: { fast: config.pools.fast.wipLimit, slow: config.pools.slow.wipLimit },
  leaseMs: config.leaseMs,
  maxDeliver: config.maxDeliver,
});
