import { defineExperiment, Lab, secs } from './Lab.js';

/**
 * Exercise 1: Heijunka's pool sizing under rising then falling load. The fast pool starts at its starting
 * size (POOL_MIN defaults to it), grows while signals wait and every worker is busy (SCALE_UP_BACKLOG_PER_WORKER,
 * SCALE_STEP, SCALE_COOLDOWN_MS), and shrinks one worker at a time once spare workers sat idle SCALE_IDLE_MS.
 */
export const scalingExperiment = defineExperiment({
  name: 'scaling',
  summary: 'rising then falling load: fast pool size over time, time to scale up and to scale back down',
  params: {
    lowRate: { default: 50, short: 30, doc: 'requests per second before the rise and after the fall' },
    highRate: { default: 200, short: 200, doc: 'requests per second between the rise and the fall' },
    workMs: { default: 100, short: 20, doc: 'work per signal (payload work_ms), so the load needs workers' },
    lowMs: { default: 10_000, short: 1000, doc: 'low load before the rise' },
    highMs: { default: 30_000, short: 2500, doc: 'how long the high load lasts' },
    fallTimeoutMs: {
      default: 90_000,
      short: 10_000,
      doc: 'longest low load after the fall, waiting for the pool to shrink back',
    },
    tailMs: { default: 5000, short: 500, doc: 'low load after the pool is back at its starting size' },
    settleTimeoutMs: { default: 60_000, short: 8000, doc: 'longest wait for the lanes to empty' },
  },

  async run(context, p) {
    const lab = new Lab('scaling', context, p);
    const { observer } = lab;
    const riseAt = p.lowMs;
    const fallAt = p.lowMs + p.highMs;
    await lab.begin({
      rate: (t) => (t >= riseAt && t < fallAt ? p.highRate : p.lowRate),
      body: (_i, id) => ({ id, signal_type: 'execute', payload: { work_ms: p.workMs } }),
    });
    const startSize = observer.samples[0]?.pools.fast?.size ?? 0;
    const pool = observer.last?.pools.find((x) => x.pool === 'fast');
    lab.phase(`low load: ${p.lowRate} req/s, ${p.workMs} ms of work each; fast pool ${startSize} workers`);
    await lab.hold(riseAt - lab.now());
    observer.event('fault', `rise: ${p.highRate} req/s`);
    await lab.hold(fallAt - lab.now());
    observer.event('fault', `fall: back to ${p.lowRate} req/s`);
    const back = await observer.waitFor(
      (s) => s.t > fallAt && (s.pools.fast?.size ?? 0) <= startSize,
      p.fallTimeoutMs,
    );
    lab.phase(
      back
        ? `fast pool back at ${startSize} workers`
        : `fast pool not back at ${startSize} workers after ${secs(p.fallTimeoutMs)}`,
    );
    await lab.hold(p.tailMs);
    const result = await lab.finish(p.settleTimeoutMs);

    const size = (s: (typeof observer.samples)[number]) => s.pools.fast?.size ?? 0;
    const high = observer.samples.filter((s) => s.t >= riseAt && s.t < fallAt + 250);
    const after = observer.samples.filter((s) => s.t >= fallAt);
    const firstUp = high.find((s) => size(s) > startSize);
    const peak = Math.max(startSize, ...observer.samples.map(size));
    const atPeak = observer.samples.find((s) => size(s) === peak);
    const sizeAtFall = after[0] ? size(after[0]) : startSize;
    const firstDown = after.find((s) => size(s) < sizeAtFall);
    const counts = observer.last?.pools.find((x) => x.pool === 'fast');
    const rejected = result.intervals.reduce((sum, i) => sum + i.r429 + i.r503, 0);
    const highFigures = lab.load?.figures(riseAt, fallAt);

    lab.figure(
      'fast pool: starting size / min / max',
      `${startSize} / ${pool?.min ?? '?'} / ${pool?.max ?? '?'}`,
    );
    lab.figure('fast pool peak size', peak);
    lab.figure('rise → first scale-up', firstUp ? firstUp.t - riseAt : null, 'ms');
    lab.figure('rise → peak size', atPeak && atPeak.t >= riseAt ? atPeak.t - riseAt : null, 'ms');
    lab.figure('fast pool size at the fall', sizeAtFall);
    lab.figure('fall → first scale-down', firstDown ? firstDown.t - fallAt : null, 'ms');
    lab.figure('fall → back at the starting size', back ? back.t - fallAt : null, 'ms');
    lab.figure(
      'scale-ups / scale-downs during the run',
      `${(counts?.scale_ups ?? 0) - (pool?.scale_ups ?? 0)} / ${(counts?.scale_downs ?? 0) - (pool?.scale_downs ?? 0)}`,
    );
    lab.figure('intake p99 during the high load', highFigures?.p99 ?? null, 'ms');
    lab.figure('answers 429/503 during the run', rejected);
    result.figures = lab.figures;
    lab.check(
      'the pool grew after the rise',
      firstUp !== undefined,
      firstUp
        ? `${startSize} → ${peak} workers, first growth at ${secs(firstUp.t)}`
        : `stayed at ${startSize}`,
    );
    lab.check(
      'the pool shrank after the fall',
      firstDown !== undefined,
      firstDown
        ? `${sizeAtFall} → ${size(observer.samples.at(-1) ?? firstDown)} workers, first shrink at ${secs(firstDown.t)}`
        : `stayed at ${sizeAtFall}`,
    );
    return result;
  },
});
