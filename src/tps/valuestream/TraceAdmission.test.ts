import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spreadTraceIds } from '../../../test/support/traceIds.js';
import { ManualClock } from '../clock.js';
import { TraceAdmission } from './TraceAdmission.js';

const traceId = spreadTraceIds();

/** `count` traces arriving evenly over one second; how many were kept. */
function second(admission: TraceAdmission, clock: ManualClock, count: number): number {
  let kept = 0;
  const start = clock.now();
  for (let i = 0; i < count; i++) {
    admission.arrived();
    if (admission.admit(traceId())) kept += 1;
    clock.set(start + ((i + 1) * 1000) / count);
  }
  return kept;
}

describe('TraceAdmission', () => {
  it('keeps every trace while fewer than perSecond arrive a second', () => {
    const clock = new ManualClock(0);
    const admission = new TraceAdmission(100, clock);
    for (let s = 0; s < 5; s++) assert.equal(second(admission, clock, 90), 90);
    assert.equal(admission.currentShare, 1);
  });

  it('keeps about perSecond a second once more arrive, from the second after', () => {
    const clock = new ManualClock(0);
    const admission = new TraceAdmission(100, clock);
    assert.equal(second(admission, clock, 2000), 2000, 'the first second of a burst is all kept');
    const kept = [
      second(admission, clock, 2000),
      second(admission, clock, 2000),
      second(admission, clock, 2000),
    ];
    for (const count of kept) assert.ok(count > 50 && count < 160, `kept ${count} of 2000 in a second`);
    assert.ok(Math.abs(admission.currentShare - 0.05) < 0.01);
  });

  it('gives every span of a trace the same answer', () => {
    const clock = new ManualClock(0);
    const admission = new TraceAdmission(10, clock);
    second(admission, clock, 1000);
    clock.advance(1000);
    admission.arrived();
    assert.ok(admission.currentShare < 1);
    let kept = 0;
    for (let i = 0; i < 200; i++) {
      const id = traceId();
      admission.arrived();
      const first = admission.admit(id);
      if (first) kept += 1;
      for (let span = 0; span < 5; span++) assert.equal(admission.admit(id), first);
    }
    assert.ok(kept > 0 && kept < 200, `kept ${kept} of 200`);
  });

  it('opens up again when the load goes away', () => {
    const clock = new ManualClock(0);
    const admission = new TraceAdmission(100, clock);
    second(admission, clock, 5000);
    second(admission, clock, 5000);
    assert.ok(admission.currentShare < 0.1);
    second(admission, clock, 10);
    assert.equal(second(admission, clock, 10), 10);
    assert.equal(admission.currentShare, 1);
  });

  it('answers admitNew as arrived then admit would, trace for trace', () => {
    const [apartClock, togetherClock] = [new ManualClock(0), new ManualClock(0)];
    const [apart, together] = [new TraceAdmission(100, apartClock), new TraceAdmission(100, togetherClock)];
    const [apartIds, togetherIds] = [spreadTraceIds(), spreadTraceIds()];
    for (let i = 0; i < 6000; i++) {
      apart.arrived();
      assert.equal(together.admitNew(togetherIds()), apart.admit(apartIds()), `trace ${i}`);
      for (const clock of [apartClock, togetherClock]) clock.set(((i + 1) * 1000) / 2000);
    }
    assert.ok(together.currentShare < 0.1);
    assert.equal(together.currentShare, apart.currentShare);
  });

  it('refuses a rate that is not above zero', () => {
    assert.throws(() => new TraceAdmission(0, new ManualClock(0)), /perSecond must be > 0/);
  });
});
