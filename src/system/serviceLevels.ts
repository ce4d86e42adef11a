import type { Config } from '../config/index.js';
import { LANES, type LaneName } from '../domain/signal.js';
import type { SloView } from '../domain/status.js';
import type { Clock } from '../tps/clock.js';
import { SloTracker, countsAsAvailable, type SloSnapshot } from '../tps/kaizen/index.js';

/** The `slo` label of each lane's lead-time SLO. */
export const leadTimeSloName = (lane: LaneName): string => `${lane}-lead-time`;
export const AVAILABILITY_SLO = 'intake-availability';

/** Each lane's lead-time objective of the configuration: within `ms` for a share `target` of its signals. */
export const leadTimeObjectives = (
  config: Pick<Config, 'sloFastLeadMs' | 'sloFastTarget' | 'sloSlowLeadMs' | 'sloSlowTarget'>,
): Record<LaneName, { ms: number; target: number }> => ({
  fast: { ms: config.sloFastLeadMs, target: config.sloFastTarget },
  slow: { ms: config.sloSlowLeadMs, target: config.sloSlowTarget },
});

/** The three SLOs of the configuration, fed by intake answers and completed signals. */
export function createServiceLevels(config: Config, clock: Clock) {
  const lead = leadTimeObjectives(config);
  const availability = new SloTracker(
    {
      name: AVAILABILITY_SLO,
      objective: 'POST /signal answered without a 5xx (4xx not counted)',
      target: config.sloAvailabilityTarget,
    },
    clock,
  );
  const leadTime = Object.fromEntries(
    LANES.map((lane) => [
      lane,
      new SloTracker(
        {
          name: leadTimeSloName(lane),
          objective: `completed ${lane}-lane signals within ${lead[lane].ms} ms lead time`,
          target: lead[lane].target,
        },
        clock,
      ),
    ]),
  ) as Record<LaneName, SloTracker>;

  return {
    /** An answer to POST /signal. */
    intakeAnswered(status: number): void {
      const good = countsAsAvailable(status);
      if (good !== undefined) availability.record(good);
    },
    /** A signal completed, `leadTimeMs` after it was accepted. */
    completed(lane: LaneName, leadTimeMs: number): void {
      leadTime[lane].record(leadTimeMs <= lead[lane].ms);
    },
    snapshots(): SloSnapshot[] {
      return [availability, ...LANES.map((lane) => leadTime[lane])].map((tracker) => tracker.snapshot());
    },
  };
}

export type ServiceLevels = ReturnType<typeof createServiceLevels>;

/** An SLO as `/status` shows it, in the API's snake_case. */
export const sloView = (slo: SloSnapshot): SloView => ({
  name: slo.name,
  objective: slo.objective,
  target: slo.target,
  sli: slo.sli ?? null,
  error_budget_remaining: slo.errorBudgetRemaining,
  burn_rates: slo.burnRates,
  events: slo.events,
});
