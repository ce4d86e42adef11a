import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { LaneName } from '../../domain/signal.js';
import { DownstreamError } from '../../errors/index.js';
import { systemClock } from '../clock.js';
import { createBreaker, type Breaker } from './Breaker.js';
import { createLine, laneBreakerName, type Line, type LineEvent, type PullPermit } from './Line.js';

/*
 * Time: the lanes' breakers are real cockatiel breakers, which read Date.now(); so time is node:test's
 * mocked Date (see Breaker.test.ts), and the line reads it through `systemClock` too.
 */

const PROBES = 2;
const RESET_MS = 30_000;

function setUp(): { line: Line; breakers: Record<LaneName, Breaker> } {
  const breakerFor = (lane: LaneName) =>
    createBreaker({
      name: laneBreakerName(lane),
      threshold: 1,
      resetMs: RESET_MS,
      halfOpenProbes: PROBES,
      probeTimeoutMs: 1_000,
      callTimeoutMs: 5_000,
      slowCallMs: 2_000,
      clock: systemClock,
    });
  const breakers = { fast: breakerFor('fast'), slow: breakerFor('slow') };
  const line = createLine({
    lanes: ['fast', 'slow'],
    laneBreakers: breakers,
    halfOpenProbes: PROBES,
    clock: systemClock,
  });
  return { line, breakers };
}

const openBreaker = (breaker: Breaker) =>
  assert.rejects(breaker.execute(() => Promise.reject(new DownstreamError('service-c', 500, 'boom'))));

const probeOnce = async (breaker: Breaker) => {
  await breaker.execute(() => Promise.resolve('ok'));
  assert.equal(breaker.state, 'half_open');
};

describe('Line', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date', 'setTimeout'], now: 0 }));
  afterEach(() => mock.timers.reset());

  describe('intake', () => {
    it('admits signals while the cords are in and the breaker is closed', () => {
      const { line } = setUp();
      assert.deepEqual(line.intake('fast'), { ok: true });
      assert.deepEqual(line.intake('slow'), { ok: true });
    });

    it('refuses a lane whose cord is pulled, for 5 s, and leaves the other lanes running', () => {
      const { line } = setUp();
      line.pullCord({ lane: 'fast', reason: 'bad deploy', by: 'ana' });
      assert.deepEqual(line.intake('fast'), {
        ok: false,
        cause: 'andon cord pulled by ana: bad deploy',
        retryAfterSeconds: 5,
      });
      assert.deepEqual(line.intake('slow'), { ok: true });
    });

    it("refuses every lane while the whole line's cord is pulled", () => {
      const { line } = setUp();
      line.pullCord({ reason: 'database migration' });
      for (const lane of ['fast', 'slow'] as const) {
        assert.deepEqual(line.intake(lane), {
          ok: false,
          cause: 'andon cord pulled for the whole line: database migration',
          retryAfterSeconds: 5,
        });
      }
    });

    it('refuses a lane whose breaker is open until the next probe is due', async () => {
      const { line, breakers } = setUp();
      await openBreaker(breakers.fast);
      mock.timers.tick(10_500);
      assert.deepEqual(line.intake('fast'), {
        ok: false,
        cause: 'breaker lane:fast is open: service-c answered 500',
        retryAfterSeconds: 20,
      });
      assert.deepEqual(line.intake('slow'), { ok: true });
    });

    it('asks for at least 1 s while the breaker is open', async () => {
      const { line, breakers } = setUp();
      await openBreaker(breakers.fast);
      mock.timers.tick(RESET_MS - 200);
      assert.deepEqual(line.intake('fast'), {
        ok: false,
        cause: 'breaker lane:fast is open: service-c answered 500',
        retryAfterSeconds: 1,
      });
    });

    it('admits trial traffic once a probe is due and while the breaker probes, so an idle lane can recover', async () => {
      const { line, breakers } = setUp();
      await openBreaker(breakers.fast);
      mock.timers.tick(RESET_MS);
      assert.deepEqual(line.intake('fast'), { ok: true });
      await probeOnce(breakers.fast);
      assert.equal(breakers.fast.state, 'half_open');
      assert.deepEqual(line.intake('fast'), { ok: true });
    });

    it('admits again once the breaker has closed', async () => {
      const { line, breakers } = setUp();
      await openBreaker(breakers.fast);
      mock.timers.tick(RESET_MS);
      for (let i = 0; i < PROBES; i++) await breakers.fast.execute(() => Promise.resolve('ok'));
      assert.equal(breakers.fast.state, 'closed');
      assert.deepEqual(line.intake('fast'), { ok: true });
    });
  });

  describe('pull permits', () => {
    it('are unlimited while the breaker is closed', () => {
      const { line } = setUp();
      const permits = Array.from({ length: 100 }, () => line.acquirePull('fast'));
      assert.ok(permits.every((permit) => permit !== undefined && !permit.probe));
    });

    it('are refused while a cord is pulled', () => {
      const { line } = setUp();
      line.pullCord({ lane: 'slow', reason: 'inspect' });
      assert.equal(line.acquirePull('slow'), undefined);
      assert.notEqual(line.acquirePull('fast'), undefined);
      line.pullCord({ reason: 'stop everything' });
      assert.equal(line.acquirePull('fast'), undefined);
    });

    it('are refused while the breaker is open and no probe is due', async () => {
      const { line, breakers } = setUp();
      await openBreaker(breakers.fast);
      mock.timers.tick(RESET_MS - 1);
      assert.equal(line.acquirePull('fast'), undefined);
    });

    it('are probe permits, at most halfOpenProbes at once, once a probe is due', async () => {
      const { line, breakers } = setUp();
      await openBreaker(breakers.fast);
      mock.timers.tick(RESET_MS);
      const permits = [line.acquirePull('fast'), line.acquirePull('fast')];
      assert.ok(permits.every((permit) => permit?.probe === true));
      assert.equal(line.acquirePull('fast'), undefined);
      permits[0]?.release();
      const again = line.acquirePull('fast');
      assert.equal(again?.probe, true);
      assert.equal(line.acquirePull('fast'), undefined);
    });

    it('stay limited to halfOpenProbes while the breaker is half-open', async () => {
      const { line, breakers } = setUp();
      await openBreaker(breakers.fast);
      mock.timers.tick(RESET_MS);
      await probeOnce(breakers.fast);
      const permits: Array<PullPermit | undefined> = [];
      for (let i = 0; i < 5; i++) permits.push(line.acquirePull('fast'));
      assert.equal(permits.filter((permit) => permit !== undefined).length, PROBES);
    });

    it('are given back once however often they are released', async () => {
      const { line, breakers } = setUp();
      await openBreaker(breakers.fast);
      mock.timers.tick(RESET_MS);
      const first = line.acquirePull('fast');
      line.acquirePull('fast');
      first?.release();
      first?.release();
      first?.release();
      assert.notEqual(line.acquirePull('fast'), undefined);
      assert.equal(line.acquirePull('fast'), undefined);
    });
  });

  describe('a shared breaker (the database)', () => {
    it('holds every lane’s pulls while it is open, until a probe is due', async () => {
      const { breakers } = setUp();
      const database = breakers.slow;
      const line = createLine({
        lanes: ['fast', 'slow'],
        laneBreakers: {},
        sharedBreakers: [database],
        halfOpenProbes: 1,
      });
      assert.notEqual(line.acquirePull('fast'), undefined);
      await openBreaker(database);
      assert.equal(line.acquirePull('fast'), undefined);
      assert.equal(line.acquirePull('slow'), undefined);
      assert.deepEqual(line.intake('fast'), { ok: true }, 'intake is the store’s to refuse');
      mock.timers.tick(RESET_MS);
      assert.notEqual(line.acquirePull('fast'), undefined);
    });
  });

  describe('a lane without a breaker', () => {
    it('is stopped by its cord only', () => {
      const line = createLine({ lanes: ['fast', 'slow'], laneBreakers: {}, halfOpenProbes: 2 });
      assert.deepEqual(line.intake('fast'), { ok: true });
      assert.equal(line.acquirePull('fast')?.probe, false);
      line.pullCord({ lane: 'fast', reason: 'inspect' });
      assert.equal(line.intake('fast').ok, false);
      assert.equal(line.acquirePull('fast'), undefined);
    });
  });

  describe('cords', () => {
    it('restart the lane when reset', () => {
      const { line } = setUp();
      line.pullCord({ lane: 'fast', reason: 'inspect' });
      line.resetCord({ lane: 'fast', by: 'ana' });
      assert.deepEqual(line.intake('fast'), { ok: true });
      assert.notEqual(line.acquirePull('fast'), undefined);
    });

    it('keep a lane stopped while the whole line is stopped, and the other way round', () => {
      const { line } = setUp();
      line.pullCord({ lane: 'fast', reason: 'inspect' });
      line.pullCord({ reason: 'stop everything' });
      line.resetCord({ lane: 'fast' });
      assert.equal(line.intake('fast').ok, false);
      line.pullCord({ lane: 'fast', reason: 'inspect again' });
      line.resetCord({});
      assert.equal(line.intake('fast').ok, false);
      assert.equal(line.intake('slow').ok, true);
    });

    it('show in the snapshot who pulled them, why and since when', () => {
      const { line } = setUp();
      mock.timers.tick(1_000);
      line.pullCord({ lane: 'slow', reason: 'inspect', by: 'ana' });
      mock.timers.tick(1_000);
      line.pullCord({ lane: 'slow', reason: 'still inspecting', by: 'bo' });
      assert.deepEqual(line.snapshot(), {
        line: { pulled: false, since: 0 },
        lanes: {
          fast: { pulled: false, since: 0 },
          slow: { pulled: true, reason: 'still inspecting', by: 'bo', since: 1_000 },
        },
      });
      mock.timers.tick(1_000);
      line.resetCord({ lane: 'slow' });
      assert.deepEqual(line.snapshot().lanes.slow, { pulled: false, since: 3_000 });
    });

    it('announce every pull and reset, and stay quiet on resetting a cord that is in', () => {
      const { line } = setUp();
      const events: LineEvent[] = [];
      line.onChange((event) => events.push(event));
      line.resetCord({ lane: 'fast' });
      mock.timers.tick(500);
      line.pullCord({ reason: 'fire drill', by: 'ana' });
      line.resetCord({ by: 'bo' });
      line.pullCord({ lane: 'fast', reason: 'inspect' });
      assert.deepEqual(events, [
        { at: 500, action: 'pulled', reason: 'fire drill', by: 'ana' },
        { at: 500, action: 'reset', by: 'bo' },
        { at: 500, lane: 'fast', action: 'pulled', reason: 'inspect' },
      ]);
    });

    it('refuse a lane the line does not have', () => {
      const { line } = setUp();
      assert.throws(() => line.pullCord({ lane: 'medium' as LaneName, reason: 'x' }), /unknown lane medium/);
    });
  });
});
