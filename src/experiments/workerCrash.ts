import { defineExperiment, Lab } from './Lab.js';

/** A worker dies holding its signal: the pool restarts it, the lease runs out, the signal is redelivered. */
export const workerCrashExperiment = defineExperiment({
  name: 'worker-crash',
  summary: 'crash fast-pool workers under load: restarts, redelivered signals, signals lost (must be 0)',
  params: {
    rate: { default: 40, short: 40, doc: 'requests per second (fast-lane "execute" signals)' },
    workMs: { default: 100, short: 50, doc: 'work per signal (payload work_ms), so workers hold signals' },
    baselineMs: { default: 10_000, short: 1000, doc: 'load before the first crash' },
    crashes: { default: 3, short: 2, doc: 'workers to crash' },
    crashEveryMs: { default: 3000, short: 300, doc: 'time between crashes' },
    afterMs: { default: 10_000, short: 1000, doc: 'load after the last crash' },
    settleTimeoutMs: {
      default: 60_000,
      short: 8000,
      doc: 'longest wait for the lanes to empty (> LEASE_MS)',
    },
  },
  async run(context, p) {
    const lab = new Lab('worker-crash', context, p);
    const { observer } = lab;
    await lab.begin({
      rate: () => p.rate,
      body: (_i, id) => ({ id, signal_type: 'execute', payload: { work_ms: p.workMs } }),
    });
    lab.phase(`baseline: ${p.rate} req/s, ${p.workMs} ms of work each`);
    await lab.hold(p.baselineMs);
    const restartsBefore = observer.samples.at(-1)?.pools.fast?.restarts ?? 0;
    const held: string[] = [];
    for (let n = 0; n < p.crashes; n++) {
      const answer = (await lab.fault(
        `crash a worker of the fast pool (${n + 1}/${p.crashes})`,
        '/chaos/crash-worker',
        { pool: 'fast' },
      )) as {
        crashed?: { held_signal: string | null };
      };
      if (answer.crashed?.held_signal) held.push(answer.crashed.held_signal);
      await lab.hold(p.crashEveryMs);
    }
    await lab.hold(p.afterMs);
    const result = await lab.finish(p.settleTimeoutMs);
    const restarts = (observer.samples.at(-1)?.pools.fast?.restarts ?? 0) - restartsBefore;
    const redelivered = held.filter(
      (id) => (lab.record(id)?.attempts ?? 0) > 1 && lab.record(id)?.status === 'completed',
    );
    const lost = result.accounting.missing + result.accounting.unsettled;
    lab.figure('workers crashed', p.crashes);
    lab.figure('crashed holding a signal', held.length);
    lab.figure('pool restarts seen in /status', restarts);
    lab.figure('held signals redelivered and completed', redelivered.length);
    lab.figure('signals lost', lost);
    result.figures = lab.figures;
    lab.check(
      'the pool restarted every crashed worker',
      restarts >= p.crashes,
      `${restarts} restarts for ${p.crashes} crashes`,
    );
    lab.check(
      'every held signal was redelivered',
      redelivered.length === held.length,
      `${redelivered.length} of ${held.length}`,
    );
    lab.check('signals lost = 0', lost === 0, `${lost} lost`);
    return result;
  },
});
