import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSoakFlags, slope } from './soakFlags.js';

describe('npm run soak flags', () => {
  it('defaults to 300/s for 10 minutes of the fast-heavy mix', () => {
    assert.deepEqual(parseSoakFlags([]), { rate: 300, minutes: 10, mix: 'fast-heavy' });
    assert.deepEqual(parseSoakFlags(['--rate', '50', '--minutes', '0.5', '--mix', 'even']), {
      rate: 50,
      minutes: 0.5,
      mix: 'even',
    });
  });

  it('refuses a bad flag or value with a message naming the flag', () => {
    assert.throws(() => parseSoakFlags(['--rte', '3']), /'--rte'/);
    assert.throws(() => parseSoakFlags(['--rate']), /--rate/);
    for (const bad of ['abc', '0', '-5', '', '1e9', 'Infinity']) {
      assert.throws(() => parseSoakFlags([`--rate=${bad}`]), /^Error: flag --rate: .*got "/, bad);
    }
    for (const bad of ['0', 'ten', '-1', '2000']) {
      assert.throws(() => parseSoakFlags([`--minutes=${bad}`]), /^Error: flag --minutes: /, bad);
    }
    assert.throws(
      () => parseSoakFlags(['--mix', 'fast']),
      /flag --mix: expected one of fast-heavy, even, slow-heavy/,
    );
    assert.throws(() => parseSoakFlags(['extra']), /extra/);
  });
});

describe('the soak slope', () => {
  it('is the least-squares growth per minute, and undefined below two points', () => {
    assert.equal(slope([]), undefined);
    assert.equal(slope([{ x: 1, y: 100 }]), undefined);
    assert.equal(
      slope([
        { x: 1, y: 100 },
        { x: 2, y: 102 },
        { x: 3, y: 104 },
      ]),
      2,
    );
    // Noise around a flat line: the fit, not the last difference (which is -3).
    assert.equal(
      slope([
        { x: 1, y: 100 },
        { x: 2, y: 103 },
        { x: 3, y: 100 },
      ]),
      0,
    );
  });
});
