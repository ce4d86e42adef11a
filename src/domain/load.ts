/**
 * What `GET /load` answers and `/events` pushes as `event: load`: the one in-process load run that the board's
 * preset buttons start (`POST /load {"preset"}`), with its progress while it runs and its figures once it ends.
 */

export const LOAD_PRESET_NAMES = ['normal', 'spike', 'stress'] as const;
export type LoadPresetName = (typeof LOAD_PRESET_NAMES)[number];

export interface LoadPresetView {
  name: LoadPresetName;
  /** In words, e.g. "50 req/s for 30 s". */
  schedule: string;
  /** What to watch on the board while it runs. */
  watch: string;
  duration_ms: number;
  /** Requests the schedule sends in all: each run is bounded in count and in time. */
  planned: number;
  peak_rate_per_s: number;
}

/** `idle` before the first run; a finished run stays shown until the next one starts. */
export type LoadRunState = 'idle' | 'running' | 'finished' | 'stopped' | 'failed';

export interface LoadRunView {
  state: LoadRunState;
  preset?: LoadPresetName;
  mix?: string;
  schedule?: string;
  planned?: number;
  duration_ms?: number;
  started_at?: string;
  ended_at?: string;
  elapsed_ms: number;
  sent: number;
  /** 2xx answers. */
  accepted: number;
  rejected: { '429': number; '503': number; '4xx': number; '5xx': number; errors: number };
  /** Over the last progress interval while running; over the whole run once it ended. */
  rate_per_s: number;
  target_rate_per_s: number;
  p50_ms: number;
  p99_ms: number;
  /** Why a run failed to start or broke off. */
  error?: string;
}

export interface LoadAnswer {
  run: LoadRunView;
  presets: LoadPresetView[];
}
