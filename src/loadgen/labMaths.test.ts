import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeStep, predictCapacity } from './capacity.js';
import { compareReports } from './compare.js';
import type { LoadReport } from './LoadReport.js';
import { mixBody, mixShares, signalTypeOf } from './mix.js';
import { parseRamp, rampDurationMs, rampRate, rampSteps, stressSteps } from './ramp.js';

const FAST = new Set(['execute', 'validate', 'notify']);

function report(overrides: Partial<LoadReport> & { p99?: number } = {}): LoadReport {
  const { p99 = 10, ...rest } = overrides;
  return {
    sent: 1000,
    accepted: 1000,
    rejected: { '429': 0, '503': 0, '4xx': 0, '5xx': 0, errors: 0 },
    latencyMs: { p50: 2, p90: 5, p99, p999: p99, max: p99, mean: 3 },
    targetRate: 100,
    achievedRate: 100,
    durationMs: 10_000,
    planned: 1000,
    maxSendLagMs: 0,
    errorKinds: {},
    aborted: false,
    ...rest,
  };
}

describe('the signal mix', () => {
  it('holds its shares in every ten requests and uses every type of each lane', () => {
    for (const [mix, fast] of [
      ['fast-heavy', 8],
      ['even', 5],
      ['slow-heavy', 2],
    ] as const) {
      const types = Array.from({ length: 30 }, (_, i) => signalTypeOf(mix, i));
      for (let block = 0; block < 3; block++) {
        const ten = types.slice(block * 10, block * 10 + 10);
        assert.equal(ten.filter((type) => FAST.has(type)).length, fast, `${mix} block ${block}`);
      }
      assert.equal(new Set(types).size, 6, `${mix} uses all six types`);
      assert.equal(mixShares(mix).fast, fast / 10);
    }
  });

  it('makes signal bodies the API takes', () => {
    const body = JSON.parse(mixBody('fast-heavy', 'run1')(3)) as { signal_type: string; payload: object };
    assert.equal(body.signal_type, signalTypeOf('fast-heavy', 3));
    assert.deepEqual(body.payload, { task: 'load', run: 'run1', i: 3 });
  });
});

describe('ramp schedules', () => {
  it('parses FROM:TO:STEP/INTERVAL with units', () => {
    assert.deepEqual(parseRamp('100:500:50/30s'), { from: 100, to: 500, step: 50, intervalMs: 30_000 });
    assert.equal(parseRamp('10:20:5/250ms').intervalMs, 250);
    assert.equal(parseRamp('10:20:5/2m').intervalMs, 120_000);
    assert.equal(parseRamp('10:20:5/3').intervalMs, 3000);
  });

  it('refuses malformed ramps', () => {
    for (const bad of ['100:500', '100:500:50', 'a:b:c/d', '0:10:1/1s', '10:20:0/1s', '10:20:5/50ms', '']) {
      assert.throws(() => parseRamp(bad), RangeError, bad);
    }
  });

  it('steps up (or down) to the end rate, one interval each', () => {
    const ramp = parseRamp('100:220:50/10s');
    assert.deepEqual(rampSteps(ramp), [100, 150, 200, 220]);
    assert.equal(rampDurationMs(ramp), 40_000);
    const rate = rampRate(ramp);
    assert.deepEqual([0, 9_999, 10_000, 35_000, 99_000].map(rate), [100, 100, 150, 220, 220]);
    assert.deepEqual(rampSteps(parseRamp('300:100:100/1s')), [300, 200, 100]);
  });

  it('bounds stress steps by the max rate and the total time', () => {
    assert.deepEqual(
      stressSteps({ from: 100, step: 50, everyMs: 30_000, maxRate: 260, maxTotalMs: 1e9 }),
      [100, 150, 200, 250, 260],
    );
    assert.deepEqual(
      stressSteps({ from: 100, step: 50, everyMs: 30_000, maxRate: 5000, maxTotalMs: 90_000 }),
      [100, 150, 200],
    );
  });
});

describe('compare', () => {
  it('computes deltas, relative change and verdicts', () => {
    const before = report({
      p99: 100,
      accepted: 900,
      rejected: { '429': 100, '503': 0, '4xx': 0, '5xx': 0, errors: 0 },
    });
    const after = report({ p99: 50 });
    const rows = Object.fromEntries(compareReports(before, after).map((row) => [row.metric, row]));
    assert.equal(rows['latency p99']!.delta, -50);
    assert.equal(rows['latency p99']!.change, -0.5);
    assert.equal(rows['latency p99']!.verdict, 'better');
    assert.equal(rows.accepted!.before, 90);
    assert.equal(rows.accepted!.after, 100);
    assert.equal(rows.accepted!.verdict, 'better');
    assert.equal(rows['rejected 429']!.delta, -10);
    assert.equal(rows['rejected 503']!.verdict, 'same');
    assert.equal(rows['rejected 503']!.change, undefined);
    assert.equal(rows.sent!.verdict, '');
    const worse = Object.fromEntries(compareReports(after, before).map((row) => [row.metric, row]));
    assert.equal(worse['latency p99']!.verdict, 'worse');
    assert.equal(worse['latency p99']!.change, 1);
  });
});

describe('the break condition', () => {
  it('holds within the SLO and with at most 1 % rejected', () => {
    const verdict = judgeStep(
      report({ p99: 199, accepted: 990, rejected: { '429': 10, '503': 0, '4xx': 0, '5xx': 0, errors: 0 } }),
    );
    assert.equal(verdict.held, true);
    assert.equal(verdict.kind, undefined);
  });

  it('breaks on p99 over the SLO: slow when nothing was refused', () => {
    const verdict = judgeStep(report({ p99: 201 }), { sloMs: 200, maxRejectedShare: 0.01 });
    assert.equal(verdict.held, false);
    assert.equal(verdict.kind, 'slow');
    assert.match(verdict.reasons[0]!, /p99 201 ms over the 200 ms SLO/);
  });

  it('breaks gracefully on 429/503 over 1 %, badly on timeouts', () => {
    const shed = judgeStep(
      report({ accepted: 980, rejected: { '429': 15, '503': 5, '4xx': 0, '5xx': 0, errors: 0 } }),
    );
    assert.equal(shed.held, false);
    assert.equal(shed.kind, 'graceful');
    assert.equal(shed.rejectedShare, 0.02);
    const timeouts = judgeStep(
      report({ accepted: 950, rejected: { '429': 10, '503': 0, '4xx': 0, '5xx': 0, errors: 40 } }),
    );
    assert.equal(timeouts.kind, 'errors');
  });
});

describe("Little's law", () => {
  const view = (count: number, mean: number) => ({
    count,
    p50: mean,
    p90: mean,
    p99: mean,
    p999: mean,
    max: mean,
    mean,
  });
  it('predicts workers / mean service time per lane, and the rate the mix saturates at', () => {
    const predicted = predictCapacity(
      {
        pools: (['fast', 'slow'] as const).map((pool) => ({
          pool,
          size: 10,
          busy: 0,
          min: 10,
          max: 40,
          ceiling: 40,
          restarts: 0,
          scale_ups: 0,
          scale_downs: 0,
        })),
        percentiles_ms: {
          intake: view(0, 0),
          queue_wait: { fast: view(0, 0), slow: view(0, 0) },
          processing: { fast: view(100, 10), slow: view(0, 0) },
          lead_time: { fast: view(100, 20), slow: view(10, 400) },
        },
      },
      { fast: 0.8, slow: 0.2 },
    );
    assert.deepEqual(
      predicted.lanes.map(({ lane, workers, perSecond, source }) => ({ lane, workers, perSecond, source })),
      [
        { lane: 'fast', workers: 40, perSecond: 4000, source: 'processing' },
        { lane: 'slow', workers: 40, perSecond: 100, source: 'lead_time' },
      ],
    );
    assert.equal(predicted.mixRate, 500);
  });
});
