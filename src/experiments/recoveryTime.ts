import { percentile } from './LoadDriver.js';
import { defineExperiment, Lab, secs, STEADY_LOAD_PARAMS } from './Lab.js';

/** Lead times (created → completed) of the accepted signals meant to leave in [fromMs, toMs), and the load. */
function window(lab: Lab, fromMs: number, toMs: number) {
  const leads: number[] = [];
  let sent = 0;
  let accepted = 0;
  for (const request of lab.load?.requests ?? []) {
    if (request.intendedAt < fromMs || request.intendedAt >= toMs) continue;
    sent++;
    if (request.status !== 202) continue;
    accepted++;
    const record = lab.record(request.id);
    if (record?.status === 'completed' && record.completed_at) {
      leads.push(Date.parse(record.completed_at) - Date.parse(record.created_at));
    }
  }
  return { sent, accepted, completed: leads.length, p99: percentile(leads, 99) };
}

/**
 * Exercise 5: how long after a fault is gone does the line serve as it did before? Baseline load, a slow
 * service-c, the fault stopped, then the RTO: from the fault's stop to the first of `stableBuckets` intervals
 * in a row whose signals (by intended send time) are accepted as in the baseline and whose lead-time p99
 * (created → completed, read back by id) is within 10 % of the baseline's (or within `floorMs`, whichever is
 * larger, so that a 3 ms baseline does not demand 0.3 ms).
 */
export const recoveryTimeExperiment = defineExperiment({
  name: 'recovery-time',
  summary: 'slow service-c, stop the fault: RTO until lead-time p99 is back within 10 % of baseline',
  params: {
    ...STEADY_LOAD_PARAMS,
    baselineMs: { default: 15_000, short: 1500, doc: 'load before the fault (the baseline p99)' },
    faultMs: { default: 20_000, short: 1500, doc: 'how long the fault stays' },
    latencyMs: { default: 5000, short: 400, doc: 'latency injected into service-c' },
    tolerancePct: { default: 10, short: 10, doc: 'how close to the baseline p99 counts as recovered (%)' },
    floorMs: { default: 5, short: 20, doc: 'least slack over the baseline p99 that counts as recovered' },
    stableBuckets: { default: 3, short: 3, doc: 'intervals in a row that must be back (1 s; 250 ms short)' },
    tailMs: { default: 20_000, short: 2500, doc: 'load after the breakers closed, to see the p99 return' },
  },

  async run(context, p) {
    const lab = new Lab('recovery-time', context, p);
    const { observer } = lab;
    await lab.baseline(p.rate, p.baselineMs);

    const faultAt = lab.now();
    await lab.fault(`fault on: service-c +${p.latencyMs} ms`, '/chaos/downstream', {
      target: 'service-c',
      latency_ms: p.latencyMs,
      error_rate: 0,
    });
    await lab.checkFaultVisible(faultAt);
    await lab.hold(faultAt + p.faultMs - lab.now());

    const stopAt = lab.now();
    await lab.fault('fault off: DELETE /chaos', '/chaos', undefined, 'DELETE');
    await lab.checkFaultGone(stopAt);
    const closed = await observer.waitFor(
      (s) => s.t > stopAt && Object.values(s.breakers).every((b) => b.state === 'closed'),
      p.recoveryTimeoutMs,
    );
    lab.phase(
      closed ? 'every breaker closed again' : `breakers not all closed after ${secs(p.recoveryTimeoutMs)}`,
    );
    await lab.hold(p.tailMs);
    const result = await lab.finish(p.settleTimeoutMs);

    // The baseline skips the first interval (connections opening, JIT warming up) and the last before the
    // fault (those signals are still in flight when it strikes).
    const bucket = result.bucketMs;
    const baseline = window(lab, Math.min(bucket, faultAt / 4), Math.max(faultAt / 2, faultAt - bucket));
    const baselineAcceptShare = baseline.sent > 0 ? baseline.accepted / baseline.sent : 1;
    const threshold = Math.max(baseline.p99 * (1 + p.tolerancePct / 100), baseline.p99 + p.floorMs);
    const lastSent = Math.max(0, ...(lab.load?.requests ?? []).map((r) => r.intendedAt));
    const back: boolean[] = [];
    let worst = 0;
    for (let from = stopAt; from + bucket <= lastSent + 1; from += bucket) {
      const w = window(lab, from, from + bucket);
      back.push(
        w.sent > 0 &&
          w.completed > 0 &&
          w.accepted / w.sent >= 0.9 * baselineAcceptShare &&
          w.p99 <= threshold,
      );
    }
    for (let from = faultAt; from < stopAt; from += bucket) {
      worst = Math.max(worst, window(lab, from, Math.min(stopAt, from + bucket)).p99);
    }
    const stable = Math.max(1, Math.round(p.stableBuckets));
    const k = back.findIndex(
      (_ok, i) => i + stable <= back.length && back.slice(i, i + stable).every(Boolean),
    );
    const rto = k >= 0 ? k * bucket : null;
    if (rto !== null) observer.event('note', `lead-time p99 back within ${p.tolerancePct} %`, stopAt + rto);

    const opened = result.events
      .filter((e) => e.breaker?.to === 'open' && e.t >= faultAt)
      .sort((a, b) => a.t - b.t)[0];
    const closes = result.events.filter((e) => e.breaker?.to === 'closed' && e.t >= stopAt);
    const lastClose = closes.sort((a, b) => b.t - a.t)[0];
    lab.figure('baseline lead-time p99', baseline.p99, 'ms');
    lab.figure(
      `recovered when lead-time p99 ≤ (baseline +${p.tolerancePct} %, min +${p.floorMs} ms)`,
      threshold,
      'ms',
    );
    lab.figure('worst lead-time p99 during the fault', worst, 'ms');
    lab.figure(
      `fault on → first breaker open (${opened?.breaker?.name ?? '—'})`,
      opened ? opened.t - faultAt : null,
      'ms',
    );
    lab.figure('fault off → last breaker closed', lastClose ? lastClose.t - stopAt : null, 'ms');
    lab.figure('RTO: fault off → lead-time p99 back to baseline', rto, 'ms');
    lab.figure('signals accepted during the fault', window(lab, faultAt, stopAt).accepted, '');
    result.figures = lab.figures;
    result.events = [...observer.events].sort((a, b) => a.t - b.t);
    lab.check(
      'the breaker opened',
      opened !== undefined,
      opened ? `${opened.breaker?.name} open at ${secs(opened.t)}` : 'never opened',
    );
    lab.check(
      'every breaker closed after the fault stopped',
      closed !== undefined,
      closed ? `all closed by ${secs(closed.t)}` : 'not all closed',
    );
    lab.check(
      `lead-time p99 back within ${p.tolerancePct} % of baseline`,
      rto !== null,
      rto !== null
        ? `RTO ${secs(rto)} (${stable} intervals of ${bucket} ms in a row ≤ ${threshold.toFixed(1)} ms)`
        : `not back within the ${secs(lastSent - stopAt)} observed after the stop`,
    );
    return result;
  },
});
