/**
 * The `Retry-After` for a 429 from a full lane: the seconds the lane needs to drain what waits at the rate it
 * drains now, at least 1 and at most `maxSeconds` (also the answer when nothing is draining).
 */
export const retryAfterSeconds = (depth: number, drainPerSecond: number, maxSeconds = 60): number => {
  const ceiling = Math.max(1, Math.ceil(maxSeconds));
  if (!(drainPerSecond > 0)) return ceiling;
  const seconds = Math.ceil(Math.max(0, depth) / drainPerSecond);
  return Math.min(ceiling, Math.max(1, seconds));
};
