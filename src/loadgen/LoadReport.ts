import type { PercentileSnapshot } from '../tps/kaizen/Percentiles.js';

/** Answers other than 2xx, by reason; `errors` are requests that got no HTTP answer (connection, timeout). */
export interface Rejections {
  '429': number;
  '503': number;
  /** 4xx other than 429. */
  '4xx': number;
  /** 5xx other than 503. */
  '5xx': number;
  errors: number;
}

export type LatencySummary = Omit<PercentileSnapshot, 'count'>;

export interface LoadReport {
  sent: number;
  /** 2xx answers. */
  accepted: number;
  rejected: Rejections;
  /** From each request's intended send time to its full answer, over answered requests. */
  latencyMs: LatencySummary;
  /** Requests per second the schedule planned, on average over the run. */
  targetRate: number;
  achievedRate: number;
  /** How long requests were being sent (the planned duration unless stopped early or the sender fell behind). */
  durationMs: number;
  /** Requests the schedule planned for the whole duration; more than `sent` only when stopped early. */
  planned: number;
  /** How late the load generator itself sent, at worst: large values mean the generator, not the target, was slow. */
  maxSendLagMs: number;
  /** Counts of the failures behind `rejected.errors`, by error code or name. */
  errorKinds: Record<string, number>;
  /** True when the run was stopped by its AbortSignal. */
  aborted: boolean;
}

/** What `onProgress` gets while a run goes on; percentiles and rates cover the interval since the last one. */
export interface ProgressSnapshot {
  elapsedMs: number;
  sent: number;
  /** Answered or failed so far. */
  completed: number;
  inFlight: number;
  accepted: number;
  rejected: Rejections;
  /** The schedule's mean rate over the interval this snapshot reports (it may end before the interval does). */
  targetRate: number;
  intervalRate: number;
  intervalP50: number;
  intervalP99: number;
}
