import type { LaneName } from '../domain/signal.js';
import type { SystemStatus } from '../domain/status.js';
import type { LoadReport } from './LoadReport.js';

/** When a stress step counts as broken. */
export interface BreakCondition {
  /** p99 above this breaks the step. */
  sloMs: number;
  /** Share of requests not accepted (any non-2xx or no answer) above this breaks it; 0.01 = 1 %. */
  maxRejectedShare: number;
}

export const DEFAULT_BREAK: BreakCondition = { sloMs: 200, maxRejectedShare: 0.01 };

/** How a step failed: shed load on purpose (429/503), failed (timeouts, errors, other 5xx), or only got slow. */
export type BreakKind = 'graceful' | 'errors' | 'slow';

export interface StepVerdict {
  held: boolean;
  p99Ms: number;
  rejectedShare: number;
  /** 429 + 503: the line refusing work it cannot take, as designed. */
  shed: number;
  /** No answer (timeouts, connection errors) and 5xx other than 503, and other 4xx. */
  failed: number;
  kind?: BreakKind;
  /** Why it broke, in words; empty when it held. */
  reasons: string[];
}

/** Judges one step of a stress run against the break condition. */
export function judgeStep(report: LoadReport, condition: BreakCondition = DEFAULT_BREAK): StepVerdict {
  const { rejected } = report;
  const shed = rejected['429'] + rejected['503'];
  const failed = rejected.errors + rejected['5xx'] + rejected['4xx'];
  const rejectedShare = report.sent === 0 ? 0 : (shed + failed) / report.sent;
  const p99Ms = report.latencyMs.p99;
  const reasons: string[] = [];
  if (p99Ms > condition.sloMs) reasons.push(`p99 ${fmt(p99Ms)} ms over the ${condition.sloMs} ms SLO`);
  if (rejectedShare > condition.maxRejectedShare) {
    reasons.push(
      `${fmt(100 * rejectedShare)} % not accepted (over ${fmt(100 * condition.maxRejectedShare)} %): ` +
        `${rejected['429']} × 429, ${rejected['503']} × 503, ${rejected.errors} without answer, ` +
        `${rejected['5xx'] + rejected['4xx']} other errors`,
    );
  }
  const held = reasons.length === 0;
  let kind: BreakKind | undefined;
  if (!held) kind = failed > shed ? 'errors' : shed > 0 ? 'graceful' : failed > 0 ? 'errors' : 'slow';
  return { held, p99Ms, rejectedShare, shed, failed, reasons, ...(kind ? { kind } : {}) };
}

export function describeBreak(kind: BreakKind): string {
  switch (kind) {
    case 'graceful':
      return 'gracefully: the line refused what it could not take (429 lane full / 503 line stopped), fast';
    case 'errors':
      return 'badly: requests timed out or failed (no answer or 5xx) instead of being refused';
    case 'slow':
      return 'by slowing down: everything was accepted but latency went over the SLO (queueing)';
  }
}

export interface LaneCapacity {
  lane: LaneName;
  workers: number;
  /** Mean service time used, in ms, and where it came from. */
  serviceMs: number;
  source: 'processing' | 'lead_time';
  /** workers / service time, in signals per second. */
  perSecond: number;
}

export interface PredictedCapacity {
  lanes: LaneCapacity[];
  /** The request rate the mix can sustain: the lane that saturates first, scaled by its share of the mix. */
  mixRate: number | undefined;
}

/**
 * Little's law, L = λW: a pool of N workers each busy W seconds per signal completes at most N / W signals a
 * second. Workers are the pool's max (what autoscaling can reach); W is the mean processing time per lane from
 * GET /status, or the mean lead time when nothing has been processed yet (an overestimate of W).
 */
export function predictCapacity(
  status: Pick<SystemStatus, 'pools' | 'percentiles_ms'>,
  shares: Partial<Record<LaneName, number>>,
): PredictedCapacity {
  const lanes: LaneCapacity[] = [];
  for (const pool of status.pools) {
    const processing = status.percentiles_ms.processing[pool.pool];
    const lead = status.percentiles_ms.lead_time[pool.pool];
    const useProcessing = processing && processing.count > 0 && processing.mean > 0;
    const serviceMs = useProcessing ? processing.mean : (lead?.mean ?? 0);
    if (!(serviceMs > 0)) continue;
    const workers = Math.max(pool.max, pool.size);
    lanes.push({
      lane: pool.pool,
      workers,
      serviceMs,
      source: useProcessing ? 'processing' : 'lead_time',
      perSecond: (workers * 1000) / serviceMs,
    });
  }
  const limits = lanes
    .filter((lane) => (shares[lane.lane] ?? 0) > 0)
    .map((lane) => lane.perSecond / shares[lane.lane]!);
  return { lanes, mixRate: limits.length > 0 ? Math.min(...limits) : undefined };
}

const fmt = (n: number): string => (n >= 100 ? Math.round(n).toString() : n.toFixed(1));
