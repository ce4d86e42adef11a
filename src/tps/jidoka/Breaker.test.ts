import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { isBrokenCircuitError } from 'cockatiel';
import { DownstreamError, UnrecoverableError } from '../../errors/index.js';
import { systemClock } from '../clock.js';
import { createBreaker, type Breaker, type BreakerOptions, type BreakerTransition } from './Breaker.js';
import { isBreakerOpenError } from './BreakerOpenError.js';
import { isTimeoutError } from './isTimeoutError.js';

/*
 * Time: cockatiel reads Date.now() itself to decide when an open breaker is due a probe, and its
 * timeouts use setTimeout. So these tests mock both with node:test's mock timers and give the breaker
 * `systemClock`, which then reads the same mocked Date. `mock.timers.tick(ms)` moves time and fires
 * due timers at once; nothing here waits for real time.
 */

const options = (overrides: Partial<BreakerOptions> = {}): BreakerOptions => ({
  name: 'service-c',
  threshold: 3,
  resetMs: 30_000,
  halfOpenProbes: 3,
  probeTimeoutMs: 1_000,
  callTimeoutMs: 5_000,
  slowCallMs: 2_000,
  clock: systemClock,
  ...overrides,
});

const answered500 = () => Promise.reject(new DownstreamError('service-c', 500, 'service-c answered 500'));
const answered404 = () => Promise.reject(new DownstreamError('service-c', 404, 'service-c answered 404'));
const succeeds = () => Promise.resolve('ok');
const hangs = () => new Promise<never>(() => undefined);
const takes = (ms: number) => () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), ms));

async function fail(breaker: Breaker, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await assert.rejects(breaker.execute(answered500), DownstreamError);
}

async function succeed(breaker: Breaker, times: number): Promise<void> {
  for (let i = 0; i < times; i++) assert.equal(await breaker.execute(succeeds), 'ok');
}

async function openBreaker(breaker: Breaker): Promise<void> {
  await fail(breaker, breaker.snapshot().threshold);
  assert.equal(breaker.state, 'open');
}

function recordTransitions(breaker: Breaker): BreakerTransition[] {
  const seen: BreakerTransition[] = [];
  breaker.onTransition((transition) => seen.push(transition));
  return seen;
}

describe('Breaker', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date', 'setTimeout'], now: 0 }));
  afterEach(() => mock.timers.reset());

  describe('while closed', () => {
    it('opens after N consecutive failing calls and not before', async () => {
      const breaker = createBreaker(options({ threshold: 3 }));
      await fail(breaker, 2);
      assert.equal(breaker.state, 'closed');
      assert.equal(breaker.snapshot().consecutiveFailures, 2);
      await fail(breaker, 1);
      assert.equal(breaker.state, 'open');
    });

    it('starts the count again after a successful call', async () => {
      const breaker = createBreaker(options({ threshold: 3 }));
      await fail(breaker, 2);
      await succeed(breaker, 1);
      await fail(breaker, 2);
      assert.equal(breaker.state, 'closed');
      await fail(breaker, 1);
      assert.equal(breaker.state, 'open');
    });

    it('lets 4xx answers and UnrecoverableError through without counting them', async () => {
      const breaker = createBreaker(options({ threshold: 3 }));
      await fail(breaker, 2);
      for (let i = 0; i < 5; i++) {
        await assert.rejects(breaker.execute(answered404), { status: 404 });
        await assert.rejects(
          breaker.execute(() => Promise.reject(new UnrecoverableError('bad payload'))),
          {
            name: 'UnrecoverableError',
          },
        );
      }
      const snapshot = breaker.snapshot();
      assert.equal(breaker.state, 'closed');
      assert.equal(snapshot.consecutiveFailures, 2);
      assert.equal(snapshot.totalFailures, 2);
      assert.equal(snapshot.totalSuccesses, 0);
      await fail(breaker, 1);
      assert.equal(breaker.state, 'open');
    });

    it('counts an error it does not know as a failure', async () => {
      const breaker = createBreaker(options({ threshold: 1 }));
      await assert.rejects(
        breaker.execute(() => Promise.reject(new TypeError('oops'))),
        TypeError,
      );
      assert.equal(breaker.state, 'open');
      assert.equal(breaker.snapshot().lastFailure, 'TypeError: oops');
    });

    it('counts a timed-out call as a failure and aborts its signal', async () => {
      const breaker = createBreaker(options({ threshold: 1, callTimeoutMs: 5_000 }));
      let seen: AbortSignal | undefined;
      const call = breaker.execute((signal) => {
        seen = signal;
        return hangs();
      });
      mock.timers.tick(4_999);
      assert.equal(seen?.aborted, false);
      mock.timers.tick(1);
      await assert.rejects(call, (error) => isTimeoutError(error));
      assert.equal(seen?.aborted, true);
      assert.equal(breaker.state, 'open');
      assert.equal(breaker.snapshot().lastFailure, 'timed out after 5000 ms');
    });

    it('sets no time limit when callTimeoutMs is left out, and still counts failures', async () => {
      const { callTimeoutMs: _unused, ...untimed } = options({ threshold: 2, slowCallMs: 120_000 });
      const breaker = createBreaker(untimed);
      let seen: AbortSignal | undefined;
      const call = breaker.execute((signal) => {
        seen = signal;
        return takes(60_000)();
      });
      mock.timers.tick(60_000);
      assert.equal(await call, 'late');
      assert.equal(seen?.aborted, false);
      await fail(breaker, 2);
      assert.equal(breaker.state, 'open');
    });

    it('returns the value of a slow call but counts it as a failure', async () => {
      const breaker = createBreaker(options({ threshold: 2, slowCallMs: 2_000 }));
      const call = breaker.execute(takes(2_500));
      mock.timers.tick(2_500);
      assert.equal(await call, 'late');
      const snapshot = breaker.snapshot();
      assert.equal(snapshot.consecutiveFailures, 1);
      assert.equal(snapshot.lastFailure, 'slow call: succeeded after 2500 ms (slow-call limit 2000 ms)');
    });

    it('counts a call that takes exactly slowCallMs as a success', async () => {
      const breaker = createBreaker(options({ slowCallMs: 2_000 }));
      const call = breaker.execute(takes(2_000));
      mock.timers.tick(2_000);
      assert.equal(await call, 'late');
      assert.equal(breaker.snapshot().totalSuccesses, 1);
    });
  });

  describe('while open', () => {
    it('fails fast with BreakerOpenError, without calling the function', async () => {
      const breaker = createBreaker(options({ resetMs: 30_000 }));
      await openBreaker(breaker);
      mock.timers.tick(10_000);
      const fn = mock.fn(succeeds);
      const error: unknown = await breaker.execute(fn).catch((e: unknown) => e);
      assert.ok(isBreakerOpenError(error));
      assert.equal(error.breaker, 'service-c');
      assert.equal(error.retryAfterMs, 20_000);
      assert.equal(error.lastFailure, 'service-c answered 500');
      assert.ok(isBrokenCircuitError(error.cause));
      assert.equal(fn.mock.callCount(), 0);
    });

    it('tells when the next probe is due', async () => {
      const breaker = createBreaker(options({ resetMs: 30_000 }));
      mock.timers.tick(1_000);
      await openBreaker(breaker);
      assert.equal(breaker.snapshot().nextProbeAt, 31_000);
      mock.timers.tick(29_999);
      assert.equal(breaker.probeDue(), false);
      await assert.rejects(breaker.execute(succeeds), { name: 'BreakerOpenError', retryAfterMs: 1 });
      mock.timers.tick(1);
      assert.equal(breaker.probeDue(), true);
    });

    it('goes half-open after resetMs and lets the probe call through', async () => {
      const breaker = createBreaker(options({ resetMs: 30_000, halfOpenProbes: 3 }));
      await openBreaker(breaker);
      mock.timers.tick(30_000);
      await succeed(breaker, 1);
      const snapshot = breaker.snapshot();
      assert.equal(breaker.state, 'half_open');
      assert.equal(snapshot.probesRemaining, 2);
      assert.equal(snapshot.nextProbeAt, undefined);
      assert.equal(breaker.probeDue(), false);
    });
  });

  describe('while half-open', () => {
    it('closes only after halfOpenProbes successful probe calls', async () => {
      const breaker = createBreaker(options({ halfOpenProbes: 3 }));
      await openBreaker(breaker);
      mock.timers.tick(30_000);
      await succeed(breaker, 2);
      assert.equal(breaker.state, 'half_open');
      assert.equal(breaker.snapshot().probesRemaining, 1);
      await succeed(breaker, 1);
      assert.equal(breaker.state, 'closed');
      assert.equal(breaker.snapshot().consecutiveFailures, 0);
    });

    it('closes after the first probe when halfOpenProbes is 1', async () => {
      const breaker = createBreaker(options({ halfOpenProbes: 1 }));
      await openBreaker(breaker);
      mock.timers.tick(30_000);
      await succeed(breaker, 1);
      assert.equal(breaker.state, 'closed');
    });

    it('reopens when the first probe fails', async () => {
      const breaker = createBreaker(options());
      await openBreaker(breaker);
      mock.timers.tick(30_000);
      await fail(breaker, 1);
      assert.equal(breaker.state, 'open');
      assert.equal(breaker.snapshot().nextProbeAt, 60_000);
    });

    it('reopens at once when a later probe fails, whatever the threshold', async () => {
      const breaker = createBreaker(options({ threshold: 5, halfOpenProbes: 3 }));
      await openBreaker(breaker);
      mock.timers.tick(30_000);
      await succeed(breaker, 2);
      await fail(breaker, 1);
      assert.equal(breaker.state, 'open');
      await assert.rejects(breaker.execute(succeeds), { name: 'BreakerOpenError', retryAfterMs: 30_000 });
    });

    it('reopens when a probe succeeds too slowly', async () => {
      const breaker = createBreaker(options({ slowCallMs: 500, probeTimeoutMs: 1_000 }));
      await openBreaker(breaker);
      mock.timers.tick(30_000);
      const probe = breaker.execute(takes(800));
      mock.timers.tick(800);
      assert.equal(await probe, 'late');
      assert.equal(breaker.state, 'open');
    });

    it('gives probe calls probeTimeoutMs instead of callTimeoutMs', async () => {
      const breaker = createBreaker(options({ probeTimeoutMs: 1_000, callTimeoutMs: 5_000 }));
      const transitions = recordTransitions(breaker);
      await openBreaker(breaker);
      mock.timers.tick(30_000);
      let seen: AbortSignal | undefined;
      const probe = breaker.execute((signal) => {
        seen = signal;
        return hangs();
      });
      mock.timers.tick(1_000);
      await assert.rejects(probe, (error) => isTimeoutError(error));
      assert.equal(seen?.aborted, true);
      assert.equal(breaker.state, 'open');
      assert.equal(transitions.at(-1)?.cause, 'probe failed: timed out after 1000 ms');
    });

    it('holds a call made during the first probe until it ends, then counts it as a probe', async () => {
      const breaker = createBreaker(options({ halfOpenProbes: 2 }));
      await openBreaker(breaker);
      mock.timers.tick(30_000);
      const first = breaker.execute(takes(100));
      const second = breaker.execute(succeeds);
      assert.equal(breaker.state, 'half_open');
      mock.timers.tick(100);
      assert.deepEqual(await Promise.all([first, second]), ['late', 'ok']);
      assert.equal(breaker.state, 'closed');
    });

    it('neither advances nor fails the probes on a 4xx answer', async () => {
      const breaker = createBreaker(options({ halfOpenProbes: 2 }));
      await openBreaker(breaker);
      mock.timers.tick(30_000);
      await assert.rejects(breaker.execute(answered404), { status: 404 });
      assert.equal(breaker.state, 'half_open');
      assert.equal(breaker.snapshot().probesRemaining, 2);
      await succeed(breaker, 2);
      assert.equal(breaker.state, 'closed');
    });
  });

  describe('transitions', () => {
    it('emits every transition with its cause and time', async () => {
      const breaker = createBreaker(options({ threshold: 3, halfOpenProbes: 3, resetMs: 30_000 }));
      const transitions = recordTransitions(breaker);
      mock.timers.tick(1_000);
      await openBreaker(breaker);
      mock.timers.tick(30_000);
      await fail(breaker, 1);
      mock.timers.tick(30_000);
      await succeed(breaker, 3);

      assert.deepEqual(transitions, [
        {
          breaker: 'service-c',
          from: 'closed',
          to: 'open',
          at: 1_000,
          cause: '3 consecutive failures; last: service-c answered 500',
        },
        {
          breaker: 'service-c',
          from: 'open',
          to: 'half_open',
          at: 31_000,
          cause: 'reset time of 30000 ms elapsed; probing',
        },
        {
          breaker: 'service-c',
          from: 'half_open',
          to: 'open',
          at: 31_000,
          cause: 'probe failed: service-c answered 500',
        },
        {
          breaker: 'service-c',
          from: 'open',
          to: 'half_open',
          at: 61_000,
          cause: 'reset time of 30000 ms elapsed; probing',
        },
        {
          breaker: 'service-c',
          from: 'half_open',
          to: 'closed',
          at: 61_000,
          cause: '3 probe calls succeeded',
        },
      ]);
      const snapshot = breaker.snapshot();
      assert.deepEqual(snapshot.transitions, transitions);
      assert.equal(snapshot.since, 61_000);
      assert.equal(snapshot.opens, 2);
    });

    it('keeps the last 20 transitions in its snapshot', async () => {
      const breaker = createBreaker(options({ threshold: 1 }));
      await openBreaker(breaker);
      for (let i = 0; i < 15; i++) {
        mock.timers.tick(30_000);
        await fail(breaker, 1);
      }
      const { transitions } = breaker.snapshot();
      assert.equal(transitions.length, 20);
      assert.equal(transitions.at(-1)?.to, 'open');
      assert.equal(transitions.at(-1)?.at, 15 * 30_000);
    });
  });

  it('sums up its counts in a snapshot', async () => {
    const breaker = createBreaker(options({ threshold: 2 }));
    await succeed(breaker, 4);
    await fail(breaker, 2);
    assert.deepEqual(breaker.snapshot(), {
      name: 'service-c',
      state: 'open',
      since: 0,
      threshold: 2,
      halfOpenProbes: 3,
      consecutiveFailures: 2,
      totalFailures: 2,
      totalSuccesses: 4,
      opens: 1,
      lastFailure: 'service-c answered 500',
      nextProbeAt: 30_000,
      transitions: breaker.snapshot().transitions,
    });
  });

  it('refuses options that cannot work, naming the option', () => {
    assert.throws(() => createBreaker(options({ threshold: 0 })), /threshold must be a whole number/);
    assert.throws(() => createBreaker(options({ resetMs: -1 })), /resetMs must be a number of ms > 0/);
  });
});
