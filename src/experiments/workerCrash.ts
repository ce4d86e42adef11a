import { defineExperiment, Lab } from './Lab.js';

/**
 * A worker dies holding its signal: the pool restarts it, the lease runs out, the signal is redelivered. Against
 * `tps run-local` the worker is a process, killed -9 and started again by run-local.
 */
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
    // Embedded: a worker of the pool dies. Distributed (tps run-local): the fast worker process is killed -9,
    // every signal it held is abandoned, and run-local starts the process again.
    const distributed = observer.last?.mode === 'distributed';
    const held: string[] = [];
    let lastCrashAt = -Infinity;
    for (let n = 0; n < p.crashes; n++) {
      // A killed worker process takes a moment to come back (and /status a poll to see it gone): crash the
      // next one only once /status shows it back.
      const seenAfter = distributed ? lastCrashAt + 1000 : -Infinity;
      await observer.waitFor((s) => s.t > seenAfter && (s.pools.fast?.size ?? 0) > 0, p.settleTimeoutMs);
      lastCrashAt = lab.now();
      const answer = (await lab.fault(
        `crash a worker of the fast pool (${n + 1}/${p.crashes})`,
        '/chaos/crash-worker',
        { pool: 'fast' },
      )) as {
        crashed?: { held_signal: string | null; held_signals?: string[] };
      };
      held.push(...(answer.crashed?.held_signals ?? []));
      await lab.hold(p.crashEveryMs);
    }
    await lab.hold(p.afterMs);
    const result = await lab.finish(p.settleTimeoutMs);
    const restarts = (observer.samples.at(-1)?.pools.fast?.restarts ?? 0) - restartsBefore;
    const redelivered = held.filter(
      (id) => (lab.record(id)?.attempts ?? 0) > 1 && lab.record(id)?.status === 'completed',
    );
    const heldCompleted = held.filter((id) => lab.record(id)?.status === 'completed');
    const lost = result.accounting.missing + result.accounting.unsettled;
    lab.figure('workers crashed', `${p.crashes}${distributed ? ' (kill -9 of the worker process)' : ''}`);
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
    if (distributed) {
      // A process killed between writing "completed" and its ack leaves a signal that is redelivered only to be
      // acked (effects once per id): it ends completed after one attempt. So: every held signal completed, and
      // the redeliveries show in the attempts.
      lab.check(
        'every held signal completed, redelivered after the kill',
        heldCompleted.length === held.length && (held.length === 0 || redelivered.length > 0),
        `${heldCompleted.length} of ${held.length} completed, ${redelivered.length} on a second delivery`,
      );
    } else {
      lab.check(
        'every held signal was redelivered',
        redelivered.length === held.length,
        `${redelivered.length} of ${held.length}`,
      );
    }
    lab.check('signals lost = 0', lost === 0, `${lost} lost`);
    return result;
  },
});
