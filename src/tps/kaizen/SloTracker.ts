import type { Clock } from '../clock.js';
import { RollingCounter } from './RollingCounter.js';

/** The windows burn rates are read over, as Prometheus durations, and how long each is. */
export const BURN_RATE_WINDOWS = {
  '5m': 5 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
} as const;
export type BurnRateWindow = keyof typeof BURN_RATE_WINDOWS;

/**
 * The burn rate that pages: 2 % of a 30-day budget spent in 1 hour, the whole budget in about 2 days (the Google
 * SRE workbook's first pair, as in deploy/prometheus/rules/slo.rules.yml).
 */
export const PAGE_BURN_RATE = 14.4;

/** The longest burn-rate window, which is also the window the error budget is counted over. */
export const SLO_WINDOW_MS = BURN_RATE_WINDOWS['6h'];

export interface SloDefinition {
  /** Short, stable id: the `slo` label of the metrics and the name in /status. */
  name: string;
  /** What counts as good, in words. */
  objective: string;
  /** Share of events that must be good, strictly between 0 and 1 (0.999 leaves a budget of 0.1 %). */
  target: number;
}

export interface SloSnapshot extends SloDefinition {
  /** Good events / all events over the last 6 h; undefined when there were none. */
  sli: number | undefined;
  /**
   * Share of the 6 h error budget left: 1 with no bad events, 0 when the bad events reach exactly what the
   * target allows, below 0 once overspent.
   */
  errorBudgetRemaining: number;
  /**
   * How fast the budget burns in each window: the window's error rate divided by the allowed one
   * (1 − target). 1 spends the budget exactly over the period, 14.4 spends 30 days' budget in 2 days; 0 with no events.
   */
  burnRates: Record<BurnRateWindow, number>;
  /** Events counted over the last 6 h. */
  events: { good: number; total: number };
}

export interface SloTrackerOptions {
  /** Bucket size of the rolling counts; the 5 m window forgets one bucket at a time. Default 10 000 ms. */
  bucketMs?: number;
}

/**
 * Kaizen's service level objective: good and bad events counted in time buckets over the last 6 hours, read as
 * the SLI, the error budget left and the burn rate over 5 minutes, 1 hour and 6 hours.
 * The budget here is that of the last 6 h of traffic, which is what one process can remember; the
 * Prometheus rules in deploy/prometheus/rules/ compute the same ratios over up to 30 days.
 */
export class SloTracker {
  readonly definition: Readonly<SloDefinition>;
  private readonly counts: RollingCounter<'good' | 'bad'>;

  constructor(definition: SloDefinition, clock: Clock, options: SloTrackerOptions = {}) {
    if (!(definition.target > 0 && definition.target < 1)) {
      throw new RangeError(
        `the target of SLO ${definition.name} must be between 0 and 1, got ${definition.target}`,
      );
    }
    const bucketMs = options.bucketMs ?? 10_000;
    if (!(bucketMs > 0 && SLO_WINDOW_MS % bucketMs === 0)) {
      throw new RangeError(`bucketMs must divide ${SLO_WINDOW_MS} ms, got ${bucketMs}`);
    }
    this.definition = Object.freeze({ ...definition });
    this.counts = new RollingCounter(clock, { windowMs: SLO_WINDOW_MS, buckets: SLO_WINDOW_MS / bucketMs });
  }

  /** Counts `n` events, good or bad. */
  record(good: boolean, n = 1): void {
    this.counts.add(good ? 'good' : 'bad', n);
  }

  snapshot(): SloSnapshot {
    const allowed = 1 - this.definition.target;
    const burnRate = (withinMs: number): number => {
      const bad = this.counts.sum('bad', withinMs);
      const total = bad + this.counts.sum('good', withinMs);
      return total === 0 ? 0 : bad / total / allowed;
    };
    const burnRates = Object.fromEntries(
      Object.entries(BURN_RATE_WINDOWS).map(([window, ms]) => [window, burnRate(ms)]),
    ) as Record<BurnRateWindow, number>;
    const good = this.counts.sum('good');
    const total = good + this.counts.sum('bad');
    return {
      ...this.definition,
      sli: total === 0 ? undefined : good / total,
      errorBudgetRemaining: 1 - burnRates['6h'],
      burnRates,
      events: { good, total },
    };
  }
}
