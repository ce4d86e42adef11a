/** Requests per second: fixed, or a function of the time since the start, for ramps. */
export type Rate = number | ((elapsedMs: number) => number);

/** How far a zero-rate stretch is stepped over while waiting for the rate to rise again. */
const IDLE_STEP_MS = 1;

/**
 * The intended send times (ms from the start) of an open-model run: fixed before the run, whatever the answers.
 * A fixed rate spaces request i at i × 1000 / rate; a varying rate takes each gap from the rate at its start.
 */
export function* sendTimes(rate: Rate, durationMs: number): Generator<number, void, undefined> {
  if (typeof rate === 'number') {
    const count = plannedCount(rate, durationMs);
    for (let i = 0; i < count; i++) yield (i * 1000) / rate;
    return;
  }
  let at = 0;
  while (at < durationMs) {
    const now = rate(at);
    if (Number.isFinite(now) && now > 0) {
      yield at;
      at += 1000 / now;
    } else {
      at += IDLE_STEP_MS;
    }
  }
}

/** How many requests the schedule sends in `durationMs`. */
export function plannedCount(rate: Rate, durationMs: number): number {
  if (typeof rate === 'number') return rate > 0 && durationMs > 0 ? Math.ceil((durationMs * rate) / 1000) : 0;
  const times = sendTimes(rate, durationMs);
  let count = 0;
  while (!times.next().done) count++;
  return count;
}
