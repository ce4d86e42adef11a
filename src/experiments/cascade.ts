import { percentile } from './LoadDriver.js';
import { defineExperiment, Lab, secs, STEADY_LOAD_PARAMS } from './Lab.js';
import { latencyBetween, parseServiceLatency, slowedDown, type LatencyWindow } from './serviceLatency.js';

/** The chain from the slow end outwards, each with who calls it: the way the slowness travels. */
const CHAIN = [
  ['service-a', 'service-b'],
  ['service-b', 'service-c'],
  ['service-c', 'the workers'],
] as const;

/**
 * A cascade: service A ("the database") slows past its callers' timeouts (POST /chaos/cascade), so B's calls
 * to A back up, then C's calls to B, then the workers' calls to C. Which breakers open, in what order, and how
 * far the slowness spread: each service's latency as its callers saw it (downstream_latency_seconds, scraped
 * before, during and after the fault), callers' failure share per service, andon stations, intake 503s.
 */
export const cascadeExperiment = defineExperiment({
  name: 'cascade',
  summary: 'slow service-a past its callers’ timeouts: which breakers open in what order, how far it spreads',
  params: {
    ...STEADY_LOAD_PARAMS,
    baselineMs: { default: 10_000, short: 1500, doc: 'load before the fault' },
    faultMs: { default: 30_000, short: 2000, doc: 'how long the cascade stays' },
    tailMs: { default: 5000, short: 1000, doc: 'load after recovery' },
  },

  async run(context, p) {
    const lab = new Lab('cascade', context, p);
    const { observer } = lab;
    const scrape = async () => parseServiceLatency(await lab.client.metrics());
    const atStart = await scrape();
    await lab.baseline(p.rate, p.baselineMs);

    const atFault = await scrape();
    const faultAt = lab.now();
    const answer = (await lab.fault('fault on: POST /chaos/cascade', '/chaos/cascade')) as {
      downstream?: Record<string, { latencyMs?: number }>;
    };
    const injected = answer.downstream?.['service-a']?.latencyMs;
    await lab.checkFaultVisible(faultAt, 'cascade');
    await lab.hold(faultAt + p.faultMs - lab.now());

    const atStop = await scrape();
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
    const atEnd = await scrape();
    const result = await lab.finish(p.settleTimeoutMs);

    // The order: each breaker's first open after the fault, at the time the server says it opened.
    const firstOpen = new Map<string, number>();
    for (const event of result.events) {
      const name = event.breaker?.name;
      if (name && event.breaker?.to === 'open' && event.t >= faultAt && !firstOpen.has(name)) {
        firstOpen.set(name, event.t);
      }
    }
    const order = [...firstOpen.entries()].sort((a, b) => a[1] - b[1]);
    const before = observer.samples.filter((s) => s.t < faultAt);
    const during = observer.samples.filter((s) => s.t >= faultAt && s.t <= stopAt + 250);
    const opensDuring = (name: string) =>
      (observer.samples.filter((s) => s.t <= stopAt).at(-1)?.breakers[name]?.opens ?? 0) -
      (before.at(-1)?.breakers[name]?.opens ?? 0);
    const services = Object.keys(observer.samples.at(-1)?.downstreamFailPct ?? {}).sort();
    const stationsHit = Object.keys(observer.samples.at(-1)?.stations ?? {}).filter(
      (id) => before.at(-1)?.stations[id] === 'green' && during.some((s) => s.stations[id] !== 'green'),
    );
    const fault = lab.load?.figures(faultAt, stopAt);

    lab.figure('latency injected into service-a', injected ?? null, 'ms');
    lab.figure('breaker open order', order.map(([name]) => name).join(' → ') || 'none');
    for (const [name, t] of order) {
      lab.figure(
        `fault on → ${name} open (opened ${opensDuring(name)}× during the fault)`,
        t - faultAt,
        'ms',
      );
    }
    for (const service of services) {
      lab.figure(
        `${service}: peak share of callers' calls failing (1-min window)`,
        Math.max(0, ...during.map((s) => s.downstreamFailPct[service] ?? 0)),
        '%',
      );
    }
    lab.figure(
      'fast processing p99 before → peak during the fault',
      `${Math.round(before.at(-1)?.processingP99.fast ?? 0)} → ${Math.round(Math.max(0, ...during.map((s) => s.processingP99.fast ?? 0)))} ms`,
    );
    const latency = CHAIN.map(([service, caller]) => ({
      service,
      caller,
      before: latencyBetween(atStart, atFault, service),
      during: latencyBetween(atFault, atStop, service),
      after: latencyBetween(atStop, atEnd, service),
    }));
    const ms = (w: LatencyWindow, key: 'meanMs' | 'p90Ms') => (w[key] === null ? '–' : Math.round(w[key]));
    for (const { service, before, during, after } of latency) {
      lab.figure(`${service} mean latency before the fault`, before.meanMs, 'ms');
      lab.figure(`${service} mean latency during the fault`, during.meanMs, 'ms');
      lab.figure(
        `${service} calls / mean / p90 before → during → after`,
        [before, during, after]
          .map((w) => `${w.calls} / ${ms(w, 'meanMs')} / ${ms(w, 'p90Ms')}`)
          .join(' → ') + ' ms',
      );
    }
    lab.figure('how far the slowness spread', spreadLine(latency));
    lab.figure('andon stations that left green', stationsHit.join(', ') || 'none');
    lab.figure(
      'intake during the fault: sent / 202 / 503',
      `${fault?.sent ?? 0} / ${fault?.accepted ?? 0} / ${fault?.r503 ?? 0}`,
    );
    const failFast = (lab.load?.requests ?? [])
      .filter((r) => r.status === 503 && r.intendedAt >= faultAt && r.intendedAt < stopAt)
      .map((r) => r.latencyMs ?? 0);
    lab.figure('503 intake latency p99 during the fault', percentile(failFast, 99), 'ms');
    const lastClose = result.events
      .filter((e) => e.breaker?.to === 'closed' && e.t >= stopAt)
      .sort((a, b) => b.t - a.t)[0];
    lab.figure('fault off → last breaker closed', lastClose ? lastClose.t - stopAt : null, 'ms');
    result.figures = lab.figures;
    lab.check(
      'breakers opened',
      order.length > 0,
      order.length > 0
        ? order.map(([name, t]) => `${name} +${Math.round(t - faultAt)} ms`).join(', ')
        : 'none opened',
    );
    lab.check(
      'service-a’s breaker opened (the slow service was cut off)',
      firstOpen.has('service-a'),
      firstOpen.has('service-a') ? 'opened' : 'never opened',
    );
    lab.check(
      'every breaker closed after the fault stopped',
      closed !== undefined,
      closed ? `all closed by ${secs(closed.t)}` : 'not all closed',
    );
    return result;
  },
});

/**
 * One line, from the slow end outwards: whose callers saw a service slow down during the fault (a mean half
 * again its baseline and 10 ms more), and where that stopped.
 */
function spreadLine(
  latency: { service: string; caller: string; before: LatencyWindow; during: LatencyWindow }[],
): string {
  const hops = latency.map(({ service, caller, before, during }) => ({
    service,
    caller,
    slowed: slowedDown(before, during),
    during,
  }));
  const reached = hops.filter((hop) => hop.slowed);
  const stoppedAt = hops.find((hop) => !hop.slowed);
  const seen = reached
    .map((hop) => `${hop.caller} waited on ${hop.service} (mean ${Math.round(hop.during.meanMs ?? 0)} ms)`)
    .join(', ');
  if (reached.length === hops.length) return `every hop: ${seen}`;
  const stop = stoppedAt
    ? stoppedAt.slowed === null
      ? `${stoppedAt.caller} made no calls to ${stoppedAt.service} to measure`
      : `${stoppedAt.caller} saw no slowdown of ${stoppedAt.service}`
    : '';
  return `${reached.length} of ${hops.length} hops${seen ? `: ${seen}` : ''}; stopped there: ${stop}`;
}
