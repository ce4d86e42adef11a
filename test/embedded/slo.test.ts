import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SloView } from '../../src/domain/status.js';
import { metricSample } from '../support/metrics.js';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';

const slosOf = async (t: TestSystem) => (await t.get<{ slos: SloView[] }>('/status')).body.slos;
const slo = async (t: TestSystem, name: string) => {
  const found = (await slosOf(t)).find((s) => s.name === name);
  assert.ok(found, `SLO ${name} in /status`);
  return found;
};
const near = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

describe('Kaizen: SLOs and error budgets over HTTP', () => {
  let t: TestSystem;
  before(async () => {
    // A slow-lane signal asking for 600 ms of work misses a 500 ms lead-time objective, and one asking for none
    // meets it with room for a busy machine; fast ones meet 1 s.
    t = await startTestSystem({ sloSlowLeadMs: 500, sloSlowTarget: 0.9, sloAvailabilityTarget: 0.99 });
  });
  after(() => t.close());

  it('lists the three SLOs of the configuration with a whole budget before any traffic', async () => {
    const slos = await slosOf(t);
    assert.deepEqual(
      slos.map((s) => [s.name, s.target]),
      [
        ['intake-availability', 0.99],
        ['fast-lead-time', 0.99],
        ['slow-lead-time', 0.9],
      ],
    );
    for (const s of slos) {
      assert.equal(s.sli, null);
      assert.equal(s.error_budget_remaining, 1);
      assert.deepEqual(s.burn_rates, { '5m': 0, '1h': 0, '6h': 0 });
      assert.match(s.objective, /\S/);
    }
  });

  it('counts 2xx intake answers good and 5xx bad, and leaves 4xx out', async () => {
    for (let i = 0; i < 9; i++)
      assert.equal((await t.send({ signal_type: 'execute', payload: {} })).status, 202);
    assert.equal((await t.send({ signal_type: 'nonsense', payload: {} })).status, 400);
    await t.post('/andon/pull', { lane: 'fast', reason: 'SLO test' });
    assert.equal((await t.send({ signal_type: 'execute', payload: {} })).status, 503);
    await t.post('/andon/reset', { lane: 'fast' });

    const availability = await slo(t, 'intake-availability');
    assert.deepEqual(availability.events, { good: 9, total: 10 });
    near(availability.sli!, 0.9);
    // 10 % errors against the 1 % allowed: burning ten times too fast, the budget overspent nine times over.
    near(availability.burn_rates['5m'], 10);
    near(availability.burn_rates['6h'], 10);
    near(availability.error_budget_remaining, -9);
  });

  it('counts completed signals within the lane lead-time objective good, slower ones bad', async () => {
    const fast = await waitFor(
      async () => {
        const s = await slo(t, 'fast-lead-time');
        return s.events.total >= 9 ? s : undefined;
      },
      { message: 'nine fast signals completed' },
    );
    assert.deepEqual(fast.events, { good: 9, total: 9 });
    assert.equal(fast.error_budget_remaining, 1);

    const ids = await Promise.all(
      [0, 600, 0, 0].map(async (workMs) => {
        const answer = await t.send({ signal_type: 'report', payload: { work_ms: workMs } });
        assert.equal(answer.status, 202);
        return String(answer.body.id);
      }),
    );
    for (const id of ids) await t.waitForStatus(id, 'completed');
    const slow = await waitFor(
      async () => {
        const s = await slo(t, 'slow-lead-time');
        return s.events.total >= 4 ? s : undefined;
      },
      { message: 'four slow signals counted' },
    );
    assert.ok(slow.events.good <= 3 && slow.events.good >= 1, `good ${slow.events.good} of 4`);
    assert.ok(slow.burn_rates['5m'] >= 2.5, 'at least one of four late against 10 % allowed');
  });

  it('exports the budgets and burn rates of /status as slo_* metrics', async () => {
    const slos = await slosOf(t);
    const text = (await t.get<string>('/metrics')).body;
    const sample = (name: string, labels: Record<string, string>) => {
      const value = metricSample(text, name, labels);
      const shown = Object.entries(labels).map(([key, v]) => `${key}="${v}"`);
      assert.ok(value !== undefined, `${name}{${shown.join(',')}} is exported`);
      return value;
    };
    assert.equal(slos.length, 3);
    for (const s of slos) {
      near(sample('slo_error_budget_remaining', { slo: s.name }), s.error_budget_remaining);
      for (const window of ['5m', '1h', '6h'] as const)
        near(sample('slo_burn_rate', { slo: s.name, window }), s.burn_rates[window]);
    }
    assert.ok(sample('slo_error_budget_remaining', { slo: 'intake-availability' }) < 0, 'overspent');
  });
});
