/** What the embedded system's drain says when it ends: signals finished during it, and signals left (lost). */
import type { Metrics } from '../telemetry/metrics.js';
import type { Logger } from '../telemetry/logger.js';

export interface OutcomeTotals {
  accepted: number;
  /** Done with for good: completed, failed (dead-lettered) or expired. */
  finished: number;
  completed: number;
}

/** Signals accepted and signals done with (completed, failed for good, expired), over the process's life. */
export async function outcomeTotals(metrics: Metrics): Promise<OutcomeTotals> {
  const sum = (values: Array<{ value: number; labels: Record<string, unknown> }>, outcomes?: string[]) =>
    values
      .filter((sample) => !outcomes || outcomes.includes(String(sample.labels.outcome)))
      .reduce((total, sample) => total + sample.value, 0);
  const [accepted, processed] = await Promise.all([
    metrics.signalsAccepted.get(),
    metrics.signalsProcessed.get(),
  ]);
  return {
    accepted: sum(accepted.values),
    finished: sum(processed.values, ['completed', 'failed', 'expired']),
    completed: sum(processed.values, ['completed']),
  };
}

/**
 * One line for the end of the drain: how many signals finished during it and how many were left. In the memory
 * backend what is left is lost with the process, so the line says so, at warn.
 */
export function logDrained(
  logger: Logger,
  drain: {
    before: OutcomeTotals;
    after: OutcomeTotals;
    left: number;
    graceMs: number;
    tookMs: number;
  },
): void {
  const { before, after, left, graceMs, tookMs } = drain;
  const fields = {
    finished: after.finished - before.finished,
    left,
    lost: left,
    grace_ms: graceMs,
    drain_ms: Math.round(tookMs),
    accepted_total: after.accepted,
    completed_total: after.completed,
  };
  const finished = `drained: ${fields.finished} signal${fields.finished === 1 ? '' : 's'} finished in ${fields.drain_ms} ms`;
  if (left === 0) logger.info(fields, `${finished}, none left`);
  else {
    logger.warn(
      fields,
      `${finished}, ${left} left and lost: the memory queue does not outlive the process ` +
        `(SHUTDOWN_TIMEOUT_MS=${graceMs} ran out)`,
    );
  }
}
