import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SystemStatus } from '../../src/domain/status.js';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';

type Pools = SystemStatus['pools'];

describe('Heijunka’s rebalancing: the two pools share WORKER_BUDGET workers', () => {
  const BUDGET = 10;
  let t: TestSystem;
  let largestTotal = 0;
  const pools = async (): Promise<Pools> => {
    const status = (await t.get<SystemStatus>('/status')).body;
    largestTotal = Math.max(
      largestTotal,
      status.pools.reduce((sum, pool) => sum + pool.size, 0),
    );
    return status.pools;
  };
  const pool = (all: Pools, lane: string) => all.find((candidate) => candidate.pool === lane)!;
  const flood = (type: string, count: number) =>
    Promise.all(
      Array.from({ length: count }, () => t.send({ signal_type: type, payload: { work_ms: 300 } })),
    );

  before(async () => {
    t = await startTestSystem({
      workerCount: 2,
      poolMin: 2,
      poolMax: 8,
      workerBudget: BUDGET,
      autoscaleIntervalMs: 50,
      scaleCooldownMs: 0,
      scaleUpBacklogPerWorker: 1,
      scaleStep: 2,
      scaleIdleMs: 60_000,
    });
  });
  after(() => t.close());

  it('lets a flooded lane borrow what the idle lane is not using, up to its max, within the budget', async () => {
    const answers = await flood('report', 60);
    assert.ok(answers.every((answer) => answer.status === 202));
    const grown = await waitFor(
      async () => {
        const all = await pools();
        return pool(all, 'slow').size === 8 ? all : undefined;
      },
      { message: 'the slow pool at its max of 8' },
    );
    assert.equal(pool(grown, 'fast').size, 2, 'the idle fast pool keeps its min');
    assert.ok(pool(grown, 'fast').ceiling <= BUDGET - 8);
  });

  it('gives capacity back when the other lane’s work arrives, and never exceeds the budget', async () => {
    const answers = await flood('execute', 60);
    assert.ok(answers.every((answer) => answer.status === 202));
    const shared = await waitFor(
      async () => {
        const all = await pools();
        return pool(all, 'fast').size >= 4 && pool(all, 'slow').size < 8 ? all : undefined;
      },
      { message: 'the fast pool grown and the slow pool shrunk' },
    );
    assert.ok(pool(shared, 'slow').ceiling < 8, 'the slow pool’s ceiling came down');
    assert.match(pool(shared, 'slow').last_scale?.reason ?? '', /shared budget/);
    assert.ok(largestTotal <= BUDGET, `at most ${BUDGET} workers at once, saw ${largestTotal}`);
  });
});

describe('WORKER_BUDGET validation', () => {
  it('refuses a budget below the pools’ starting sizes, naming the variable', async () => {
    await assert.rejects(
      startTestSystem({ workerCount: 4, workerBudget: 6 }),
      /WORKER_BUDGET \(6\) is below/,
    );
  });
});
