import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock.js';
import { TraceAdmission } from './TraceAdmission.js';

/**
 * Trace ids whose low 32 bits (what the admission reads) are spread evenly over the range by Knuth's
 * multiplicative hash of a counter: random ids would make the counts below a matter of luck.
 */
let sequence = 0;
const traceId = (): string =>
  `${'0'.repeat(24)}${((++sequence * 2654435761) % 0x1_0000_0000).toString(16).padStart(8, '0')}`;

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

  it('refuses a rate that is not above zero', () => {
    assert.throws(() => new TraceAdmission(0, new ManualClock(0)), /perSecond must be > 0/);
  });
});
