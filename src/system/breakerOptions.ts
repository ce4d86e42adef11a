import type { Config } from '../config/index.js';
import type { BreakerOptions } from '../tps/jidoka/index.js';
import type { Clock } from '../tps/clock.js';

/**
 * A breaker with the configured thresholds; `timed: false` for a client that keeps its own time limits (a queue
 * backend's publish), so no timer is spent per call.
 */
export const breakerOptions = (
  config: Config,
  name: string,
  timed: boolean,
  clock?: Clock,
): BreakerOptions => ({
  name,
  threshold: config.circuitBreakerThreshold,
  resetMs: config.circuitBreakerResetMs,
  halfOpenProbes: config.breakerProbes,
  probeTimeoutMs: config.probeTimeoutMs,
  ...(timed ? { callTimeoutMs: config.downstreamTimeoutMs } : {}),
  slowCallMs: config.slowCallMs,
  ...(clock ? { clock } : {}),
});
