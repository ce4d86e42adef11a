import type { TaktAndCycle } from '../../domain/status.js';
import { round } from './measureValueStream.js';

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
  const tenths = (ms: number | null) => (ms === null ? null : round(ms, 1));
  return { takt_ms: tenths(takt), cycle_ms: tenths(cycle), keeping_up: keepingUp };
}
