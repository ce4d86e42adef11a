import { setMaxListeners } from 'node:events';
import {
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  timeout,
  TimeoutStrategy,
  wrap,
  type FailureReason,
} from 'cockatiel';
import { EventEmitter, type Event } from '../../domain/disposable.js';
import { systemClock, type Clock } from '../clock.js';
import { BreakerOpenError } from './BreakerOpenError.js';
import { describeFailure } from './describeFailure.js';
import { isTimeoutError } from './isTimeoutError.js';
import { isTrippingFailure } from './isTrippingFailure.js';
import { ProbationBreaker } from './ProbationBreaker.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  name: string;
  /** Consecutive failing calls that open the breaker. */
  threshold: number;
  /** How long the breaker stays open before it lets a probe call through. */
  resetMs: number;
  /** Consecutive successful probe calls needed to close it again. */
  halfOpenProbes: number;
  /** Time limit of a probe call (any call while the breaker is not closed). */
  probeTimeoutMs: number;
  /**
   * Time limit of a call while the breaker is closed. Leave it out for a dependency whose client keeps its
   * own time limits (a queue backend's publish): then no timer is spent per call, probes included.
   */
  callTimeoutMs?: number;
  /** A call that succeeds but takes longer than this counts as a failure. */
  slowCallMs: number;
  /**
   * Must agree with `Date.now()`: cockatiel reads it to decide when the open breaker is due a probe.
   * Tests mock `Date` with node:test's mock timers instead of passing a manual clock.
   */
  clock?: Clock;
}

export interface BreakerTransition {
  breaker: string;
  from: BreakerState;
  to: BreakerState;
  /** Epoch ms. */
  at: number;
  /** In plain words, e.g. "10 consecutive failures; last: service-c answered 500". */
  cause: string;
}

export interface BreakerSnapshot {
  name: string;
  state: BreakerState;
  /** Epoch ms of the last transition (of creation, before the first). */
  since: number;
  threshold: number;
  halfOpenProbes: number;
  consecutiveFailures: number;
  totalFailures: number;
  totalSuccesses: number;
  /** How many times it has opened. */
  opens: number;
  lastFailure?: string;
  /** When open: epoch ms from which a probe call is let through. */
  nextProbeAt?: number;
  /** When half-open: successful probe calls still needed to close. */
  probesRemaining?: number;
  /** The last 20, oldest first. */
  transitions: BreakerTransition[];
}

/**
 * Jidoka for one dependency: stop calling it when it keeps failing, and find out by itself when it
 * has recovered. Closed → open after `threshold` consecutive failing calls; open → half-open after
 * `resetMs`; half-open → closed after `halfOpenProbes` successful probe calls, or back to open on the
 * first failing one. Timed-out and slow calls are failures; while open, calls fail fast with
 * `BreakerOpenError`.
 */
export interface Breaker {
  readonly name: string;
  readonly state: BreakerState;
  /** Runs `fn` under the breaker; `signal` aborts when the call times out. */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Whether the breaker is open and the next call would be let through as a probe. */
  probeDue(): boolean;
  snapshot(): BreakerSnapshot;
  readonly onTransition: Event<BreakerTransition>;
}

export const BREAKER_TRANSITIONS_KEPT = 20;

interface Timed<T> {
  value: T;
  tookMs: number;
}

export function createBreaker(options: BreakerOptions): Breaker {
  checkOptions(options);
  const { name, threshold, resetMs, halfOpenProbes, probeTimeoutMs, callTimeoutMs, slowCallMs } = options;
  const clock = options.clock ?? systemClock;
  const emitter = new EventEmitter<BreakerTransition>();
  const transitions: BreakerTransition[] = [];
  let state: BreakerState = 'closed';
  let since = clock.now();
  let openedAt = 0;
  let opens = 0;
  let lastFailure: string | undefined;
  let lastTimeoutMs = callTimeoutMs ?? probeTimeoutMs;

  const moveTo = (to: BreakerState, cause: string): void => {
    if (to === state) return;
    const transition: BreakerTransition = { breaker: name, from: state, to, at: clock.now(), cause };
    state = to;
    since = transition.at;
    transitions.push(transition);
    if (transitions.length > BREAKER_TRANSITIONS_KEPT) transitions.shift();
    emitter.emit(transition);
  };

  const strategy = new ProbationBreaker(threshold, halfOpenProbes, () =>
    moveTo('closed', `${plural(halfOpenProbes, 'probe call')} succeeded`),
  );
  const isSlow = (result: unknown): boolean => (result as Timed<unknown>).tookMs > slowCallMs;
  const policy = circuitBreaker(handleWhen(isTrippingFailure).orWhenResult(isSlow), {
    halfOpenAfter: resetMs,
    breaker: strategy,
  });
  const callTimeout =
    callTimeoutMs === undefined
      ? undefined
      : timeout(callTimeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
  const probeTimeout = timeout(probeTimeoutMs, {
    strategy: TimeoutStrategy.Aggressive,
    abortOnReturn: false,
  });
  // Cockatiel's TaskCancelledError does not say which limit ran out: remember the last to fire
  // (the failure is described in microtasks, before another timer can fire).
  callTimeout?.onTimeout(() => (lastTimeoutMs = callTimeoutMs ?? probeTimeoutMs));
  probeTimeout.onTimeout(() => (lastTimeoutMs = probeTimeoutMs));
  // Cockatiel hangs one abort listener per call in flight on the signal it is given; a long-lived signal
  // of our own with no listener limit keeps Node from warning about a leak under concurrency.
  const calls = new AbortController();
  setMaxListeners(0, calls.signal);
  const normalCall = callTimeout ? wrap(policy, callTimeout) : policy;
  const probeCall = callTimeout ? wrap(policy, probeTimeout) : policy;

  const describe = (reason: FailureReason<unknown>): string => {
    if ('value' in reason) {
      const { tookMs } = reason.value as Timed<unknown>;
      return `slow call: succeeded after ${tookMs} ms (slow-call limit ${slowCallMs} ms)`;
    }
    return isTimeoutError(reason.error)
      ? `timed out after ${lastTimeoutMs} ms`
      : describeFailure(reason.error);
  };

  policy.onFailure(({ handled, reason }) => {
    if (handled) lastFailure = describe(reason);
  });
  policy.onBreak((reason) => {
    opens++;
    openedAt = clock.now();
    const last = 'isolated' in reason ? 'isolated by hand' : describe(reason);
    moveTo(
      'open',
      state === 'closed'
        ? `${plural(strategy.state.consecutiveFailures, 'consecutive failure')}; last: ${last}`
        : `probe failed: ${last}`,
    );
  });
  policy.onHalfOpen(() => {
    strategy.beginProbing();
    moveTo('half_open', `reset time of ${resetMs} ms elapsed; probing`);
  });

  const retryAfterMs = (): number => (state === 'open' ? Math.max(0, openedAt + resetMs - clock.now()) : 0);

  // Plain promise chains rather than async functions here and in `execute`: every call of a dependency goes
  // through them (each publish of intake, each hop of the downstream chain), and each async layer costs a promise.
  const timed = <T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<Timed<T>> => {
    const started = clock.now();
    return fn(signal).then((value) => ({ value, tookMs: clock.now() - started }));
  };
  const unwrap = <T>(timedValue: Timed<T>): T => timedValue.value;
  const translate = (error: unknown): never => {
    if (isBrokenCircuitError(error)) {
      throw new BreakerOpenError(name, retryAfterMs(), lastFailure, { cause: error });
    }
    throw error;
  };

  return {
    name,
    get state() {
      return state;
    },
    onTransition: emitter.addListener,

    execute<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
      const policyForCall = state === 'closed' ? normalCall : probeCall;
      return policyForCall
        .execute(({ signal }) => timed(fn, signal), calls.signal)
        .then(unwrap<T>, translate);
    },

    probeDue() {
      return state === 'open' && clock.now() >= openedAt + resetMs;
    },

    snapshot() {
      const { consecutiveFailures, probesRemaining } = strategy.state;
      return {
        name,
        state,
        since,
        threshold,
        halfOpenProbes,
        consecutiveFailures,
        totalFailures: strategy.totalFailures,
        totalSuccesses: strategy.totalSuccesses,
        opens,
        ...(lastFailure === undefined ? {} : { lastFailure }),
        ...(state === 'open' ? { nextProbeAt: openedAt + resetMs } : {}),
        ...(state === 'half_open' ? { probesRemaining } : {}),
        transitions: [...transitions],
      };
    },
  };
}

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

function checkOptions(options: BreakerOptions): void {
  const whole = ['threshold', 'halfOpenProbes'] as const;
  const durations = ['resetMs', 'probeTimeoutMs', 'slowCallMs'] as const;
  if (options.callTimeoutMs !== undefined && !(options.callTimeoutMs > 0)) {
    throw new RangeError(
      `breaker ${options.name}: callTimeoutMs must be a number of ms > 0, got ${options.callTimeoutMs}`,
    );
  }
  for (const key of whole) {
    if (!Number.isInteger(options[key]) || options[key] < 1) {
      throw new RangeError(`breaker ${options.name}: ${key} must be a whole number ≥ 1, got ${options[key]}`);
    }
  }
  for (const key of durations) {
    if (!Number.isFinite(options[key]) || options[key] <= 0) {
      throw new RangeError(`breaker ${options.name}: ${key} must be a number of ms > 0, got ${options[key]}`);
    }
  }
}
