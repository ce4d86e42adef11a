import { percentile } from './LoadDriver.js';
import { defineExperiment, Lab, secs, STEADY_LOAD_PARAMS } from './Lab.js';

const BREAKER = 'lane:fast';
/** How far past the system's slow-call limit an automatic `latencyMs` lands, so each call counts as a failure. */
const PAST_SLOW_CALL_MS = 250;

/** A number setting from /info's config, or `fallback` when it is not shown. */
const setting = (config: Record<string, unknown>, name: string, fallback: number): number =>
  typeof config[name] === 'number' ? config[name] : fallback;

/** Exercise 3: a hanging downstream trips the fast lane's breaker; intake fails fast; probes close it again. */
export const circuitBreakerExperiment = defineExperiment({
  name: 'circuit-breaker',
  summary: 'slow service-c until the lane breaker opens: time to open, fail-fast 503s, half-open, closed',
  params: {
    ...STEADY_LOAD_PARAMS,
    baselineMs: { default: 10_000, short: 1500, doc: 'load before the fault' },
    faultMs: { default: 40_000, short: 2000, doc: 'how long the fault stays' },
    latencyMs: {
      default: 5000,
      short: 0,
      doc: `latency injected into service-c; 0: ${PAST_SLOW_CALL_MS} ms past the system's SLOW_CALL_MS or DOWNSTREAM_TIMEOUT_MS (from /info)`,
    },
    openTimeoutMs: {
      default: 60_000,
      short: 20_000,
      doc: 'longest the fault stays on while the breaker has not opened (faultMs at least)',
    },
    errorRate: { default: 0, short: 0, doc: 'error rate injected into service-c (0..1)' },
    tailMs: { default: 5000, short: 1000, doc: 'load after recovery' },
  },

  async run(context, p) {
    const lab = new Lab('circuit-breaker', context, p);
    const { observer } = lab;
    // The system's own limits decide how slow a call must be to count, and how long the breaker stays open.
    const config = await lab.client.settings();
    const slowCallMs = Math.min(
      setting(config, 'SLOW_CALL_MS', 1500),
      setting(config, 'DOWNSTREAM_TIMEOUT_MS', 2000),
    );
    const resetMs = setting(config, 'CIRCUIT_BREAKER_RESET_MS', 30_000);
    const latencyMs = p.latencyMs > 0 ? p.latencyMs : slowCallMs + PAST_SLOW_CALL_MS;
    await lab.baseline(p.rate, p.baselineMs);

    const failuresBefore = observer.samples.at(-1)?.breakers[BREAKER]?.totalFailures ?? 0;
    const faultAt = lab.now();
    await lab.fault(
      `fault on: service-c +${latencyMs} ms, ${p.errorRate * 100} % errors`,
      '/chaos/downstream',
      { target: 'service-c', latency_ms: latencyMs, error_rate: p.errorRate },
    );
    const visible = await observer.waitFor((s) => s.t > faultAt && s.chaos.length > 0, 2000);
    lab.check(
      'fault visible in /status while active',
      visible !== undefined,
      visible ? `chaos: ${visible.chaos.join(', ')}` : 'not seen',
    );
    // The fault stays until the breaker has opened (CIRCUIT_BREAKER_THRESHOLD slow calls in a row, each taking
    // latencyMs), within openTimeoutMs, and for faultMs at least.
    const openBy = faultAt + Math.max(p.faultMs, p.openTimeoutMs);
    const firstFailure = await observer.waitFor(
      (s) => (s.breakers[BREAKER]?.totalFailures ?? 0) > failuresBefore,
      Math.max(0, openBy - lab.now()),
    );
    await observer.waitFor((s) => s.breakers[BREAKER]?.state !== 'closed', Math.max(0, openBy - lab.now()));
    await lab.hold(faultAt + p.faultMs - lab.now());

    const stopAt = lab.now();
    await lab.fault('fault off: DELETE /chaos', '/chaos', undefined, 'DELETE');
    const gone = await observer.waitFor((s) => s.t > stopAt && s.chaos.length === 0, 2000);
    lab.check('fault gone from /status after stop', gone !== undefined, gone ? 'chaos: none' : 'still shown');
    // An open breaker probes only after CIRCUIT_BREAKER_RESET_MS: the wait covers that too.
    const recoveryWaitMs = p.recoveryTimeoutMs + resetMs;
    lab.phase(`waiting for every breaker to close (probes after ${secs(resetMs)}, CIRCUIT_BREAKER_RESET_MS)`);
    // Breakers already open when the run began (another lane's, left by earlier traffic) may have no work to
    // probe with: the run waits for the ones it found closed, and its own.
    const closedAtStart = Object.entries(observer.samples[0]?.breakers ?? {})
      .filter(([, breaker]) => breaker.state === 'closed')
      .map(([name]) => name);
    const closed = await observer.waitFor(
      (s) =>
        s.t > stopAt &&
        [BREAKER, ...closedAtStart].every((name) => (s.breakers[name]?.state ?? 'closed') === 'closed'),
      recoveryWaitMs,
    );
    lab.phase(
      closed
        ? 'every breaker closed again (those open before the run aside)'
        : `breakers not all closed after ${secs(recoveryWaitMs)}`,
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
    fig('latency injected into service-c', latencyMs);
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
    // A running total in /status: the run counts only its own.
    const opensAt = (sample: (typeof observer.samples)[number] | undefined) =>
      sample?.breakers[BREAKER]?.opens ?? 0;
    fig('times the breaker opened', opensAt(observer.samples.at(-1)) - opensAt(observer.samples[0]), '');
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
