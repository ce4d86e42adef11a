import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LineSnapshot } from './Line.js';
import { cordChanges, type RemoteCords } from './mirrorCords.js';

const idle = { pulled: false, since: 0 };
const local = (overrides: Partial<LineSnapshot> = {}): LineSnapshot => ({
  line: idle,
  lanes: { fast: idle, slow: idle },
  ...overrides,
});
const remote = (overrides: Partial<RemoteCords> = {}): RemoteCords => ({
  line: { pulled: false },
  lanes: { fast: { pulled: false }, slow: { pulled: false } },
  ...overrides,
});

describe('cordChanges', () => {
  it('changes nothing while both sides agree', () => {
    assert.deepEqual(cordChanges(remote(), local(), ['fast']), []);
  });

  it('pulls here a lane cord pulled at the API, with its reason, for the lanes this process works', () => {
    const there = remote({
      lanes: { fast: { pulled: true, reason: 'bad batch', by: 'ana' }, slow: { pulled: true } },
    });
    assert.deepEqual(cordChanges(there, local(), ['fast']), [
      { action: 'pull', lane: 'fast', reason: 'bad batch', by: 'the API (ana)' },
    ]);
  });

  it('pulls the whole line’s cord', () => {
    assert.deepEqual(cordChanges(remote({ line: { pulled: true, reason: 'stop all' } }), local(), ['slow']), [
      { action: 'pull', reason: 'stop all', by: 'the API (operator)' },
    ]);
  });

  it('resets here a cord reset at the API', () => {
    const here = local({ lanes: { fast: { pulled: true, reason: 'x', since: 1 }, slow: idle } });
    assert.deepEqual(cordChanges(remote(), here, ['fast']), [
      { action: 'reset', lane: 'fast', by: 'the API (operator)' },
    ]);
  });

  it('takes a new reason for a cord that stays pulled', () => {
    const here = local({ line: { pulled: true, reason: 'old', since: 1 } });
    assert.deepEqual(cordChanges(remote({ line: { pulled: true, reason: 'new' } }), here, []), [
      { action: 'pull', reason: 'new', by: 'the API (operator)' },
    ]);
  });
});
