/** How a lane's pace compares with its demand, in the value stream's terms. */
export interface TaktAndCycle {
  /** Time between arrivals: the pace the demand sets (ms); null without demand. */
  takt_ms: number | null;
  /** Time between completions: the pace the lane keeps (ms); null while nothing completes. */
  cycle_ms: number | null;
  /** Whether the lane finishes work at least as fast as it arrives; null where completions are not seen here. */
  keeping_up: boolean | null;
}

/** Arrival and completion rates within a few per cent are the same pace: windows and rounding differ. */
const SAME_PACE = 1.05;

/**
 * Takt time against cycle time: a lane keeps up when it completes a signal at least as often as one arrives.
 * When cycle time stays above takt time the queue grows, whatever the pool size says.
 */
export function taktAndCycle(
  arrivalsPerS: number,
  completionsPerS: number,
  completionsSeen = true,
): TaktAndCycle {
  const takt = arrivalsPerS > 0 ? 1000 / arrivalsPerS : null;
  const cycle = completionsSeen && completionsPerS > 0 ? 1000 / completionsPerS : null;
  const keepingUp = !completionsSeen
    ? null
    : takt === null
      ? true
      : cycle !== null && cycle <= takt * SAME_PACE;
  const round = (ms: number | null) => (ms === null ? null : Math.round(ms * 10) / 10);
  return { takt_ms: round(takt), cycle_ms: round(cycle), keeping_up: keepingUp };
}
