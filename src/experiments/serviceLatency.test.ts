import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latencyBetween, parseServiceLatency, slowedDown } from './serviceLatency.js';

/** An exposition as prom-client writes it: ok and failed calls of one service are separate series. */
const exposition = (okCount: number, slowCount: number, slowSum: number) => `
# HELP downstream_latency_seconds Latency of calls to downstream services, as the caller saw it
# TYPE downstream_latency_seconds histogram
downstream_latency_seconds_bucket{le="0.01",service="service-a",outcome="ok"} ${okCount}
downstream_latency_seconds_bucket{le="0.1",service="service-a",outcome="ok"} ${okCount}
downstream_latency_seconds_bucket{le="0.25",service="service-a",outcome="ok"} ${okCount}
downstream_latency_seconds_bucket{le="+Inf",service="service-a",outcome="ok"} ${okCount}
downstream_latency_seconds_sum{service="service-a",outcome="ok"} ${okCount * 0.005}
downstream_latency_seconds_count{service="service-a",outcome="ok"} ${okCount}
downstream_latency_seconds_bucket{le="0.01",service="service-a",outcome="no_answer"} 0
downstream_latency_seconds_bucket{le="0.1",service="service-a",outcome="no_answer"} 0
downstream_latency_seconds_bucket{le="0.25",service="service-a",outcome="no_answer"} ${slowCount}
downstream_latency_seconds_bucket{le="+Inf",service="service-a",outcome="no_answer"} ${slowCount}
downstream_latency_seconds_sum{service="service-a",outcome="no_answer"} ${slowSum}
downstream_latency_seconds_count{service="service-a",outcome="no_answer"} ${slowCount}
api_latency_seconds_count{method="GET",route="/status"} 9
`;

describe('serviceLatency', () => {
  it('sums the outcomes of a service and ignores other metrics', () => {
    const scrape = parseServiceLatency(exposition(10, 2, 0.4));
    assert.deepEqual([...scrape.keys()], ['service-a']);
    const a = scrape.get('service-a');
    assert.equal(a?.count, 12);
    assert.ok(Math.abs((a?.sum ?? 0) - 0.45) < 1e-9);
    assert.equal(a?.buckets.get(0.25), 12);
    assert.equal(a?.buckets.get(Number.POSITIVE_INFINITY), 12);
  });

  it('gives the mean and the p90 of the calls between two scrapes', () => {
    const start = parseServiceLatency(exposition(10, 0, 0));
    const baseline = parseServiceLatency(exposition(30, 0, 0));
    // During: 10 more fast calls, 10 that took 200 ms each (in the 0.1–0.25 s bucket).
    const fault = parseServiceLatency(exposition(40, 10, 2));
    const before = latencyBetween(start, baseline, 'service-a');
    assert.equal(before.calls, 20);
    assert.ok(Math.abs((before.meanMs ?? 0) - 5) < 1e-9);
    assert.ok(Math.abs((before.p90Ms ?? 0) - 9) < 1e-9); // 90 % of the way through the 0–10 ms bucket
    const during = latencyBetween(baseline, fault, 'service-a');
    assert.equal(during.calls, 20);
    assert.ok(Math.abs((during.meanMs ?? 0) - 102.5) < 1e-9);
    // Rank 18 of 20: the 8th of the 10 calls in 100–250 ms.
    assert.ok(Math.abs((during.p90Ms ?? 0) - 220) < 1e-9);
    assert.equal(slowedDown(before, during), true);
    assert.equal(slowedDown(before, before), false);
  });

  it('calls a rise of half the mean before and 10 ms a slowdown, as a busy machine measures a timed-out fault', () => {
    const window = (meanMs: number) => ({ calls: 10, meanMs, p90Ms: meanMs });
    assert.equal(slowedDown(window(95), window(180)), true);
    assert.equal(slowedDown(window(95), window(140)), false);
    assert.equal(slowedDown(window(2), window(11)), false, 'less than 10 ms more');
    assert.equal(slowedDown(window(2), window(12)), true);
  });

  it('has no figures for a service without calls in the window', () => {
    const scrape = parseServiceLatency(exposition(5, 0, 0));
    assert.deepEqual(latencyBetween(scrape, scrape, 'service-a'), { calls: 0, meanMs: null, p90Ms: null });
    assert.deepEqual(latencyBetween(scrape, scrape, 'service-z'), { calls: 0, meanMs: null, p90Ms: null });
    assert.equal(
      slowedDown({ calls: 0, meanMs: null, p90Ms: null }, { calls: 3, meanMs: 9, p90Ms: 9 }),
      null,
    );
  });
});
