import { LANES } from '../domain/signal.js';
import type { QueueAvailability } from '../queue/WorkQueue.js';
import type { Breaker, Line } from '../tps/jidoka/index.js';

export interface IntakeChecksInput {
  draining: boolean;
  availability: QueueAvailability;
  queueBreaker: Breaker;
  line: Line;
  now: number;
}

/**
 * What `/health` checks in the API process: each answers "ok" or why intake cannot take signals now. A check
 * fails only when intake refuses every signal (one lane's cord or breaker shows on the andon, not here): the
 * queue backend down, the queue breaker open, the whole line stopped, or the system shutting down.
 */
export function intakeChecks({
  draining,
  availability,
  queueBreaker,
  line,
  now,
}: IntakeChecksInput): Record<string, string> {
  return {
    intake: draining ? 'draining: the system is shutting down' : 'ok',
    queue: availability.available ? 'ok' : `unavailable: ${availability.cause ?? 'unknown'}`,
    queue_breaker: queueBreakerCheck(queueBreaker, now),
    line: lineCheck(line),
  };
}

/** Open and not yet due a probe: intake answers 503 QUEUE_UNAVAILABLE without trying the backend. */
function queueBreakerCheck(breaker: Breaker, now: number): string {
  if (breaker.state !== 'open' || breaker.probeDue()) return 'ok';
  const snapshot = breaker.snapshot();
  const seconds = Math.max(0, Math.ceil(((snapshot.nextProbeAt ?? now) - now) / 1000));
  const last = snapshot.lastFailure === undefined ? '' : `: ${snapshot.lastFailure}`;
  return `breaker ${breaker.name} is open, refusing intake for ${seconds} s more${last}`;
}

/** Every lane stopped (the whole line's cord, or each lane's cord or breaker): nothing can be accepted. */
function lineCheck(line: Line): string {
  const causes = new Set<string>();
  for (const lane of LANES) {
    const admission = line.intake(lane);
    if (admission.ok) return 'ok';
    causes.add(admission.cause);
  }
  return `stopped: ${[...causes].join('; ')}`;
}
