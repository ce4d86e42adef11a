import { LOAD_PRESET_NAMES, type LoadPresetName, type LoadPresetView } from '../domain/load.js';
import { describeRamp, rampDurationMs, rampRate, type Ramp } from './ramp.js';
import { plannedCount, type Rate } from './schedule.js';

export interface LoadPreset {
  name: LoadPresetName;
  rate: Rate;
  durationMs: number;
  schedule: string;
  watch: string;
  peak: number;
  /** Requests the schedule sends in all: computed once, a ramp's count walks its every send time. */
  planned: number;
}

const preset = (fields: Omit<LoadPreset, 'planned'>): LoadPreset => ({
  ...fields,
  planned: plannedCount(fields.rate, fields.durationMs),
});

const STRESS_RAMP: Ramp = { from: 50, to: 300, step: 50, intervalMs: 5000 };

/**
 * The board's load presets: the guide's normal load, spike and stress test, cut down so that the load generator
 * runs inside the API's own process on a 2-core machine beside everything else. The CLI's `tps load`, `tps spike`
 * and `tps stress` send more (1000 req/s spikes, ramps until it breaks) from a process of their own.
 */
export const LOAD_PRESETS: Readonly<Record<LoadPresetName, LoadPreset>> = {
  normal: preset({
    name: 'normal',
    rate: 50,
    durationMs: 30_000,
    schedule: '50 req/s for 30 s',
    watch: 'a steady flow: in and out stay level, queues stay near empty',
    peak: 50,
  }),
  spike: preset({
    name: 'spike',
    rate: 400,
    durationMs: 10_000,
    schedule: '400 req/s for 10 s',
    watch:
      'a burst above what the pools take: the lanes fill, pools grow, 429s shed the excess, then the queues drain',
    peak: 400,
  }),
  stress: preset({
    name: 'stress',
    rate: rampRate(STRESS_RAMP),
    durationMs: rampDurationMs(STRESS_RAMP),
    schedule: describeRamp(STRESS_RAMP),
    watch: 'a rising ramp: where completed/s stops following accepted/s is the capacity',
    peak: STRESS_RAMP.to,
  }),
};

/** The presets as `GET /load` lists them. */
export function loadPresetViews(): LoadPresetView[] {
  return LOAD_PRESET_NAMES.map((name) => {
    const preset = LOAD_PRESETS[name];
    return {
      name,
      schedule: preset.schedule,
      watch: preset.watch,
      duration_ms: preset.durationMs,
      planned: preset.planned,
      peak_rate_per_s: preset.peak,
    };
  });
}
