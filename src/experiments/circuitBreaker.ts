import { percentile } from './LoadDriver.js';
import { defineExperiment, Lab, secs, STEADY_LOAD_PARAMS } from './Lab.js';

const BREAKER = 'lane:fast';

/** Exercise 3: a hanging downstream trips the fast lane's breaker; intake fails fast; probes close it again. */
export const circuitBreakerExperiment = defineExperiment({
  name: 'circuit-breaker',
  summary: 'slow service-c until the lane breaker opens: time to open, fail-fast 503s, half-open, closed',
  params: {
    ...STEADY_LOAD_PARAMS,
    baselineMs: { default: 10_000, short: 1500, doc: 'load before the fault' },
    faultMs: { default: 40_000, short: 2000, doc: 'how long the fault stays' },
    latencyMs: { default: 5000, short: 400, doc: 'latency injected into service-c' },
    errorRate: { default: 0, short: 0, doc: 'error rate injected into service-c (0..1)' },
    tailMs: { default: 5000, short: 1000, doc: 'load after recovery' },
  },

  async run(context, p) {
    const lab = new Lab('circuit-breaker', context, p);
    const { observer } = lab;
    await lab.baseline(p.rate, p.baselineMs);

    const failuresBefore = observer.samples.at(-1)?.breakers[BREAKER]?.totalFailures ?? 0;
    const faultAt = lab.now();
    await lab.fault(
      `fault on: service-c +${p.latencyMs} ms, ${p.errorRate * 100} % errors`,
      '/chaos/downstream',
      { target: 'service-c', latency_ms: p.latencyMs, error_rate: p.errorRate },
    );
    const visible = await observer.waitFor((s) => s.t > faultAt && s.chaos.length > 0, 2000);
    lab.check(
      'fault visible in /status while active',
      visible !== undefined,
      visible ? `chaos: ${visible.chaos.join(', ')}` : 'not seen',
    );
    const firstFailure = await observer.waitFor(
      (s) => (s.breakers[BREAKER]?.totalFailures ?? 0) > failuresBefore,
      p.faultMs,
    );
    await observer.waitFor(
      (s) => s.breakers[BREAKER]?.state !== 'closed',
      Math.max(0, faultAt + p.faultMs - lab.now()),
    );
    await lab.hold(faultAt + p.faultMs - lab.now());

    const stopAt = lab.now();
    await lab.fault('fault off: DELETE /chaos', '/chaos', undefined, 'DELETE');
    const gone = await observer.waitFor((s) => s.t > stopAt && s.chaos.length === 0, 2000);
    lab.check('fault gone from /status after stop', gone !== undefined, gone ? 'chaos: none' : 'still shown');
    const closed = await observer.waitFor(
      (s) => s.t > stopAt && Object.values(s.breakers).every((b) => b.state === 'closed'),
      p.recoveryTimeoutMs,
    );
    lab.phase(
      closed ? 'every breaker closed again' : `breakers not all closed after ${secs(p.recoveryTimeoutMs)}`,
    );
    await lab.hold(p.tailMs);
    const result = await lab.finish(p.settleTimeoutMs);

    const opened = observer.transition(BREAKER, 'open', faultAt);
    const halfOpen = opened && observer.transition(BREAKER, 'half_open', opened.t);
    const closedAgain = observer.transition(BREAKER, 'closed', stopAt);
    const failFast = (lab.load?.requests ?? [])
      .filter(
        (r) =>
          r.status === 503 &&
          opened &&
          r.intendedAt >= opened.t &&
          r.intendedAt <= (closedAgain?.t ?? Infinity),
      )
      .map((r) => r.latencyMs ?? 0);
    const hanging = Math.max(
      0,
      ...observer.samples
        .filter((s) => s.t >= faultAt && s.t <= (opened?.t ?? stopAt) + 250)
        .map((s) => s.processingP99.fast ?? 0),
    );
    const baselineProcessing =
      observer.samples.filter((s) => s.t < faultAt).at(-1)?.processingP99.fast ?? null;
    const fig = (name: string, v: number | null | undefined, unit = 'ms') =>
      lab.figure(name, v ?? null, unit);
    fig('fault on → first failure seen by /status', firstFailure ? firstFailure.t - faultAt : null);
    fig(
      'first failure → breaker open',
      opened && firstFailure ? Math.max(0, opened.t - firstFailure.t) : null,
    );
    fig('fault on → breaker open', opened ? opened.t - faultAt : null);
    fig('processing p99 before the fault', baselineProcessing);
    fig('hanging processing p99 before the breaker opened', hanging);
    fig('fail-fast 503 intake latency p50', failFast.length ? percentile(failFast, 50) : null);
    fig('fail-fast 503 intake latency p99', failFast.length ? percentile(failFast, 99) : null);
    fig('503 answers while open', failFast.length, '');
    fig('open → half-open', opened && halfOpen ? halfOpen.t - opened.t : null);
    fig('fault off → breaker closed', closedAgain ? closedAgain.t - stopAt : null);
    fig('times the breaker opened', observer.samples.at(-1)?.breakers[BREAKER]?.opens ?? 0, '');
    result.figures = lab.figures;
    lab.check(
      'the breaker opened',
      opened !== undefined,
      opened ? `${BREAKER} open at ${secs(opened.t)}` : 'never opened',
    );
    lab.check(
      'the breaker closed after the fault stopped',
      closedAgain !== undefined,
      closedAgain ? `closed at ${secs(closedAgain.t)}` : 'never closed',
    );
    return result;
  },
});
