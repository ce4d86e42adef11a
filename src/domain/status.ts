import type { LaneName } from './signal.js';

/** How a lane's pace compares with its demand, in the value stream's terms. */
export interface TaktAndCycle {
  /** Time between arrivals: the pace the demand sets (ms); null without demand. */
  takt_ms: number | null;
  /** Time between completions: the pace the lane keeps (ms); null while nothing completes. */
  cycle_ms: number | null;
  /** Whether the lane finishes work at least as fast as it arrives; null where completions are not seen here. */
  keeping_up: boolean | null;
}

/** What `GET /status` answers: the whole line at a glance. The CLI and the board read this shape. */
export type Level = 'green' | 'yellow' | 'red';

export interface PercentilesView {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** One SLO over the last 6 hours (see src/tps/kaizen/SloTracker.ts). */
export interface SloView {
  name: string;
  objective: string;
  target: number;
  /** Good / all events; null when there were none. */
  sli: number | null;
  /** 1 = untouched, 0 = spent, below 0 = overspent. */
  error_budget_remaining: number;
  burn_rates: { '5m': number; '1h': number; '6h': number };
  events: { good: number; total: number };
}

export interface SystemStatus {
  mode: 'embedded' | 'distributed';
  generated_at: string;
  uptime_s: number;
  andon: {
    overall: Level;
    stations: Array<{ id: string; kind: string; level: Level; cause: string; since: string }>;
    events: Array<{ at: string; station: string; from?: Level; to: Level; message: string }>;
  };
  cords: Array<{ scope: LaneName | 'line'; pulled: boolean; reason?: string; by?: string; since: string }>;
  lanes: Array<{
    lane: LaneName;
    depth: number;
    capacity: number;
    inflight: number;
    wip_limit: number;
    dead_lettered: number;
    running: boolean;
    stopped_cause?: string;
  }>;
  pools: Array<{
    pool: LaneName;
    size: number;
    busy: number;
    min: number;
    max: number;
    /** The most workers the pool may have now: max, or less while the other lane uses the shared budget. */
    ceiling: number;
    restarts: number;
    scale_ups: number;
    scale_downs: number;
    last_scale?: { from: number; to: number; reason: string; at: string };
  }>;
  breakers: Array<{
    name: string;
    state: 'closed' | 'open' | 'half_open';
    since: string;
    threshold: number;
    consecutive_failures: number;
    total_failures: number;
    opens: number;
    last_failure?: string;
    next_probe_at?: string;
    probes_remaining?: number;
  }>;
  queue: { backend: string; durable: boolean; available: boolean; cause?: string };
  downstream: Array<{
    service: string;
    base_latency_ms: number;
    injected_latency_ms: number;
    injected_error_rate: number;
  }>;
  rates: {
    intake_per_s: number;
    accepted_per_s: Record<LaneName, number>;
    completed_per_s: Record<LaneName, number>;
    error_rate: number;
    requests_per_s: number;
  };
  percentiles_ms: {
    intake: PercentilesView;
    queue_wait: Record<LaneName, PercentilesView>;
    processing: Record<LaneName, PercentilesView>;
    lead_time: Record<LaneName, PercentilesView>;
  };
  chaos: { active: string[] };
  slos: SloView[];
  /** Takt time (between arrivals) against cycle time (between completions) per lane, over the last minute. */
  value_stream: Record<LaneName, TaktAndCycle>;
}
