import { ConsecutiveBreaker, type IBreaker } from 'cockatiel';

/**
 * - `counting`: closed; opens after `threshold` consecutive failures (cockatiel's `ConsecutiveBreaker`).
 * - `open`: the circuit is open; calls that started before it opened may still answer.
 * - `probing`: from the first probe call until `probes` probe calls have succeeded in a row.
 */
export type ProbationPhase = 'counting' | 'open' | 'probing';

export interface ProbationState {
  phase: ProbationPhase;
  consecutiveFailures: number;
  probesRemaining: number;
}

/**
 * A cockatiel breaker strategy that needs `probes` successful probe calls to close, not one.
 *
 * Cockatiel closes its circuit after a single successful half-open call. This strategy keeps the
 * breaker on probation after that: the next `probes - 1` calls are probes too, and the first of them
 * to fail opens the circuit again at once. Outside probation it behaves as `ConsecutiveBreaker`.
 * The owner calls `beginProbing()` when cockatiel lets the first probe through (its `onHalfOpen`).
 */
export class ProbationBreaker implements IBreaker {
  private readonly counting: ConsecutiveBreaker;
  private phase: ProbationPhase = 'counting';
  private probesRemaining = 0;
  totalSuccesses = 0;
  totalFailures = 0;

  constructor(
    threshold: number,
    private readonly probes: number,
    private readonly onProbesPassed: () => void,
  ) {
    this.counting = new ConsecutiveBreaker(threshold);
  }

  get state(): ProbationState {
    return {
      phase: this.phase,
      consecutiveFailures: this.counting.state,
      probesRemaining: this.probesRemaining,
    };
  }

  set state(value: ProbationState) {
    this.phase = value.phase;
    this.counting.state = value.consecutiveFailures;
    this.probesRemaining = value.probesRemaining;
  }

  beginProbing(): void {
    this.phase = 'probing';
    this.probesRemaining = this.probes;
    this.counting.success();
  }

  success(): void {
    this.totalSuccesses++;
    if (this.phase === 'counting') {
      this.counting.success();
    } else if (this.phase === 'probing' && --this.probesRemaining === 0) {
      this.phase = 'counting';
      this.onProbesPassed();
    }
    // In `open`, a call that started before the break answered late: it says nothing about now.
  }

  failure(): boolean {
    this.totalFailures++;
    if (this.phase === 'probing' || (this.phase === 'counting' && this.counting.failure())) {
      this.phase = 'open';
      this.probesRemaining = 0;
      return true;
    }
    return false;
  }
}
