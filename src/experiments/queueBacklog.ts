import { defineExperiment, Lab, secs } from './Lab.js';

/** Exercise 4: a spike of slow signals fills the slow lane; Kanban's bound answers 429; then it drains. */
export const queueBacklogExperiment = defineExperiment({
  name: 'queue-backlog',
  summary: 'spike slow signals: depth peak, when it hit 80 % and 100 %, drain time vs what the pool predicts',
  params: {
    baseRate: {
      default: 5,
      short: 5,
      doc: 'requests per second before and after the spike ("report", slow lane)',
    },
    spikeRate: { default: 300, short: 200, doc: 'requests per second during the spike' },
    baselineMs: { default: 10_000, short: 1000, doc: 'load before the spike' },
    spikeMs: { default: 10_000, short: 1000, doc: 'how long the spike lasts' },
    drainTimeoutMs: { default: 90_000, short: 8000, doc: 'longest wait for the lane to drain' },
    settleTimeoutMs: { default: 60_000, short: 8000, doc: 'longest wait for the lanes to empty' },
  },
  async run(context, p) {
    const lab = new Lab('queue-backlog', context, p);
    const { observer } = lab;
    const spikeFrom = p.baselineMs;
    const spikeTo = p.baselineMs + p.spikeMs;
    await lab.begin({
      rate: (t) => (t >= spikeFrom && t < spikeTo ? p.spikeRate : p.baseRate),
      body: (_i, id) => ({ id, signal_type: 'report', payload: {} }),
    });
    lab.phase(`baseline: ${p.baseRate} req/s of slow signals`);
    await lab.hold(spikeFrom - lab.now());
    lab.observer.event('fault', `spike: ${p.spikeRate} req/s for ${secs(p.spikeMs)}`);
    await lab.hold(spikeTo - lab.now());
    lab.phase('spike over');
    const atEnd = observer.samples.at(-1);
    const drained = await observer.waitFor(
      (s) => s.t > spikeTo && (s.lanes.slow?.depth ?? 0) === 0,
      p.drainTimeoutMs,
    );
    const result = await lab.finish(p.settleTimeoutMs);
    const capacity = atEnd?.lanes.slow?.capacity ?? 0;
    const during = observer.samples.filter((s) => s.t >= spikeFrom);
    const peak = Math.max(0, ...during.map((s) => s.lanes.slow?.depth ?? 0));
    const first = (share: number) => during.find((s) => (s.lanes.slow?.depth ?? 0) >= share * capacity);
    const at80 = first(0.8);
    const at100 = first(1);
    // What the pool predicts: the backlog at the spike's end over (workers × 1000 / processing time).
    const processing = Math.max(1, observer.last?.percentiles_ms.processing.slow.p50 ?? 1);
    const workers = atEnd?.pools.slow?.size ?? 1;
    const predicted = ((atEnd?.lanes.slow?.depth ?? 0) / (workers * (1000 / processing))) * 1000;
    const rejected = result.intervals.reduce((sum, i) => sum + i.r429, 0);
    lab.figure('lane capacity', capacity);
    lab.figure('depth peak', peak);
    lab.figure('spike start → 80 % full', at80 ? at80.t - spikeFrom : null, 'ms');
    lab.figure('spike start → 100 % full', at100 ? at100.t - spikeFrom : null, 'ms');
    lab.figure('429 answers', rejected);
    lab.figure('depth at spike end', atEnd?.lanes.slow?.depth ?? 0);
    lab.figure('drain time after the spike', drained ? drained.t - spikeTo : null, 'ms');
    lab.figure(
      `drain time predicted (${workers} workers × ${processing.toFixed(0)} ms each)`,
      predicted,
      'ms',
    );
    result.figures = lab.figures;
    lab.check(
      'the lane drained',
      drained !== undefined,
      drained ? `empty at ${secs(drained.t)}` : 'not empty in time',
    );
    return result;
  },
});
