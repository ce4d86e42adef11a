import { percentile } from './LoadDriver.js';
import { defineExperiment, Lab, secs, STEADY_LOAD_PARAMS } from './Lab.js';

/**
 * The queue backend goes away under load (POST /chaos/queue-down): intake cannot publish, so it refuses with
 * 503 QUEUE_UNAVAILABLE (and a Retry-After) rather than accept what it could not keep; the queue breaker may
 * open so refusals come fast. After /chaos/queue-recover it accepts again, and nothing accepted is lost.
 * Against `tps run-local --own-nats` the outage is run-local's nats-server stopped; with nats+rabbitmq intake goes
 * on through RabbitMQ (the fallback) instead of refusing.
 */
export const queueOutageExperiment = defineExperiment({
  name: 'queue-outage',
  summary: 'take the queue backend down under load: what intake answers, recovery, signals lost (must be 0)',
  params: {
    ...STEADY_LOAD_PARAMS,
    baselineMs: { default: 10_000, short: 1000, doc: 'load before the outage' },
    outageMs: { default: 20_000, short: 1500, doc: 'how long the queue stays down' },
    recoveryTimeoutMs: {
      default: 90_000,
      short: 8000,
      doc: 'longest wait for the queue and breakers to recover',
    },
    tailMs: { default: 10_000, short: 1500, doc: 'load after the recovery' },
  },

  async run(context, p) {
    const lab = new Lab('queue-outage', context, p);
    const { observer } = lab;
    await lab.baseline(p.rate, p.baselineMs);

    // With a fallback backend (nats+rabbitmq) intake goes on through RabbitMQ while NATS is down.
    const withFallback = (observer.last?.queue.backend ?? '').includes('+');
    const downAt = lab.now();
    await lab.fault('fault on: POST /chaos/queue-down', '/chaos/queue-down');
    await lab.checkFaultVisible(downAt, 'queue_down');
    const unavailable = await observer.waitFor(
      (s) => s.t > downAt && (withFallback ? /fallback active/.test(s.queueCause ?? '') : !s.queueAvailable),
      // A broker process stopping is seen when the clients notice their connection closed.
      withFallback ? 10_000 : 5000,
    );
    await lab.hold(downAt + p.outageMs - lab.now());

    const upAt = lab.now();
    await lab.fault('fault off: POST /chaos/queue-recover', '/chaos/queue-recover');
    await lab.checkFaultGone(upAt);
    const recovered = await observer.waitFor(
      (s) => s.t > upAt && s.queueAvailable && Object.values(s.breakers).every((b) => b.state === 'closed'),
      p.recoveryTimeoutMs,
    );
    lab.phase(
      recovered
        ? 'queue available and every breaker closed'
        : `not recovered after ${secs(p.recoveryTimeoutMs)}`,
    );
    await lab.hold(p.tailMs);
    const result = await lab.finish(p.settleTimeoutMs);

    const requests = lab.load?.requests ?? [];
    const during = requests.filter((r) => r.intendedAt >= downAt && r.intendedAt < upAt);
    const byAnswer = new Map<string, number>();
    for (const r of during) {
      const key = `${r.status ?? 'none'}${r.code ? ` ${r.code}` : ''}`;
      byAnswer.set(key, (byAnswer.get(key) ?? 0) + 1);
    }
    const queueUnavailable = during.filter((r) => r.status === 503 && r.code === 'QUEUE_UNAVAILABLE');
    const firstRefusal = during.find((r) => r.status === 503);
    const firstAcceptedAfter = requests.find((r) => r.intendedAt >= upAt && r.status === 202);
    const queueOpened = observer.transition('queue', 'open', downAt);
    const lost = result.accounting.missing + result.accounting.unsettled;

    lab.figure('requests sent during the outage', during.length);
    lab.figure(
      'what intake answered during the outage',
      [...byAnswer.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([answer, n]) => `${n}× ${answer}`)
        .join(', ') || 'nothing',
    );
    lab.figure('503 QUEUE_UNAVAILABLE answers', queueUnavailable.length);
    lab.figure(
      '503 QUEUE_UNAVAILABLE latency p99 (fail fast)',
      percentile(
        queueUnavailable.map((r) => r.latencyMs ?? 0),
        99,
      ),
      'ms',
    );
    lab.figure('queue down → first 503', firstRefusal ? firstRefusal.intendedAt - downAt : null, 'ms');
    lab.figure('queue down → queue breaker open', queueOpened ? queueOpened.t - downAt : null, 'ms');
    lab.figure(
      'queue recover → first 202 again',
      firstAcceptedAfter ? firstAcceptedAfter.intendedAt - upAt : null,
      'ms',
    );
    lab.figure(
      'queue recover → queue available, breakers closed',
      recovered ? recovered.t - upAt : null,
      'ms',
    );
    lab.figure('signals lost', lost);
    const acceptedDuring = during.filter((r) => r.status === 202);
    if (withFallback) {
      lab.figure('accepted during the outage (on the fallback)', acceptedDuring.length);
      lab.check(
        '/status showed the fallback active',
        unavailable !== undefined,
        unavailable ? `${unavailable.queueCause ?? ''} at ${secs(unavailable.t)}` : 'never shown',
      );
      lab.check(
        'intake went on through the fallback during the outage',
        acceptedDuring.length > 0,
        `${acceptedDuring.length} of ${during.length} requests accepted`,
      );
    } else {
      lab.check(
        '/status showed the queue unavailable',
        unavailable !== undefined,
        unavailable ? `queue unavailable at ${secs(unavailable.t)}` : 'never shown unavailable',
      );
      lab.check(
        'intake refused with 503 QUEUE_UNAVAILABLE during the outage',
        queueUnavailable.length > 0,
        `${queueUnavailable.length} of ${during.length} requests`,
      );
    }
    lab.check(
      'intake accepted again after recovery',
      firstAcceptedAfter !== undefined,
      firstAcceptedAfter
        ? `first 202 for a request sent at ${secs(firstAcceptedAfter.intendedAt)}`
        : 'no 202',
    );
    lab.check('signals lost = 0', lost === 0, `${lost} lost`);
    result.figures = lab.figures;
    return result;
  },
});
