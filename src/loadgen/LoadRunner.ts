import { EventEmitter, type Disposable } from '../domain/disposable.js';
import type { LoadPresetName, LoadRunView } from '../domain/load.js';
import type { LoadReport, ProgressSnapshot } from './LoadReport.js';
import { mixBody, type MixName } from './mix.js';
import { LOAD_PRESETS } from './presets.js';
import { runOpenModelLoad, type OpenModelLoadOptions } from './runOpenModelLoad.js';

/** Runs one load preset at a time in this process, and tells its progress to whoever listens (the board). */
export interface LoadRunner {
  /** Starts a run against `url` (loopback only); undefined when one is already running. */
  start(request: { preset: LoadPresetName; mix: MixName; url: string }): LoadRunView | undefined;
  /** Stops sending and waits for the run to end; answers the run as it ended (or as it is, when none runs). */
  stop(): Promise<LoadRunView>;
  view(): LoadRunView;
  /** Each change: start, a progress tick (every second), end. */
  onChange(listener: (view: LoadRunView) => void): Disposable;
  close(): Promise<void>;
}

export interface LoadRunnerOptions {
  /** The load generator (default runOpenModelLoad); tests give a scripted one. */
  run?: (options: OpenModelLoadOptions) => Promise<LoadReport>;
  now?: () => number;
  progressEveryMs?: number;
}

const NO_REJECTIONS = { '429': 0, '503': 0, '4xx': 0, '5xx': 0, errors: 0 };
const IDLE: LoadRunView = {
  state: 'idle',
  elapsed_ms: 0,
  sent: 0,
  accepted: 0,
  rejected: NO_REJECTIONS,
  rate_per_s: 0,
  target_rate_per_s: 0,
  p50_ms: 0,
  p99_ms: 0,
};

export function createLoadRunner(options: LoadRunnerOptions = {}): LoadRunner {
  const run = options.run ?? runOpenModelLoad;
  const now = options.now ?? Date.now;
  const changed = new EventEmitter<LoadRunView>();
  let current: LoadRunView = IDLE;
  let stopper: AbortController | undefined;
  let running: Promise<void> | undefined;

  const set = (next: LoadRunView): void => {
    current = next;
    changed.emit(next);
  };

  const progressed = (p: ProgressSnapshot): void =>
    set({
      ...current,
      elapsed_ms: Math.round(p.elapsedMs),
      sent: p.sent,
      accepted: p.accepted,
      rejected: { ...p.rejected },
      rate_per_s: p.intervalRate,
      target_rate_per_s: p.targetRate,
      p50_ms: p.intervalP50,
      p99_ms: p.intervalP99,
    });

  const ended = (report: LoadReport): void =>
    set({
      ...current,
      state: report.aborted ? 'stopped' : 'finished',
      ended_at: new Date(now()).toISOString(),
      elapsed_ms: Math.round(report.durationMs),
      sent: report.sent,
      accepted: report.accepted,
      rejected: { ...report.rejected },
      rate_per_s: report.achievedRate,
      target_rate_per_s: 0,
      p50_ms: report.latencyMs.p50,
      p99_ms: report.latencyMs.p99,
    });

  return {
    start({ preset: name, mix, url }) {
      if (running) return undefined;
      const preset = LOAD_PRESETS[name];
      const startedAt = now();
      const controller = new AbortController();
      stopper = controller;
      set({
        ...IDLE,
        state: 'running',
        preset: name,
        mix,
        schedule: preset.schedule,
        planned: preset.planned,
        duration_ms: preset.durationMs,
        started_at: new Date(startedAt).toISOString(),
        target_rate_per_s: typeof preset.rate === 'number' ? preset.rate : preset.rate(0),
      });
      const started = current;
      running = run({
        url,
        ratePerSecond: preset.rate,
        durationMs: preset.durationMs,
        body: mixBody(mix, `board-${startedAt.toString(36)}`),
        // Enough sockets for a second's worth at the peak, so a slow answer never holds back the schedule.
        connections: Math.min(512, Math.max(32, preset.peak)),
        timeoutMs: 5000,
        signal: controller.signal,
        progressEveryMs: options.progressEveryMs ?? 1000,
        onProgress: progressed,
      })
        .then(ended, (error: unknown) =>
          set({
            ...(current.started_at === started.started_at ? current : started),
            state: 'failed',
            ended_at: new Date(now()).toISOString(),
            error: error instanceof Error ? error.message : String(error),
          }),
        )
        .finally(() => {
          running = undefined;
          stopper = undefined;
        });
      return current;
    },
    async stop() {
      stopper?.abort();
      await running;
      return current;
    },
    view: () => current,
    onChange: (listener) => changed.addListener(listener),
    async close() {
      stopper?.abort();
      await running;
    },
  };
}
